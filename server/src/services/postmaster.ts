import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { documentIds } from '../db/document-id';
import { acquireLease, keepLease, releaseLease } from '../db/lease';
import { MailAuthError } from '../errors';
import { classifyMailError } from '../inbound/classify';
import { createSource, failureContext } from '../inbound/create-source';
import { ACCOUNT_UID, MESSAGE_UID, RECEIPT_UID, pluginConfig, sourceEnvironment } from '../inbound/environment';
import type { ReceivedVia } from '../inbound/handler';
import { chunks, dedupeKey } from '../inbound/keys';
import { messageEntry } from '../inbound/message-entry';
import { parseMessage, type ParsedMessage } from '../inbound/parse';
import { actionDoneData, recordActionNotApplied, recordedMessages } from '../inbound/pending-actions';
import { ParserPool } from '../inbound/parser-pool';
import { pool } from '../inbound/pool';
import type { FetchSession, IncomingMail, MailSource, SyncCursor } from '../inbound/types';
import { isUniqueViolation } from '../inbound/unique-violation';
import { PLUGIN_ID } from '../plugin-id';
import { markedIncomplete, pendingConfiguration } from '../transfer/stored-entries';
import type { InboundAccountRow } from './inbound-accounts';
import type { Actor } from './tokens';

const INSTANCE = randomUUID();
const LOOKUP_CHUNK = 500;
/** How often an account held in IDLE is polled all the same (seconds), unless its poll interval is longer. */
export const IDLE_SAFETY_POLL_SECONDS = 900;

export interface FetchError {
  code: string;
  /** The server's or provider's own code, when it gave one (invalid_grant, ErrorAccessDenied …). */
  providerCode?: string;
  message: string;
  advice: string | null;
}

export interface FetchReport {
  /** Messages handed on in this run. */
  fetched: number;
  /** Messages seen again that had been handed on before. */
  skipped: number;
  errors: FetchError[];
}

interface Prepared {
  key: string;
  message: ParsedMessage;
  raw?: Buffer;
}

const errorOf = (e: MailAuthError): FetchError => ({
  code: e.code,
  ...(e.providerCode ? { providerCode: e.providerCode } : {}),
  message: e.message,
  advice: e.advice ?? null,
});

