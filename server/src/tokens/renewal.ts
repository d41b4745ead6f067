import { acquireLease, extendLease, keepLease, leaseRows, releaseLease, type LeaseCondition } from '../db/lease';
import { MailAuthError } from '../errors';
import type { OAuthSettings, TokenSet } from '../oauth/settings';
import type { TokenChecks } from './checks';
import type { TokenContext } from './context';
import { interruptedSend, newLeaseOwner, ownMarkCleared, sentMark, type Lease, type LeasedToken } from './lease';
import { isUsable, NEEDS_AUTHORIZATION, time, type TokenRow } from './row';
import type { TokenResults } from './results';
import type { TokenStore } from './store';

export interface RenewOptions {
  /** Renews even a token that is still valid (Refresh now). */
  force: boolean;
  /** When the caller asked (ms): a renewal stored since then is the one it wanted. */
  askedAt: number;
  /** Who asked, as the activity log names them. */
  actor: string;
}

/** Runs a request to the provider when the caller's limit allows it (p-limit's limiter). */
export type RequestLimit = <T>(request: () => Promise<T>) => Promise<T>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `promise` settles within `ms` (leaves no timer behind). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Still due when the job's lease is taken: not renewed (nor backed off) since the job read its
 * list. Another instance reads the same list; without this its batch UPDATE would lease the
 * tokens this one has just renewed, read them, find them current and release them one by one.
 */
const stillDue =
  (marginSeconds: number): LeaseCondition =>
  (qb, rows) => {
    const now = new Date();
    const expires = rows.column('accessTokenExpiresAt');
    const next = rows.column('nextAttemptAt');
    return qb
      .andWhere((q) => q.whereNull(expires).orWhere(expires, '<', new Date(now.getTime() + marginSeconds * 1000)))
      .andWhere((q) => q.whereNull(next).orWhere(next, '<=', now));
  };

/** The failure another caller (or instance) just recorded, as the error this caller gets too. */
const lastFailure = (row: TokenRow) =>
  new MailAuthError(NEEDS_AUTHORIZATION.includes(row.status) ? 'REAUTHORIZATION_REQUIRED' : 'PROVIDER_ERROR', row.lastError?.message ?? 'Renewal failed', {
    advice: row.lastError?.advice ?? undefined,
    providerCode: row.lastError?.code,
  });

/**
 * Renewing access tokens: under the token's database lease (one instance of a cluster renews
 * it), with a heartbeat while the request is out, one renewal per token in this process that
 * concurrent callers share, and the result stored by the write that releases the lease.
 */
