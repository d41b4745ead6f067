import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { acquireLease, extendLease, releaseLease, type LeaseColumns } from '../db/lease';
import { ACCOUNT_TYPES, TYPE_INFO } from '../inbound/account-types';
import { createSource } from '../inbound/create-source';
import { pluginConfig } from '../config/plugin-config';
import { sourceEnvironment } from '../inbound/environment';
import { AccountWatch, type FetchOutcome, type WatchState } from '../inbound/idle';
import { PLUGIN_ID } from '../plugin-id';
import { markedIncomplete } from '../transfer/stored-entries';
import type { InboundAccountRow } from '../inbound/account-row';
import { CONNECTION_FIELDS } from '../inbound/update-effects';
import { INBOUND_ACCOUNT_UID as ACCOUNT_UID } from '../shared/content-type-uids';

/** The lease on an inbound account that says which instance holds it in IDLE (the fetch has its own). */
export const IDLE_HOLD: LeaseColumns = { owner: 'idleOwner', until: 'idleUntil' };

const INSTANCE = randomUUID();
const IMAP_TYPES = ACCOUNT_TYPES.filter((type) => TYPE_INFO[type].protocol === 'imap');

/** What the watch's connection depends on: another value means another connection. */
const settingsOf = (row: InboundAccountRow) => JSON.stringify(CONNECTION_FIELDS.map((field) => (field === 'oauthToken' ? (row.oauthToken?.id ?? null) : (row[field] ?? null))));

export interface WatchInfo {
  accountId: number;
  state: WatchState;
  connections: number;
  drops: number;
  fetches: number;
}

/**
 * The IDLE supervisor: on instances that run jobs, holds an IMAP connection in IDLE for each
 * active IMAP account with `idle` on, at most `idleConnections` of them, each under an IDLE
 * hold (a lease kept alive by a heartbeat) so that no two instances watch one account and the
 * poll job leaves it alone. What it watches is brought in line with the accounts on every tick
 * of the PostMaster job and at once after an account is changed here. The fetch itself is the
 * PostMaster's (see AccountWatch); destroy closes every connection.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const watches = new Map<number, { watch: AccountWatch; settings: string }>();
  let closed = false;
  let reconciling: Promise<void> | undefined;
  let requested = false;

  const enabled = () => !closed && plugin().service('scheduler').enabled() && pluginConfig(strapi, 'idleConnections') > 0;

  /** Active IMAP accounts with IDLE on, oldest first, whoever holds them. */
  const wanted = async (): Promise<InboundAccountRow[]> => {
    const rows = (await strapi.db.query(ACCOUNT_UID).findMany({
      where: { active: true, type: { $in: IMAP_TYPES } },
      select: ['id', 'name', 'idle', 'idleUntil', 'lastError', 'maxMessagesPerPoll', ...CONNECTION_FIELDS.filter((f) => f !== 'oauthToken')],
      populate: { oauthToken: { select: ['id'] } },
      orderBy: { id: 'asc' },
    })) as InboundAccountRow[];
    return rows.filter((row) => row.idle !== false && !markedIncomplete(row));
  };

  const start = (row: InboundAccountRow) => {
    const owner = `${INSTANCE}:${randomUUID()}`;
    const leaseSeconds = pluginConfig(strapi, 'leaseSeconds');
    const limit = row.maxMessagesPerPoll ?? 500;
    const watch = new AccountWatch(row.id, {
      hold: () => acquireLease(strapi, ACCOUNT_UID, row.id, owner, leaseSeconds, undefined, IDLE_HOLD),
      extend: () => extendLease(strapi, ACCOUNT_UID, row.id, owner, leaseSeconds, IDLE_HOLD),
      release: () => releaseLease(strapi, ACCOUNT_UID, row.id, owner, {}, IDLE_HOLD),
      heartbeatMs: Math.max(1000, (leaseSeconds * 1000) / 3),
      async connect() {
        const current = (await plugin().service('inbound-accounts').find(row.id)) as InboundAccountRow;
        const { source } = createSource(current, sourceEnvironment(strapi));
        try {
          await source.connect();
        } catch (e) {
          await source.close();
          throw e;
        }
        return source;
      },
      async fetch(): Promise<FetchOutcome> {
        const report = await plugin().service('postmaster').fetch(row.id, { trigger: 'idle' });
        if (report.errors.some((e: { code: string }) => e.code === 'BUSY')) return 'busy';
        return report.fetched >= limit ? 'more' : 'done';
      },
      log: (message) => strapi.log.debug(`[mail-auth] ${row.name}: ${message}`),
    });
    watches.set(row.id, { watch, settings: settingsOf(row) });
    // ended on its own (another instance holds the account): the slot is free again
    void watch.ended.then(() => {
      if (watches.get(row.id)?.watch === watch) watches.delete(row.id);
    });
  };

  const stopWatch = async (id: number) => {
    const entry = watches.get(id);
    if (!entry) return;
    watches.delete(id);
    await entry.watch.stop();
  };

  const reconcileNow = async () => {
    const rows = enabled() ? await wanted() : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    // switched off, deactivated, deleted, or pointed elsewhere: that connection ends
    const ending = [...watches].filter(([id, entry]) => !byId.has(id) || settingsOf(byId.get(id)!) !== entry.settings).map(([id]) => id);
    await Promise.all(ending.map(stopWatch));
    if (!enabled()) return;
    const now = Date.now();
    const free = rows.filter((row) => !watches.has(row.id) && (!row.idleUntil || new Date(row.idleUntil).getTime() < now));
    // beyond the bound, accounts are polled; another instance with room may hold them
    for (const row of free.slice(0, Math.max(0, pluginConfig(strapi, 'idleConnections') - watches.size))) start(row);
  };

  return {
    /** Brings the watched accounts in line with the stored ones (the PostMaster job's tick, and after an account changed here). */
    reconcile(): Promise<void> {
      if (reconciling) {
        requested = true;
        return reconciling;
      }
      reconciling = (async () => {
        do {
          requested = false;
          try {
            await reconcileNow();
          } catch (e) {
            strapi.log.error(`[mail-auth] IDLE supervisor: ${(e as Error).message}`);
          }
        } while (requested && !closed);
      })().finally(() => (reconciling = undefined));
      return reconciling;
    },

    /** The accounts watched here, and how each is doing. */
    list(): WatchInfo[] {
      return [...watches.values()].map(({ watch }) => ({ accountId: watch.accountId, state: watch.state, ...watch.stats }));
    },

    /** Closes every IDLE connection and gives the holds back (the plugin's destroy). */
    async close(): Promise<void> {
      closed = true;
      await reconciling;
      await Promise.all([...watches.keys()].map(stopWatch));
    },
  };
};
