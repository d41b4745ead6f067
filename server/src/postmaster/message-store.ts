import type { Core } from '@strapi/strapi';

import { bulkInsert, type BulkInsert } from '../db/bulk-insert';
import { stateWriter } from '../db/state-writer';
import { MailAuthError } from '../errors';
import { pluginConfig } from '../config/plugin-config';
import { INBOUND_ACCOUNT_UID as ACCOUNT_UID, MESSAGE_UID, RECEIPT_UID } from '../shared/content-type-uids';
import type { ReceivedVia } from '../inbound/handler';
import { chunks, dedupeKey } from '../inbound/keys';
import { messageEntry } from '../inbound/message-entry';
import { actionAfterFetchOf } from '../inbound/account-types';
import { actionDoneData, recordActionNotApplied, recordedMessages } from '../inbound/pending-actions';
import type { ParserPool } from '../inbound/parser-pool';
import type { FetchSession, IncomingMail, SyncCursor } from '../inbound/types';
import { isUniqueViolation } from '../inbound/unique-violation';
import { PLUGIN_ID } from '../plugin-id';
import type { InboundAccountRow } from '../inbound/account-row';
import { prepareChunk, type Prepared } from './prepare';
import type { FetchReport } from './report';

const LOOKUP_CHUNK = 500;

/** The message store of one fetch run: what a source records through (see FetchSession). */
export interface MessageStore {
  /** The session a source drives for one run over this account. */
  session(row: InboundAccountRow, report: FetchReport): FetchSession;
  /** Keys recorded earlier whose action after fetch is still to be applied. */
  pendingKeys(accountId: number): Promise<string[]>;
}

/**
 * Records fetched messages exactly once: each chunk's `message` entries (or the configured
 * handler's writes) and its receipts in one transaction, before the source applies the action
 * after fetch; the receipts' unique key makes a second hand-on impossible. Also the bookkeeping
 * the source reports through the session: which keys are known, which actions are applied, and
 * where the source left off.
 */
