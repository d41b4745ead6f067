/** One line of the activity log, as the services and the batch write it. */
export interface ActivityEntry {
  kind: string;
  subjectType?: 'token' | 'inbound-account' | 'outbound-account' | 'transfer' | 'settings';
  subjectId?: number;
  subjectName?: string;
  outcome?: 'success' | 'failure' | 'info';
  message?: string;
  code?: string;
  actor?: string;
  /** Never secrets, never message bodies. */
  details?: Record<string, unknown>;
  /** When it happened; when it is written, if not given. */
  createdAt?: Date;
}