export function tokenRenewal(
  ctx: TokenContext,
  store: TokenStore,
  checks: TokenChecks,
  settingsOf: (row: TokenRow) => OAuthSettings,
  results: TokenResults
) {
  const { strapi, uid, config, secrets, oauth } = ctx;
  /** The renewal of each token that callers in this process share. */
  const inflight = new Map<number, Promise<TokenRow>>();
  /** Renewals in flight in this process: destroy waits for them (drain). */
  const running = new Set<Promise<unknown>>();

  /**
   * Performs the grant that renews the access token: refresh, or client credentials again.
   * While the request is out, a heartbeat keeps the lease, so that no other instance refreshes
   * with the same refresh token however slow the provider is.
   */
  const renew = (row: TokenRow, actor: string, lease?: Lease, requests?: RequestLimit): Promise<TokenRow> => {
    const run = renewOnce(row, actor, lease, requests);
    running.add(run);
    void run.catch(() => undefined).finally(() => running.delete(run));
    return run;
  };

  const renewOnce = async (row: TokenRow, actor: string, lease?: Lease, requests?: RequestLimit): Promise<TokenRow> => {
    const interruptedAt = interruptedSend(row, lease);
    const ask: RequestLimit = requests ?? ((request) => request());
    const heartbeat = lease?.held ? keepLease(strapi, uid, row.id, lease.owner, config('leaseSeconds')) : undefined;
    try {
      let set: TokenSet;
      let sent: string | undefined;
      try {
        if (row.grantType === 'client_credentials') {
          const settings = settingsOf(row);
          set = await ask(() => oauth().clientCredentials(settings));
        } else {
          const refreshToken = secrets().open(row.refreshToken, 'oauth-token.refreshToken', row.documentId);
          if (!refreshToken) {
            throw new MailAuthError(
              row.status === 'not-authorized' ? 'NOT_AUTHORIZED' : 'REAUTHORIZATION_REQUIRED',
              `Token "${row.name}" has no refresh token`,
              { advice: 'Click Generate tokens to sign in at the provider.' }
            );
          }
          sent = refreshToken;
          const settings = settingsOf(row);
          set = await ask(() => oauth().refresh(settings, refreshToken, row.grantedScope ?? undefined));
        }
      } finally {
        heartbeat?.stop();
      }
      return await results.storeTokenSet(row, set, 'refreshed', actor, lease, sent);
    } catch (e) {
      const error = e instanceof MailAuthError ? e : new MailAuthError('PROVIDER_ERROR', (e as Error).message, { cause: e });
      // Nothing was asked of the provider: not a failed renewal to record.
      if (error.code === 'NOT_AUTHORIZED' || error.code === 'CONFIGURATION_REQUIRED') throw error;
      const outcome = await results.recordFailure(row, error, 'token.refresh-failed', actor, { lease, startedFrom: true, interruptedAt });
      // Another renewal stored a newer state meanwhile: a usable token is what the caller wanted.
      if ('stale' in outcome && outcome.stale.status === 'valid' && isUsable(outcome.stale, 0)) return outcome.stale;
      throw error;
    }
  };

  /**
   * Renews under the token's database lease, so that one instance of a cluster does it.
   * Whoever waits re-reads the row: the holder's new token is then used, not renewed again.
   */
  const renewUnderLease = async (id: number, options: RenewOptions): Promise<TokenRow> => {
    const margin = config('refreshMargin');
    const leaseSeconds = config('leaseSeconds');
    const deadline = Date.now() + (leaseSeconds + 10) * 1000;
    const lease: Lease = { owner: newLeaseOwner(), held: false, since: 0 };
    const renewedSinceAsked = (row: TokenRow) => (time(row.lastRefreshAt) ?? 0) >= options.askedAt;
    const failedSinceAsked = (row: TokenRow) => Boolean(row.lastError) && Date.parse(row.lastError!.at) >= options.askedAt;
    for (let attempt = 0; ; attempt += 1) {
      if (await acquireLease(strapi, uid, id, lease.owner, leaseSeconds, sentMark(lease.owner))) {
        Object.assign(lease, { held: true, since: Date.now() });
        let row: TokenRow | undefined;
        try {
          row = await store.find(id);
          if (renewedSinceAsked(row) || (!options.force && isUsable(row, margin))) return row;
          if (failedSinceAsked(row)) throw lastFailure(row);
          checks.assertRenewable(row);
          return await renew(row, options.actor, lease);
        } finally {
          // Released with the stored result already, unless nothing was stored.
          if (lease.held) await releaseLease(strapi, uid, id, lease.owner, ownMarkCleared(row, lease));
        }
      }
      await sleep(Math.min(50 * 2 ** Math.min(attempt, 4), 500));
      const row = await store.find(id);
      if (renewedSinceAsked(row) && row.status === 'valid') return row;
      if (failedSinceAsked(row)) throw lastFailure(row);
      if (Date.now() > deadline) {
        throw new MailAuthError('LEASE_TIMEOUT', `Token "${row.name}" is being renewed by another instance for too long`);
      }
    }
  };

  /** Makes `run` the renewal of this token that callers in this process share, unless one already is. */
  const share = (id: number, run: Promise<TokenRow>) => {
    if (inflight.has(id)) return;
    inflight.set(id, run);
    void run.catch(() => undefined).finally(() => inflight.get(id) === run && inflight.delete(id));
  };

  return {
    /** One renewal per token in this process: concurrent callers (and the job) share it. */
    renewShared(id: number, options: RenewOptions): Promise<TokenRow> {
      const pending = inflight.get(id);
      if (pending) return pending;
      const run = renewUnderLease(id, options);
      share(id, run);
      return run;
    },

    /**
     * For the refresh job: leases these tokens in one UPDATE, which returns those it got (a SELECT
     * reads them on MariaDB). Tokens leased by another instance are left out: that instance renews
     * them; so are tokens no longer due (renewed meanwhile).
     */
    async leaseForRenewal(ids: number[]): Promise<LeasedToken[]> {
      if (!ids.length) return [];
      const owner = newLeaseOwner();
      const since = Date.now();
      const rows = (await leaseRows(strapi, uid, ids, owner, config('leaseSeconds'), {
        mark: sentMark(owner),
        only: stillDue(config('refreshMargin')),
      })) as unknown as TokenRow[];
      return rows.map((row) => ({ row, lease: { owner, held: true, since, byJob: true } }));
    },

    /**
     * Renews a token leased by leaseForRenewal, unless it is current by now; releases the
     * lease in any case. Callers of getAccessToken in this process share the renewal. `actor`:
     * the job, as the activity log names it; `requests`: the job's limit on requests out at once.
     */
    async renewLeased({ row: leasedRow, lease }: LeasedToken, actor: string, requests?: RequestLimit): Promise<'renewed' | 'current' | 'elsewhere'> {
      const leaseSeconds = config('leaseSeconds');
      let row = leasedRow;
      try {
        if (Date.now() - lease.since > (leaseSeconds * 1000) / 2) {
          // It waited in the job's queue for half its lease: a renewal gets a whole lease, and the row as it is now.
          if (!(await extendLease(strapi, uid, row.id, lease.owner, leaseSeconds))) {
            lease.held = false;
            return 'elsewhere';
          }
          row = await store.find(row.id);
        }
        if (isUsable(row, config('refreshMargin'))) return 'current';
        checks.assertRenewable(row);
        const run = renew(row, actor, lease, requests);
        share(row.id, run);
        await run;
        return 'renewed';
      } finally {
        if (lease.held) await releaseLease(strapi, uid, leasedRow.id, lease.owner, ownMarkCleared(row, lease));
      }
    },

    /** Gives back a lease of leaseForRenewal that is not renewed after all (the job is stopping). */
    async releaseLeased({ row, lease }: LeasedToken): Promise<void> {
      if (!lease.held) return;
      lease.held = false;
      await releaseLease(strapi, uid, row.id, lease.owner, ownMarkCleared(row, lease));
    },

    /**
     * Waits until the renewals in flight in this process are stored, for at most `ms` (the
     * plugin's destroy: an answer in flight carries the rotated refresh token).
     */
    drain(ms: number): Promise<boolean> {
      return settlesWithin(Promise.allSettled([...running]), ms);
    },
  };
}
