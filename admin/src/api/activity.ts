import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';
import type { Pagination } from './tokens';

export type SubjectType = 'token' | 'inbound-account' | 'outbound-account' | 'transfer' | 'settings';

/** One entry of the activity log (server: services/activity.ts). */
export interface ActivityEntry {
  id: number;
  kind: string;
  subjectType: SubjectType | null;
  subjectId: number | null;
  subjectName: string | null;
  outcome: 'success' | 'failure' | 'info';
  message: string | null;
  code: string | null;
  actor: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

export interface ActivityQuery {
  page?: number;
  pageSize?: number;
  kind?: string;
  subjectType?: string;
  subjectId?: number;
}

export const listActivity = async (client: Pick<FetchClient, 'get'>, query: ActivityQuery) =>
  (await client.get<{ results: ActivityEntry[]; pagination: Pagination }>(`/${PLUGIN_ID}/activity`, { params: query })).data;