export function createMessageStore(strapi: Core.Strapi, parser: () => ParserPool): MessageStore {
  const receipts = () => strapi.db.query(RECEIPT_UID);
  // made at the first fetch: the database's metadata is not there yet when services are made
  let writers: { messages: BulkInsert; receipts: BulkInsert } | undefined;
  const writer = () => (writers ??= { messages: bulkInsert(strapi, MESSAGE_UID), receipts: bulkInsert(strapi, RECEIPT_UID) });

  const via = (row: InboundAccountRow): ReceivedVia => ({
    id: row.id,
    name: row.name,
    type: row.type,
    queue: row.queue ?? null,
    trusted: row.trusted ?? false,
    scope: row.scope ?? 'organization',
    application: row.application ?? null,
  });

  const emitReceived = (row: InboundAccountRow, item: Prepared, entryId: number | null) => {
    strapi.eventHub.emit(`${PLUGIN_ID}.message.received`, {
      account: { id: row.id, name: row.name, queue: row.queue ?? null },
      message: {
        id: entryId,
        key: item.key,
        messageId: item.message.messageId,
        subject: item.message.subject,
        from: item.message.from,
        date: item.message.date,
        storedAs: entryId === null ? 'handler' : 'message',
      },
    });
  };

  /**
   * Hands on and records one message or a chunk, in one transaction: the `message` entries (or
   * the handler's writes) and the receipts commit together or not at all. Returns the entry ids.
   * `bornDone`: the receipts are written with their action done (keep), and their keys added
   * to it once committed.
   */
  const storeTogether = async (row: InboundAccountRow, items: Prepared[], bornDone?: Set<string>): Promise<(number | null)[]> => {
    const handler = pluginConfig(strapi, 'handler');
    const stored = await strapi.db.transaction(async () => {
      let ids: (number | null)[] = items.map(() => null);
      if (handler) {
        for (const item of items) {
          try {
            await handler({ account: via(row), key: item.key, message: item.message, raw: item.raw!, strapi });
          } catch (e) {
            throw new MailAuthError('HAND_ON_FAILED', `The configured handler failed on message ${item.message.messageId ?? item.key}: ${(e as Error).message}`, {
              advice: 'The message stays on the server and is handed to the handler again at the next poll. Fix the handler (see the Strapi log).',
              cause: e,
            });
          }
        }
      } else {
        // One multi-row INSERT per chunk, the ids read back with it (see db/bulk-insert.ts).
        const written = await writer().messages.insert(items.map((item) => messageEntry(item.message, row, item.key)));
        ids = written.map((w) => w.id);
      }
      // The receipts' unique key is what makes a second hand-on impossible: a duplicate rolls all of this back.
      await writer().receipts.insert(
        items.map((item, i) => ({
          dedupeKey: dedupeKey(row.id, item.key),
          accountId: row.id,
          sourceKey: item.key,
          actionDone: Boolean(bornDone),
          messageEntryId: ids[i],
          handledBy: handler ? 'handler' : 'store',
        }))
      );
      return ids;
    });
    for (const item of items) bornDone?.add(item.key);
    return stored;
  };

  /**
   * Records a chunk: all in one transaction when nothing is in the way, otherwise one by one
   * (a duplicate is skipped, a failing handler stops the chunk after the ones before it).
   */
  const recordChunk = async (row: InboundAccountRow, items: Prepared[], report: FetchReport, bornDone?: Set<string>): Promise<string[]> => {
    if (!items.length) return [];
    const batch = items.length > 1 && !pluginConfig(strapi, 'handler');
    if (batch) {
      try {
        const ids = await storeTogether(row, items, bornDone);
        items.forEach((item, i) => emitReceived(row, item, ids[i]));
        report.fetched += items.length;
        return items.map((i) => i.key);
      } catch (e) {
        if (!isUniqueViolation(e)) strapi.log.debug(`[mail-auth] ${row.name}: recording a chunk failed, recording one by one: ${(e as Error).message}`);
      }
    }
    const recorded: string[] = [];
    for (const item of items) {
      try {
        const [id] = await storeTogether(row, [item], bornDone);
        emitReceived(row, item, id);
        report.fetched += 1;
      } catch (e) {
        if (!isUniqueViolation(e)) {
          // Stop here: the ones before are recorded (their action follows in the next run).
          if (e instanceof MailAuthError) throw e;
          throw new MailAuthError('HAND_ON_FAILED', `Storing message ${item.message.messageId ?? item.key} failed: ${(e as Error).message}`, {
            advice: 'The message stays on the server and is tried again at the next poll. See the Strapi log for the database error.',
            cause: e,
          });
        }
        report.skipped += 1; // handed on already (by another run that got there first)
      }
      recorded.push(item.key);
    }
    return recorded;
  };

  return {
    session: (row, report) => {
      // Keep: no action follows the fetch, so a receipt is written with its action done, and the
      // UPDATE that would mark it (a row version and its index entries a message) is not needed.
      // Receipts left pending by an earlier run (before the action was changed to keep) are
      // still marked when the source reports them.
      const bornDone = actionAfterFetchOf(row) === 'keep' ? new Set<string>() : undefined;
      return {
        limit: row.maxMessagesPerPoll ?? 500,
        cursor: { imapUidValidity: row.imapUidValidity ?? null, imapLastUid: row.imapLastUid == null ? null : Number(row.imapLastUid), syncCursor: row.syncCursor ?? null },

        async known(keys) {
          const found = new Map<string, { actionDone: boolean; removed: boolean }>();
          for (const part of chunks(keys, LOOKUP_CHUNK)) {
            const byDedupe = new Map(part.map((k) => [dedupeKey(row.id, k), k]));
            const rows = (await receipts().findMany({ where: { dedupeKey: { $in: [...byDedupe.keys()] } }, select: ['dedupeKey', 'actionDone', 'actionOutcome'] })) as {
              dedupeKey: string;
              actionDone: boolean;
              actionOutcome: string | null;
            }[];
            for (const r of rows) found.set(byDedupe.get(r.dedupeKey)!, { actionDone: Boolean(r.actionDone), removed: r.actionOutcome === 'removed' });
          }
          report.skipped += found.size;
          return found;
        },

        async record(mails: AsyncIterable<IncomingMail>) {
          const items = await prepareChunk(mails, parser, Boolean(pluginConfig(strapi, 'handler')));
          return recordChunk(row, items, report, bornDone);
        },

        async actionApplied(applied) {
          const keys = bornDone ? applied.filter((key) => !bornDone.delete(key)) : applied;
          for (const part of chunks(keys, LOOKUP_CHUNK)) {
            await receipts().updateMany({ where: { dedupeKey: { $in: part.map((k) => dedupeKey(row.id, k)) } }, data: actionDoneData(row) });
          }
        },

        recordedMessages: (keys) => recordedMessages(strapi, row.id, keys),

        actionNotApplied: (keys, outcome) => recordActionNotApplied(strapi, row, keys, outcome),

        // Once a chunk: one UPDATE through the state writer, where the query layer would read the
        // row before and after it.
        async saveCursor(cursor: SyncCursor) {
          await stateWriter(strapi, ACCOUNT_UID).update((qb) => qb.where('id', row.id), { ...cursor, updatedAt: new Date() });
        },
      };
    },

    pendingKeys: async (accountId) =>
      ((await receipts().findMany({ where: { accountId, actionDone: false }, select: ['sourceKey'], limit: 10_000 })) as { sourceKey: string }[]).map((r) => r.sourceKey),
  };
}
