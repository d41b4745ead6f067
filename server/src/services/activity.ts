import type { Core } from '@strapi/strapi';

import { ActivityBatch } from '../activity/batch';
import type { ActivityEntry } from '../activity/entry';
import { pluginConfig } from '../config/plugin-config';
import { documentIds } from '../db/document-id';
import { findPage, type PageQuery } from '../db/page';
import { ACTIVITY_UID } from '../shared/content-type-uids';

export interface ActivityQuery extends PageQuery {
  subjectType?: string;
  subjectId?: number;
  kind?: string;
}

/** The activity log: who authorised, refreshed, tested, imported what, and what failed. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const later = new ActivityBatch((entries) => service.recordMany(entries));

  const service = {
    record(entry: ActivityEntry): Promise<void> {
      return service.recordMany([entry]);
    },

    /** Several entries in one statement (one commit): for callers that log at a high rate. */
    async recordMany(entries: ActivityEntry[]): Promise<void> {
      if (!entries.length) return;
      const ids = documentIds(entries.length);
      try {
        // createMany: one INSERT, without reading the rows back.
        await strapi.db.query(ACTIVITY_UID).createMany({
          // Our own documentIds: Strapi's cost a SHA-3 in JavaScript each, and sends and refreshes come by the thousand.
          data: entries.map((entry, i) => ({ documentId: ids[i], outcome: 'info', ...entry })),
        });
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
