import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { acquireLease, acquireLeaseIf, keepLease, releaseLease } from '../db/lease';
import { MailAuthError } from '../errors';
import { classifyMailError } from '../inbound/classify';
import { createSource, failureContext } from '../inbound/create-source';
import { pluginConfig } from '../config/plugin-config';
import { sourceEnvironment } from '../inbound/environment';
import { INBOUND_ACCOUNT_UID as ACCOUNT_UID } from '../shared/content-type-uids';
import { pool } from '../inbound/pool';
import type { MailSource } from '../inbound/types';
import { PLUGIN_ID } from '../plugin-id';
import type { InboundAccountRow } from '../inbound/account-row';
import type { Actor } from '../shared/actor';
import { pendingConfiguration } from '../transfer/stored-entries';
import { dueAccounts, type DueAccount } from './due-accounts';
import type { MessageStore } from './message-store';
import { errorOf, type FetchReport } from './report';

const INSTANCE = randomUUID();

export interface PollOptions {
  actor?: Actor;
  trigger?: 'schedule' | 'manual' | 'idle';
  /** From a due list: poll only if the account's last poll is still at or before this. */
  dueBy?: Date;
}

export interface FetchLoop {
  /** One poll of an account under its lease; undefined when `dueBy` found it polled meanwhile. */
  poll(ref: number | string, options: PollOptions): Promise<FetchReport | undefined>;
  /** Polls every due account, a few at a time; one failing never stops the others. */
  runDue(): Promise<Record<string, FetchReport>>;
}

/**
 * The fetch loop: which accounts are due, one instance at a time per account (a lease on its
 * row, kept alive by a heartbeat), the source's session (connect, pending actions, new mail,
 * finish), and what a poll leaves on the account (last poll, last error, activity).
 */
export function createFetchLoop(strapi: Core.Strapi, store: MessageStore): FetchLoop {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const accounts = () => strapi.db.query(ACCOUNT_UID);

  const run = async (row: InboundAccountRow, report: FetchReport) => {
    let source: MailSource | undefined;
    try {
      const created = createSource(row, sourceEnvironment(strapi));
      source = created.source;
      const s = store.session(row, report);
      try {
        await source.connect();
        await source.openFolder();
        const pending = await store.pendingKeys(row.id);
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

  /** Whether the account's last poll is later than `dueBy` (a free lease was refused for that). */
  const polledSince = async (id: number, dueBy: Date) => {
    const current = (await accounts().findOne({ where: { id }, select: ['lastPollAt'] })) as { lastPollAt: string | null } | null;
    return Boolean(current?.lastPollAt && new Date(current.lastPollAt).getTime() > dueBy.getTime());
  };

  /** The account's lease; with `dueBy`, only while the account is still due (in the same UPDATE). */
  const lease = (id: number, owner: string, seconds: number, dueBy?: Date) =>
    dueBy
      ? acquireLeaseIf(strapi, ACCOUNT_UID, id, owner, seconds, (qb, rows) => {
          const last = rows.column('lastPollAt');
          return qb.andWhere((w) => w.whereNull(last).orWhere(last, '<=', dueBy));
        })
      : acquireLease(strapi, ACCOUNT_UID, id, owner, seconds);

  /** What a poll leaves on the account: its last poll and error, and the activity entries. */
  const recordOutcome = async (row: InboundAccountRow, report: FetchReport, failure: MailAuthError | undefined, options: PollOptions) => {
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
  };

  const poll = async (ref: number | string, options: PollOptions): Promise<FetchReport | undefined> => {
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
    if (!(await lease(row.id, owner, leaseSeconds, options.dueBy))) {
      if (options.dueBy && (await polledSince(row.id, options.dueBy))) return undefined;
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
      await recordOutcome(row, report, failure, options);
    } finally {
      await releaseLease(strapi, ACCOUNT_UID, row.id, owner);
    }
    return report;
  };

  return {
    poll,
    async runDue() {
      const due: DueAccount[] = await dueAccounts(strapi);
      const reports: Record<string, FetchReport> = {};
      await pool(due, pluginConfig(strapi, 'pollConcurrency'), async (account) => {
        try {
          // polled by another instance since the list was read: nothing to report
          const report = await poll(account.id, { trigger: 'schedule', dueBy: account.dueBy });
          if (report) reports[account.name] = report;
        } catch (e) {
          reports[account.name] = { fetched: 0, skipped: 0, errors: [{ code: (e as MailAuthError).code ?? 'error', message: (e as Error).message, advice: null }] };
          strapi.log.error(`[mail-auth] fetching ${account.name} failed: ${(e as Error).message}`);
        }
      });
      return reports;
    },
  };
}
