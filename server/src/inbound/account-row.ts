import type { AccountRow } from './create-source';

/** An inbound account as stored (password sealed, token populated). */
export interface InboundAccountRow extends AccountRow {
  description?: string | null;
  active?: boolean | null;
  idle?: boolean | null;
  pollInterval?: number | null;
  maxMessagesPerPoll?: number | null;
  queue?: string | null;
  trusted?: boolean | null;
  scope?: 'organization' | 'application' | null;
  application?: string | null;
  confirmed?: boolean | null;
  confirmedAt?: string | Date | null;
  lastTestAt?: string | Date | null;
  lastPollAt?: string | Date | null;
  lastPollResult?: { fetched: number; skipped: number; errors: number } | null;
  lastError?: { code: string; message: string; advice?: string | null; at: string } | null;
  imapUidValidity?: string | null;
  imapLastUid?: number | string | null;
  syncCursor?: string | null;
  /** The IDLE hold's end (idle-watcher.ts): set while an instance holds the account in IDLE. */
  idleUntil?: string | Date | null;
  oauthToken?: (AccountRow['oauthToken'] & { status?: string; grantedBy?: string | null; clientId?: string | null; clientSecretExpiresOn?: string | Date | null }) | null;
  createdAt?: string | Date;
  updatedAt?: string | Date;
}
