import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../plugin-id';

const UID = `plugin::${PLUGIN_ID}.activity` as const;

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
}

export interface ActivityQuery {
  page?: number;
  pageSize?: number;
  subjectType?: string;
  subjectId?: number;
  kind?: string;
}

/** The activity log: who authorised, refreshed, tested, imported what, and what failed. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async record(entry: ActivityEntry): Promise<void> {
    try {
      // createMany: one INSERT, without reading the row back.
      await strapi.db.query(UID).createMany({ data: [{ outcome: 'info', ...entry }] });
    } catch (e) {
      // The log must never break what it records.
      strapi.log.warn(`[mail-auth] could not record activity ${entry.kind}: ${(e as Error).message}`);
    }
  },

  /** Several entries in one statement (one commit): for callers that log at a high rate. */
  async recordMany(entries: ActivityEntry[]): Promise<void> {
    if (!entries.length) return;
    try {
      await strapi.db.query(UID).createMany({ data: entries.map((entry) => ({ outcome: 'info', ...entry })) });
    } catch (e) {
      strapi.log.warn(`[mail-auth] could not record ${entries.length} activities: ${(e as Error).message}`);
    }
  },

  async list(query: ActivityQuery = {}) {
    const page = Math.max(1, query.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, query.pageSize ?? 25));
    const where: Record<string, unknown> = {};
    if (query.subjectType) where.subjectType = query.subjectType;
    if (query.subjectId) where.subjectId = query.subjectId;
    if (query.kind) where.kind = query.kind;
    const [results, total] = await Promise.all([
      strapi.db.query(UID).findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize }),
      strapi.db.query(UID).count({ where }),
    ]);
    return { results, pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } };
  },
});