/**
 * The PostMaster: polls inbound accounts and hands each new message on exactly once. A
 * message is recorded (receipt + message entry, or the configured handler's writes) in one
 * transaction before its action is applied on the server; receipts are unique per account and
 * message key, so a crash or a dropped connection anywhere loses nothing and repeats nothing.
 * One instance at a time fetches an account (a lease on its row).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const accounts = () => strapi.db.query(ACCOUNT_UID);
  const receipts = () => strapi.db.query(RECEIPT_UID);
  let parserPool: ParserPool | undefined;
  const parser = () => (parserPool ??= new ParserPool(pluginConfig(strapi, 'parseWorkers')));

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
   */
  const storeTogether = async (row: InboundAccountRow, items: Prepared[]): Promise<(number | null)[]> => {
    const handler = pluginConfig(strapi, 'handler');
    return strapi.db.transaction(async () => {
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
        // One INSERT per chunk. The ids come back in no promised order (RETURNING on SQLite and
        // PostgreSQL; MySQL reports only the first): they are matched to the messages by key.
        const entries = items.map((item) => messageEntry(item.message, row, item.key));
        const documentId = documentIds(entries.length);
        entries.forEach((entry, i) => (entry.documentId = documentId[i]));
        const created = (await strapi.db.query(MESSAGE_UID).createMany({ data: entries })) as { ids?: unknown[] };
        const returned = (created.ids ?? []).map(Number).filter((id) => Number.isInteger(id) && id > 0);
        const rows = (await strapi.db.query(MESSAGE_UID).findMany({
          // by primary key where the database told all ids; by account and key otherwise
          where: returned.length === items.length ? { id: { $in: returned } } : { accountId: row.id, sourceKey: { $in: items.map((i) => i.key) } },
          select: ['id', 'sourceKey'],
        })) as { id: number; sourceKey: string }[];
        const byKey = new Map<string, number>();
        for (const r of rows) byKey.set(r.sourceKey, Math.max(r.id, byKey.get(r.sourceKey) ?? 0));
        ids = items.map((item) => byKey.get(item.key) ?? null);
      }
      const receiptIds = documentIds(items.length);
      // The receipts' unique key is what makes a second hand-on impossible: a duplicate rolls all of this back.
      await receipts().createMany({
        data: items.map((item, i) => ({
          documentId: receiptIds[i],
          dedupeKey: dedupeKey(row.id, item.key),
          accountId: row.id,
          sourceKey: item.key,
          actionDone: false,
          messageEntryId: ids[i],
          handledBy: handler ? 'handler' : 'store',
        })),
      });
      return ids;
    });
  };

  /**
   * Records a chunk: all in one transaction when nothing is in the way, otherwise one by one
   * (a duplicate is skipped, a failing handler stops the chunk after the ones before it).
   */
  const recordChunk = async (row: InboundAccountRow, items: Prepared[], report: FetchReport): Promise<string[]> => {
    if (!items.length) return [];
    const batch = items.length > 1 && !pluginConfig(strapi, 'handler');
    if (batch) {
      try {
        const ids = await storeTogether(row, items);
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
        const [id] = await storeTogether(row, [item]);
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

  const session = (row: InboundAccountRow, report: FetchReport): FetchSession => ({
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
      const keepRaw = Boolean(pluginConfig(strapi, 'handler'));
      // Each source goes to the parser pool as it arrives (a few at once in this thread, or worker
      // threads), so that parsing runs while the FETCH streams; the chunk is recorded once all of
      // it is parsed.
      const parsing: Promise<Prepared>[] = [];
      try {
        for await (const mail of mails) {
          const { key, content } = mail;
          const prepared: Promise<Prepared> = Buffer.isBuffer(content)
            ? parser()
                .parse(content)
                .then((message) => ({ key, message, raw: keepRaw ? content : undefined }))
            : parseMessage(content, { keepRaw }).then(({ message, raw }) => ({ key, message, raw }));
          prepared.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
          parsing.push(prepared);
          // A streamed source is read to its end before the next one can come.
          if (!Buffer.isBuffer(content)) await prepared;
        }
      } catch (e) {
        await Promise.allSettled(parsing);
        throw e;
      }
      return recordChunk(row, await Promise.all(parsing), report);
    },

    async actionApplied(keys) {
      for (const part of chunks(keys, LOOKUP_CHUNK)) {
        await receipts().updateMany({ where: { dedupeKey: { $in: part.map((k) => dedupeKey(row.id, k)) } }, data: actionDoneData(row) });
      }
    },

    recordedMessages: (keys) => recordedMessages(strapi, row.id, keys),

    actionNotApplied: (keys, outcome) => recordActionNotApplied(strapi, row, keys, outcome),

    async saveCursor(cursor: SyncCursor) {
      await accounts().update({ where: { id: row.id }, data: { ...cursor } });
    },
  });

  /** Keys recorded earlier whose action after fetch is still to be applied. */
  const pendingKeys = async (accountId: number): Promise<string[]> =>
    ((await receipts().findMany({ where: { accountId, actionDone: false }, select: ['sourceKey'], limit: 10_000 })) as { sourceKey: string }[]).map((r) => r.sourceKey);

  const run = async (row: InboundAccountRow, report: FetchReport) => {
    let source: MailSource | undefined;
    try {
      const created = createSource(row, sourceEnvironment(strapi));
      source = created.source;
      const s = session(row, report);
      try {
        await source.connect();
        await source.openFolder();
        const pending = await pendingKeys(row.id);
        if (pending.length) await s.actionApplied(await source.applyAction(pending, s));
        await source.fetchNew(s);
        await s.actionApplied(await source.finish());
      } catch (e) {
        throw classifyMailError(e, created.context);
      }
    } finally {
      await source?.close();
    }
  };

  return {
    /** Ends the parse workers (the plugin's destroy). */
    async close(): Promise<void> {
      await parserPool?.close();
      parserPool = undefined;
    },

    /**
     * Fetches an account now (by id or name): what the scheduled job does per account, and
     * `POST /inbound-accounts/:id/fetch`. Never throws for the account's own failures: they
     * are in the report and stored as the account's last error.
     */
    async fetch(ref: number | string, options: { actor?: Actor; trigger?: 'schedule' | 'manual' | 'idle' } = {}): Promise<FetchReport> {
      const row = (await plugin().service('inbound-accounts').find(ref)) as InboundAccountRow;
      const report: FetchReport = { fetched: 0, skipped: 0, errors: [] };
      const incomplete = pendingConfiguration(row, 'inbound account');
      if (incomplete) {
        // Not tried with what is missing (a login without its password): the import's mark stays as it is.
        report.errors.push(errorOf(incomplete));
        return report;
      }
      const leaseSeconds = pluginConfig(strapi, 'leaseSeconds');
      const owner = `${INSTANCE}:${randomUUID()}`;
      if (!(await acquireLease(strapi, ACCOUNT_UID, row.id, owner, leaseSeconds))) {
        report.errors.push({ code: 'BUSY', message: `Account "${row.name}" is being fetched right now (by this or another instance)`, advice: 'Wait for that fetch to end.' });
        return report;
      }
      // Long fetches keep the lease alive; a dead instance's lease simply runs out.
      const heartbeat = keepLease(strapi, ACCOUNT_UID, row.id, owner, leaseSeconds);
      let failure: MailAuthError | undefined;
      try {
        await run(row, report);
      } catch (e) {
        failure = e instanceof MailAuthError ? e : classifyMailError(e, failureContext(row, sourceEnvironment(strapi)));
        report.errors.push(errorOf(failure));
      } finally {
        heartbeat.stop();
      }
      try {
        const now = new Date();
        await accounts().update({
          where: { id: row.id },
          data: {
            lastPollAt: now,
            lastPollResult: { fetched: report.fetched, skipped: report.skipped, errors: report.errors.length },
            lastError: failure ? { ...errorOf(failure), at: now.toISOString() } : null,
          },
        });
        const actor = options.actor?.email ?? (options.trigger === 'manual' ? 'admin' : 'system');
        if (report.fetched > 0) {
          await plugin().service('activity').record({
            kind: 'inbound.fetched',
            subjectType: 'inbound-account',
            subjectId: row.id,
            subjectName: row.name,
            outcome: 'success',
            actor,
            message: `Fetched ${report.fetched} message(s)`,
            details: { fetched: report.fetched, skipped: report.skipped },
          });
        }
        // A failure is logged when it begins or changes, not at every poll while it lasts.
        if (failure && (options.trigger === 'manual' || row.lastError?.code !== errorOf(failure).code)) {
          await plugin().service('activity').record({
            kind: 'inbound.fetch-failed',
            subjectType: 'inbound-account',
            subjectId: row.id,
            subjectName: row.name,
            outcome: 'failure',
            actor,
            code: errorOf(failure).code,
            message: failure.message,
          });
        }
      } finally {
        await releaseLease(strapi, ACCOUNT_UID, row.id, owner);
      }
      return report;
    },

    /**
     * The active accounts whose poll interval has passed since their last poll. An account held
     * in IDLE (by any instance) is fetched as its mail arrives: it is polled only at the safety
     * interval, in case its server stopped telling.
     */
    async dueAccounts(now = new Date()): Promise<{ id: number; name: string }[]> {
      const rows = (await accounts().findMany({
        where: { active: true },
        select: ['id', 'name', 'lastPollAt', 'pollInterval', 'lastError', 'idleUntil'],
        orderBy: { lastPollAt: 'asc' },
      })) as {
        id: number;
        name: string;
        lastPollAt: string | null;
        pollInterval: number | null;
        lastError: { code?: string } | null;
        idleUntil: string | null;
      }[];
      const interval = (r: (typeof rows)[number]) => {
        const seconds = r.pollInterval ?? 300;
        return r.idleUntil && new Date(r.idleUntil).getTime() > now.getTime() ? Math.max(seconds, IDLE_SAFETY_POLL_SECONDS) : seconds;
      };
      return rows
        .filter((r) => !markedIncomplete(r))
        .filter((r) => !r.lastPollAt || new Date(r.lastPollAt).getTime() + interval(r) * 1000 <= now.getTime())
        .map(({ id, name }) => ({ id, name }));
    },

    /** The scheduled job: fetches every due account, a few at a time; one failing never stops the others. */
    async runDue(): Promise<Record<string, FetchReport>> {
      const due = await this.dueAccounts();
      const reports: Record<string, FetchReport> = {};
      await pool(due, pluginConfig(strapi, 'pollConcurrency'), async ({ id, name }) => {
        try {
          reports[name] = await this.fetch(id, { trigger: 'schedule' });
        } catch (e) {
          reports[name] = { fetched: 0, skipped: 0, errors: [{ code: (e as MailAuthError).code ?? 'error', message: (e as Error).message, advice: null }] };
          strapi.log.error(`[mail-auth] fetching ${name} failed: ${(e as Error).message}`);
        }
      });
      return reports;
    },
  };
};
