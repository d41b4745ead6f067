import type { Core } from '@strapi/strapi';

import { ActivityBatch } from '../activity/batch';
import type { ActivityEntry } from '../activity/entry';
import { pluginConfig } from '../config/plugin-config';
import { bulkInsert, type BulkInsert } from '../db/bulk-insert';
import { findPage, type PageQuery } from '../db/page';
import { ACTIVITY_UID } from '../shared/content-type-uids';

export interface ActivityQuery extends PageQuery {
  subjectType?: string;
  subjectId?: number;
  kind?: string;
}

/** An entry as a row: every attribute present (the rows of one INSERT share their columns), `info` unless said. */
const activityRow = (entry: ActivityEntry): Record<string, unknown> => ({
  kind: entry.kind,
  subjectType: entry.subjectType ?? null,
  subjectId: entry.subjectId ?? null,
  subjectName: entry.subjectName ?? null,
  outcome: entry.outcome ?? 'info',
  message: entry.message ?? null,
  code: entry.code ?? null,
  actor: entry.actor ?? null,
  details: entry.details ?? null,
  ...(entry.createdAt ? { createdAt: entry.createdAt, updatedAt: entry.createdAt } : {}),
});

/** The activity log: who authorised, refreshed, tested, imported what, and what failed. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const later = new ActivityBatch((entries) => service.recordMany(entries));
  let rows: BulkInsert | undefined;

  const service = {
    record(entry: ActivityEntry): Promise<void> {
      return service.recordMany([entry]);
    },

    /** Several entries in one statement (one commit): for callers that log at a high rate. */
    async recordMany(entries: ActivityEntry[]): Promise<void> {
      if (!entries.length) return;
      try {
        // One INSERT straight through knex (db/bulk-insert.ts), not createMany: that wraps its
        // INSERT in a transaction of its own (BEGIN and COMMIT, two more round trips) and
        // processes every row and field; a refresh job writes an entry for each token.
        await (rows ??= bulkInsert(strapi, ACTIVITY_UID)).insertOnly(entries.map(activityRow));
      } catch (e) {
        // The log must never break what it records.
        const what = entries.length === 1 ? `activity ${entries[0].kind}` : `${entries.length} activities`;
        strapi.log.warn(`[mail-auth] could not record ${what}: ${(e as Error).message}`);
      }
    },

    /**
     * For entries written at a high rate (sends, scheduled refreshes): written in batches, at
     * most a second later; `flush()` writes them now. Readers of the log see them (list flushes).
     */
    recordLater(entry: ActivityEntry): void {
      later.add(entry);
    },

    /** Writes the entries waiting from recordLater. */
    flush: (): Promise<void> => later.flush(),

    /** Deletes the entries older than `activityRetentionDays` (none when it is 0); returns how many went. */
    async prune(now = new Date()): Promise<number> {
      const days = pluginConfig(strapi, 'activityRetentionDays') ?? 0;
      if (!days) return 0;
      await later.flush();
      const { count } = await strapi.db.query(ACTIVITY_UID).deleteMany({ where: { createdAt: { $lt: new Date(now.getTime() - days * 86_400_000) } } });
      if (count) strapi.log.info(`[mail-auth] activity log: ${count} entries older than ${days} days deleted`);
      return count;
    },

    async list(query: ActivityQuery = {}) {
      await later.flush();
      const where: Record<string, unknown> = {};
      if (query.subjectType) where.subjectType = query.subjectType;
      if (query.subjectId) where.subjectId = query.subjectId;
      if (query.kind) where.kind = query.kind;
      return findPage(strapi.db.query(ACTIVITY_UID), query, { where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }, (row: unknown) => row);
    },
  };

  return service;
};
