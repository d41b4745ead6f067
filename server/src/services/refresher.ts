import type { Core } from '@strapi/strapi';
import pLimit from 'p-limit';

import type { MailAuthError } from '../errors';
import { pluginConfig } from '../config/plugin-config';
import { PLUGIN_ID } from '../plugin-id';
import { TOKEN_UID } from '../shared/content-type-uids';
import type { LeasedToken } from '../tokens/lease';

export interface RefreshReport {
  due: number;
  refreshed: string[];
  failed: { name: string; code: string }[];
  /** Due, but leased by another instance, which renews them. */
  elsewhere: string[];
}

/**
 * How many tokens one lease UPDATE (and one SELECT) takes, in multiples of refreshConcurrency: a
 * token then waits in the queue for about this many of its provider's answer times, a small part
 * of its lease, and a run of 1,000 tokens costs some 60 statements for its leases instead of 2,000.
 */
const LEASE_BATCH = 4;

/**
 * The scheduled refresh: renews every active token whose access token expires within the
 * margin (client-credentials tokens are simply acquired again), honouring each token's
 * backoff, and leaves tokens that need a person (re-authorization) alone.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const setting = (key: 'refreshMargin' | 'refreshConcurrency') => pluginConfig(strapi, key);
  // Set by stop(): a run in progress renews what it started and takes nothing more.
  let stopping = false;
  const runs = new Set<Promise<unknown>>();

  return {
    /**
     * Ends the job for the plugin's destroy: no run takes another token, leases taken for tokens
     * not started yet are given back (another instance can renew those at once), and the
     * renewals in flight — the job's and callers' — are awaited for at most `ms`, so that their
     * answers, rotated refresh tokens among them, are stored before the process exits. True when
     * everything ended in time.
     */
    async stop(ms: number): Promise<boolean> {
      stopping = true;
      const deadline = Date.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const runsEnded = await Promise.race([
        Promise.allSettled([...runs]).then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
      ]);
      clearTimeout(timer);
      const renewalsEnded = await strapi.plugin(PLUGIN_ID).service('tokens').drain(Math.max(0, deadline - Date.now()));
      return runsEnded && renewalsEnded;
    },

    /** The ids of the tokens the job should renew now. */
    async dueTokens(now = new Date()): Promise<{ id: number; name: string }[]> {
      const horizon = new Date(now.getTime() + setting('refreshMargin') * 1000);
      return (await strapi.db.query(TOKEN_UID).findMany({
        select: ['id', 'name'],
        where: {
          active: true,
          $and: [
            { $or: [{ nextAttemptAt: { $null: true } }, { nextAttemptAt: { $lte: now } }] },
            {
              $or: [
                // authorized tokens about to expire (or without a known expiry)
                {
                  status: { $in: ['valid', 'error'] },
                  refreshToken: { $notNull: true },
                  $or: [{ accessTokenExpiresAt: { $null: true } }, { accessTokenExpiresAt: { $lt: horizon } }],
                },
                // app-only tokens: acquired again, even the first time
                {
                  grantType: 'client_credentials',
                  status: { $in: ['valid', 'error', 'not-authorized'] },
                  $or: [{ accessTokenExpiresAt: { $null: true } }, { accessTokenExpiresAt: { $lt: horizon } }],
                },
              ],
            },
          ],
        },
        orderBy: { accessTokenExpiresAt: 'asc' },
      })) as { id: number; name: string }[];
    },

    async run(): Promise<RefreshReport> {
      const run = this.runOnce();
      runs.add(run);
      void run.catch(() => undefined).finally(() => runs.delete(run));
      return run;
    },

    async runOnce(): Promise<RefreshReport> {
      if (stopping) return { due: 0, refreshed: [], failed: [], elsewhere: [] };
      const due = await this.dueTokens();
      const tokens = strapi.plugin(PLUGIN_ID).service('tokens');
      const report: RefreshReport = { due: due.length, refreshed: [], failed: [], elsewhere: [] };
      const limit = setting('refreshConcurrency');
      const names = new Map(due.map((t) => [t.id, t.name]));

      // Leases are taken LEASE_BATCH × refreshConcurrency at a time (one UPDATE and one SELECT for each
      // batch, not for each token), so that a token waits in the queue for little of its lease;
      // the next batch is leased while the workers renew the last of this one, so that none waits.
      const ids = due.map((t) => t.id);
      const queue: LeasedToken[] = [];
      let next = 0;
      let refilling: Promise<void> | undefined;
      // A batch that could not be leased (the database failing) ends the run with that error,
      // once the tokens already leased are renewed (their leases would otherwise stay taken).
      let failure: unknown;
      const refill = () =>
        (refilling ??= (async () => {
          const batch = ids.slice(next, (next += limit * LEASE_BATCH));
          const leased: LeasedToken[] = await tokens.leaseForRenewal(batch);
          const got = new Set(leased.map((l) => l.row.id));
          report.elsewhere.push(...batch.filter((id) => !got.has(id)).map((id) => names.get(id)!));
          queue.push(...leased);
        })()
          .catch((e) => void (failure ??= e))
          .finally(() => (refilling = undefined)));
      const take = async (): Promise<LeasedToken | undefined> => {
        if (stopping) {
          // Leases of tokens not started go back now rather than run out in leaseSeconds.
          await Promise.all(queue.splice(0).map((item) => tokens.releaseLeased(item).catch(() => undefined)));
          return undefined;
        }
        while (!queue.length && !failure && (next < ids.length || refilling)) await refill();
        const item = queue.shift();
        if (item && stopping) {
          // Stopped while this batch was being leased.
          queue.unshift(item);
          return take();
        }
        if (item && !failure && queue.length < limit && next < ids.length) void refill();
        return item;
      };

      // `refreshConcurrency` requests out at the providers at a time, as a plain loop would keep,
      // and twice as many tokens in hand: while some store their results (a database round trip
      // each, grouped with the others ready then), the providers are still asked for the next.
      const requests = pLimit(limit);
      await Promise.all(
        Array.from({ length: Math.min(limit * 2, ids.length) }, async () => {
          for (let item = await take(); item; item = await take()) {
            const name = item.row.name;
            try {
              const outcome = await tokens.renewLeased(item, requests);
              if (outcome === 'elsewhere') report.elsewhere.push(name);
              else report.refreshed.push(name);
            } catch (e) {
              report.failed.push({ name, code: (e as MailAuthError).providerCode ?? (e as MailAuthError).code ?? 'error' });
            }
          }
        })
      );
      await strapi.plugin(PLUGIN_ID).service('notifications').sweep();
      await strapi.plugin(PLUGIN_ID).service('activity').flush();
      if (failure) throw failure;
      return report;
    },
  };
};
