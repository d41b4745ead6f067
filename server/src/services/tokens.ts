import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

import type { PluginConfig } from '../config/schema';
import { acquireLease, acquireLeases, extendLease, heldBy, keepLease, RELEASED, releaseLease, type LeaseMark } from '../db/lease';
import { dateOnly } from '../db/date-only';
import { assertNameFree, findByRef } from '../db/named-rows';
import { documentIds } from '../db/document-id';
import { findPage, type PageQuery } from '../db/page';
import { stateWriter, type StateWriter } from '../db/state-writer';
import { MailAuthError, validationError } from '../errors';
import { redirectUriProblem, type OAuthSettings, type TokenSet } from '../oauth/settings';
import { assertHostAllowed, hostFieldProblem, pluginNetworkPolicy } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { actorName, type Actor } from '../shared/actor';
import { TOKEN_UID } from '../shared/content-type-uids';
import { findTemplate } from '../providers';
import { DROPPED_GRANT, type TokenRow, type TokenStatus } from '../tokens/token-row';
import { markedIncomplete } from '../transfer/stored-entries';
import { secretRequiredAgain, tokenDestinationChanges } from '../validation/destination';
import {
  configurationProblems,
  createTokenSchema,
  parseInput,
  updateTokenSchema,
  type TokenFields,
} from '../validation/token-input';
import type { ActivityEntry } from '../activity/entry';
import type { OAuthRequestError } from '../oauth/client';

const SECRET_FIELDS = ['clientSecret', 'accessToken', 'refreshToken'] as const;
/** The grant's secrets: issued by one server, meaningless (and not to be sent) anywhere else. */
const GRANT_SECRETS = ['accessToken', 'refreshToken'] as const;
const INSTANCE = randomUUID();

/** The statuses in which only a person can make the token usable again (Generate tokens). */
export const NEEDS_AUTHORIZATION: readonly TokenStatus[] = ['reauthorization-required', 'refresh-interrupted'];

/** A renewal's hold on the token's lease; the write that stores the result releases it. */
export interface Lease {
  owner: string;
  held: boolean;
  /** When it was taken (ms). */
  since: number;
  /** Taken by the refresh job, which writes its activity entries in batches. */
  byJob?: boolean;
}

/** A token the refresh job leased, as read right after. */
export interface LeasedToken {
  row: TokenRow;
  lease: Lease;
}

const time = (v: string | Date | null | undefined) => (v ? new Date(v).getTime() : undefined);

/** The fields of `data` whose values differ from the row's (dates by time, absent as null). */
function changedFields(row: TokenRow, data: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    const was = (row as unknown as Record<string, unknown>)[field] ?? null;
    const same = value instanceof Date ? time(was as string | Date | null) === value.getTime() : (value ?? null) === was;
    if (!same) changed[field] = value;
  }
  return changed;
}

/**
 * The "refresh sent" mark, written by the UPDATE that takes a renewal's lease (no round trip of
 * its own) and cleared by the one that stores the answer. A mark left by an older owner means
 * that a refresh was sent with the stored refresh token and its answer never stored: the
 * instance died, or the answer did not arrive. COALESCE keeps such a mark when a new lease is
 * taken, so that the next renewal knows it is a retry.
 */
const sentMark =
  (owner: string): LeaseMark =>
  (rows: StateWriter, knex) => ({
    refreshSentBy: knex.raw('COALESCE(??, ?)', [rows.column('refreshSentBy'), owner]),
    refreshSentAt: knex.raw('COALESCE(??, ?)', [rows.column('refreshSentAt'), new Date()]),
  });
const NO_MARK = { refreshSentBy: null, refreshSentAt: null } as const;

/** When an earlier owner sent a refresh of this row whose answer was never stored. */
const interruptedSend = (row: TokenRow, lease?: Lease): Date | undefined =>
  row.refreshSentBy && row.refreshSentBy !== lease?.owner ? new Date(row.refreshSentAt ?? Date.now()) : undefined;

/** What releasing the lease without an answer writes: this lease's own mark goes, an older one stays. */
const ownMarkCleared = (row: TokenRow | undefined, lease: Lease) => (row?.refreshSentBy === lease.owner ? NO_MARK : {});

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = <K extends keyof PluginConfig>(key: K): PluginConfig[K] =>
    strapi.config.get(`plugin::${PLUGIN_ID}.${key}`) as PluginConfig[K];
  const plugin = () => strapi.plugin(PLUGIN_ID);
  // Looked up on first use (services are made in an order of Strapi's), then kept.
  const service = <T>(name: string) => {
    let found: T | undefined;
    return (): T => (found ??= plugin().service(name) as T);
  };
  const secrets = service<ReturnType<typeof import('./secrets').default>>('secrets');
  const activity = service<ReturnType<typeof import('./activity').default>>('activity');
  const notifications = service<ReturnType<typeof import('./notifications').default>>('notifications');
  const oauthService = service<ReturnType<typeof import('./oauth').default>>('oauth');
  const db = () => strapi.db.query(TOKEN_UID);
  const inflight = new Map<number, Promise<TokenRow>>();

  // Worked out again only when the server's URL changes: every token's view (and event) shows it.
  let redirect: { url: string; uri: string; warning?: string } | undefined;
  const redirectOf = () => {
    const url = String(strapi.config.get('server.absoluteUrl'));
    if (redirect?.url !== url) {
      const uri = `${url.replace(/\/$/, '')}/${PLUGIN_ID}/oauth/callback`;
      redirect = { url, uri, warning: redirectUriProblem(uri) };
    }
    return redirect;
  };
  const redirectUri = () => redirectOf().uri;
  const redirectUriWarning = () => redirectOf().warning;

  const statusOf = (row: TokenRow): TokenStatus => {
    if (row.active === false) return 'inactive';
    if (row.status === 'valid' && (time(row.accessTokenExpiresAt) ?? Infinity) <= Date.now()) return 'expired';
    return row.status;
  };

  /** The token as the admin API shows it: never a secret, only whether one is set. */
  const view = (row: TokenRow) => ({
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    template: row.template,
    grantType: row.grantType,
    clientId: row.clientId,
    hasClientSecret: Boolean(row.clientSecret),
    clientSecretExpiresOn: dateOnly(row.clientSecretExpiresOn),
    clientAuthMethod: row.clientAuthMethod ?? 'client_secret_post',
    tenant: row.tenant ?? null,
    scope: row.scope ?? null,
    issuer: row.issuer ?? null,
    authorizationEndpoint: row.authorizationEndpoint ?? null,
    tokenEndpoint: row.tokenEndpoint ?? null,
    deviceAuthorizationEndpoint: row.deviceAuthorizationEndpoint ?? null,
    extraAuthorizationParams: row.extraAuthorizationParams ?? {},
    pkce: row.pkce ?? true,
    redirectUri: redirectUri(),
    redirectUriWarning: redirectUriWarning() ?? null,
    status: statusOf(row),
    accessTokenExpiresAt: row.accessTokenExpiresAt ?? null,
    hasAccessToken: Boolean(row.accessToken),
    hasRefreshToken: Boolean(row.refreshToken),
    refreshTokenExpiresAt: row.refreshTokenExpiresAt ?? null,
    grantedBy: row.grantedBy ?? null,
    grantedScope: row.grantedScope ?? null,
    grantedAt: row.grantedAt ?? null,
    lastRefreshAt: row.lastRefreshAt ?? null,
    lastError: row.lastError ?? null,
    failureCount: row.failureCount ?? 0,
    nextAttemptAt: row.nextAttemptAt ?? null,
    notifyOnExpiredToken: row.notifyOnExpiredToken ?? true,
    notifyOnExpiredRefreshToken: row.notifyOnExpiredRefreshToken ?? true,
    active: row.active ?? true,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  const find = async (ref: number | string): Promise<TokenRow> => {
    const row = await findByRef<TokenRow>(db(), ref);
    if (!row) throw new MailAuthError('NOT_FOUND', `No OAuth2 token ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}`);
    return row;
  };

  /**
   * A stored token that breaks the token rules (an import may store one, marked as needing
   * configuration) is never used: no sign-in, no grant, no access token handed out.
   */
  const checked = new WeakMap<TokenRow, ReturnType<typeof configurationProblems>>();
  const assertUsable = (row: TokenRow) => {
    // Checked once per row as read (a renewal asks twice: before and while it builds the settings).
    let problems = checked.get(row);
    if (!problems) checked.set(row, (problems = configurationProblems(row, { allowHttpLoopback: config('allowHttpLoopback') })));
    if (!problems.length) return;
    throw new MailAuthError('CONFIGURATION_REQUIRED', `Token "${row.name}" has settings to complete before it can be used`, {
      advice: problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '),
      errors: problems,
    });
  };

  /** A token that may be used at all: switched on, complete, not waiting for a person to sign in again. */
  const assertActive = (row: TokenRow) => {
    if (row.active === false) {
      throw new MailAuthError('TOKEN_INACTIVE', `Token "${row.name}" is switched off`, { advice: 'Switch the token on to use it.' });
    }
    assertUsable(row);
    if (NEEDS_AUTHORIZATION.includes(row.status)) {
      throw new MailAuthError('REAUTHORIZATION_REQUIRED', `Token "${row.name}" must be authorized again`, {
        advice: row.lastError?.advice ?? 'Click Generate tokens to sign in again.',
      });
    }
  };

  /** A refresh token to renew with, unless the token uses client credentials. */
  const assertRefreshable = (row: TokenRow) => {
    if (row.grantType === 'authorization_code' && !row.refreshToken) {
      throw new MailAuthError(row.status === 'not-authorized' ? 'NOT_AUTHORIZED' : 'REAUTHORIZATION_REQUIRED', `Token "${row.name}" has no refresh token`, {
        advice: 'Click Generate tokens to sign in at the provider.',
      });
    }
  };

  /** A token that can be renewed without a person. */
  const assertRenewable = (row: TokenRow) => {
    assertActive(row);
    assertRefreshable(row);
  };

  const settingsOf = (row: TokenRow): OAuthSettings => {
    assertUsable(row);
    const template = findTemplate(row.template);
    if (!template) throw new MailAuthError('VALIDATION', `Token "${row.name}" has an unknown template "${row.template}"`);
    return {
      tokenName: row.name,
      template,
      grantType: row.grantType,
      clientId: row.clientId,
      clientSecret: secrets().open(row.clientSecret, 'oauth-token.clientSecret', row.documentId),
      clientAuthMethod: row.clientAuthMethod ?? 'client_secret_post',
      issuer: row.issuer || undefined,
      authorizationEndpoint: row.authorizationEndpoint || undefined,
      tokenEndpoint: row.tokenEndpoint || undefined,
      deviceAuthorizationEndpoint: row.deviceAuthorizationEndpoint || undefined,
      tenant: row.tenant || template.defaultTenant,
      scope: row.scope || template.defaultScope,
      extraAuthorizationParams: row.extraAuthorizationParams ?? {},
      pkce: row.pkce ?? template.pkce,
      timeoutSeconds: config('httpTimeout'),
      allowHttpLoopback: config('allowHttpLoopback'),
      checkHost: pluginNetworkPolicy(strapi) ? (host: string) => assertHostAllowed(strapi, host, `Token "${row.name}"`) : undefined,
    };
  };

  const assertRules = (merged: Partial<TokenFields>) => {
    const errors = configurationProblems(merged, { allowHttpLoopback: config('allowHttpLoopback') });
    if (errors.length) throw validationError(errors, 'Invalid token');
  };

  /** The plugin's allowedHosts / deniedNetworks for the URLs an admin gives (net/network-policy.ts). */
  const assertUrlsAllowed = async (merged: Partial<TokenFields>) => {
    const errors = [];
    for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const) {
      const value = merged[field];
      const refused = value ? await hostFieldProblem(strapi, field, new URL(value).hostname) : undefined;
      if (refused) errors.push(refused);
    }
    if (errors.length) throw validationError(errors, 'Invalid token');
  };

  const assertUniqueName = (name: string, exceptId?: number) => assertNameFree(db(), name, 'token', exceptId);

  /** The accounts (of any type) whose `oauthToken` relation points at this token. */
  const usedBy = async (id: number): Promise<string[]> => {
    const names: string[] = [];
    for (const uid of [`plugin::${PLUGIN_ID}.inbound-account`, `plugin::${PLUGIN_ID}.outbound-account`]) {
      if (!strapi.contentTypes[uid as keyof typeof strapi.contentTypes]) continue;
      const rows = (await strapi.db.query(uid as typeof TOKEN_UID).findMany({ where: { oauthToken: { id } }, select: ['name'] })) as {
        name: string;
      }[];
      names.push(...rows.map((r) => r.name));
    }
    return names;
  };

  const isUsable = (row: TokenRow, marginSeconds: number) =>
    Boolean(row.accessToken) && (time(row.accessTokenExpiresAt) ?? Infinity) - Date.now() > marginSeconds * 1000;

  /**
   * One UPDATE of the token's state (the entity manager's update reads the row before and
   * after, three queries where the refresh path needs one), straight through knex: the refresh
   * job writes one for each token it renews. Returns the row as now stored.
   *
   * `compare` (a renewal's answer): a compare-and-swap on the refresh token the renewal started
   * from, in the UPDATE's WHERE. When another writer changed it meanwhile (an instance whose
   * renewal outlived its lease, a new authorization), the answer is older than what is stored:
   * nothing is written and `undefined` is returned.
   */
  const write = async (row: TokenRow, data: Record<string, unknown>, options: { lease?: Lease; compare?: boolean } = {}): Promise<TokenRow | undefined> => {
    const { lease, compare } = options;
    const updatedAt = new Date();
    const rows = stateWriter(strapi, TOKEN_UID);
    // Only what changed: a renewal rewrites half its fields with the values they have (valid, no error).
    const changed = changedFields(row, data);
    const column = rows.column('refreshToken');
    const startedFrom = (qb: Knex.QueryBuilder) =>
      !compare ? qb : row.refreshToken == null ? qb.whereNull(column) : qb.andWhere(column, row.refreshToken);
    if (lease?.held) {
      // The renewal's lease goes with its result, in the same UPDATE — as long as it is still ours.
      const count = await rows.update((qb) => startedFrom(heldBy(rows, row.id, lease.owner)(qb)), { ...changed, updatedAt, ...RELEASED });
      if (count === 1) {
        lease.held = false;
        return { ...row, ...data, updatedAt, ...RELEASED } as TokenRow;
      }
      // The lease ran out and another instance may hold it now (its release is then left to it),
      // or the row changed under it: store the result only where it started from.
    }
    const count = await rows.update((qb) => startedFrom(qb.where('id', row.id)), { ...changed, updatedAt });
    return count === 1 ? ({ ...row, ...data, updatedAt } as TokenRow) : undefined;
  };

  /**
   * Stores a successful grant; the rotated refresh token is written with the access token, before
   * it is handed out. `sentRefreshToken`: the one the refresh was made with, not encrypted and
   * written again when the provider hands the same one back (rotation off).
   */
  const storeTokenSet = async (row: TokenRow, set: TokenSet, kind: 'authorized' | 'refreshed', actor?: Actor, lease?: Lease, sentRefreshToken?: string) => {
    const rotated = Boolean(set.refreshToken) && set.refreshToken !== sentRefreshToken;
    const now = new Date();
    const data: Record<string, unknown> = {
      accessToken: secrets().encrypt(set.accessToken, 'oauth-token.accessToken', row.documentId),
      accessTokenExpiresAt: set.expiresAt,
      status: 'valid',
      lastRefreshAt: now,
      lastError: null,
      grantedScope: set.scope ?? (kind === 'authorized' ? null : row.grantedScope ?? null),
      failureCount: 0,
      nextAttemptAt: null,
      ...NO_MARK,
    };
    if (set.refreshToken) {
      if (rotated) data.refreshToken = secrets().encrypt(set.refreshToken, 'oauth-token.refreshToken', row.documentId);
      data.refreshTokenExpiresAt = set.refreshTokenExpiresAt ?? null;
    }
    if (kind === 'authorized') {
      data.grantedAt = now;
      data.grantedBy = set.grantedBy ?? null;
      if (!set.refreshToken) {
        // A new grant without a refresh token replaces the old grant's refresh token too.
        data.refreshToken = null;
        data.refreshTokenExpiresAt = null;
      }
    } else if (set.grantedBy && !row.grantedBy) {
      data.grantedBy = set.grantedBy;
    }
    // A new grant replaces whatever is stored; a refresh's answer only what it started from.
    const updated = await write(row, data, { lease, compare: kind === 'refreshed' });
    // A newer answer is stored (another renewal's, a new grant): that one is the token now.
    if (!updated) return find(row.id);
    await notifications().observe(updated);
    strapi.eventHub.emit(`${PLUGIN_ID}.token.${kind === 'authorized' ? 'authorized' : 'refreshed'}`, { token: view(updated) });
    // The job's refreshes come by the thousand: their entries are written in batches (the job
    // flushes at its end). One asked for by an admin or a caller is in the log when it returns.
    const entry: ActivityEntry = {
      kind: kind === 'authorized' ? 'token.authorized' : 'token.refreshed',
      subjectType: 'token',
      subjectId: row.id,
      subjectName: row.name,
      outcome: 'success',
      actor: actorName(actor),
      message: kind === 'authorized' ? `Granted by ${set.grantedBy ?? 'unknown'}` : `Valid until ${set.expiresAt?.toISOString() ?? 'unknown'}`,
      details: { rotated: rotated && kind === 'refreshed' },
    };
    if (kind === 'refreshed' && lease?.byJob) activity().recordLater(entry);
    else await activity().record(entry);
    return updated;
  };

  /**
   * Records a failed grant request: the stored tokens stay as they were. A renewal's failure
   * (`startedFrom`: the row it started from) is stored only while the row is still that one: it
   * is read again first, and the UPDATE compares the refresh token too. A renewal that lost the
   * race to another (which stored a new refresh token, or a new access token with the same one)
   * must not mark the token with its failure — an `invalid_grant` for a refresh token already
   * rotated out is no reason to ask for a new sign-in. Returns the row as stored, or `stale` with
   * the row as it is now when the failure was not stored.
   */
  const recordFailure = async (
    row: TokenRow,
    error: MailAuthError,
    kind: string,
    actor?: Actor,
    options: { keepStatus?: boolean; lease?: Lease; startedFrom?: boolean; interruptedAt?: Date } = {}
  ): Promise<{ stored: TokenRow } | { stale: TokenRow }> => {
    if (options.startedFrom) {
      const now = await find(row.id);
      if (now.refreshToken !== row.refreshToken || time(now.lastRefreshAt) !== time(row.lastRefreshAt)) return { stale: now };
    }
    const detail = (error as OAuthRequestError).detail;
    const reauthorize = detail?.reauthorize ?? error.code === 'REAUTHORIZATION_REQUIRED';
    const transient = detail?.transient ?? error.code === 'NETWORK_ERROR';
    const failureCount = (row.failureCount ?? 0) + 1;
    const providerCode = error.providerCode ?? error.code;
    // The retry of a refresh whose answer was lost, refused with a plain invalid_grant: the
    // provider rotated the refresh token with that answer and took back the one stored (as
    // providers that revoke a grant on reuse do). Nothing but a new sign-in helps, and the person
    // should know why it came to that. A refusal with its own reason (an expired refresh token, a
    // changed password: AADSTS…) keeps its own advice.
    const interrupted =
      reauthorize && options.interruptedAt && row.grantType === 'authorization_code' && providerCode === 'invalid_grant' ? options.interruptedAt : undefined;
    const data: Record<string, unknown> = {
      lastError: interrupted
        ? {
            code: 'REFRESH_INTERRUPTED',
            message: `A refresh sent at ${interrupted.toISOString()} was never answered or its answer never stored (the instance stopped, or the answer was lost on the way); the retry with the stored refresh token was refused (${providerCode}: ${error.message})`,
            advice:
              'The provider rotates refresh tokens and refused the one stored once its successor had been issued. Click Generate tokens to sign in again. Providers that keep the previous refresh token valid (Microsoft, Google) recover from such an interruption by themselves.',
            at: new Date().toISOString(),
          }
        : {
            code: providerCode,
            message: error.message,
            advice: error.advice ?? null,
            at: new Date().toISOString(),
          },
      failureCount,
      status: options.keepStatus ? row.status : interrupted ? 'refresh-interrupted' : reauthorize ? 'reauthorization-required' : 'error',
    };
    if (transient) {
      // Exponential backoff with jitter, capped at 30 minutes; the refresh job honours it.
      const base = Math.min(30 * 60, 30 * 2 ** Math.min(failureCount - 1, 10));
      data.nextAttemptAt = new Date(Date.now() + (base / 2 + Math.random() * (base / 2)) * 1000);
      // Whether the provider acted on a request it did not answer (a timeout) is unknown: the
      // "refresh sent" mark stays, so that the retry is known as one.
    } else {
      data.nextAttemptAt = null;
      // The provider answered: nothing of that request is left to recover.
      Object.assign(data, NO_MARK);
    }
    const updated = await write(row, data, { lease: options.lease, compare: options.startedFrom });
    if (!updated) return { stale: await find(row.id) };
    await notifications().observe(updated);
    await activity().record({
      kind,
      subjectType: 'token',
      subjectId: row.id,
      subjectName: row.name,
      outcome: 'failure',
      actor: actorName(actor),
      code: (data.lastError as { code: string }).code,
      message: (data.lastError as { message: string }).message,
    });
    return { stored: updated };
  };

  /** recordFailure for the callers that want the row as it is after, stored or not. */
  const storeFailure = async (...args: Parameters<typeof recordFailure>): Promise<TokenRow> => {
    const outcome = await recordFailure(...args);
    return 'stored' in outcome ? outcome.stored : outcome.stale;
  };

  /** Renewals in flight in this process: destroy waits for them (drain). */
  const running = new Set<Promise<unknown>>();

  /**
   * Performs the grant that renews the access token: refresh, or client credentials again.
   * While the request is out, a heartbeat keeps the lease, so that no other instance refreshes
   * with the same refresh token however slow the provider is.
   */
  const renew = (row: TokenRow, actor?: Actor, lease?: Lease): Promise<TokenRow> => {
    const run = renewOnce(row, actor, lease);
    running.add(run);
    void run.catch(() => undefined).finally(() => running.delete(run));
    return run;
  };

  const renewOnce = async (row: TokenRow, actor?: Actor, lease?: Lease): Promise<TokenRow> => {
    const oauth = oauthService();
    const interruptedAt = interruptedSend(row, lease);
    const heartbeat = lease?.held ? keepLease(strapi, TOKEN_UID, row.id, lease.owner, config('leaseSeconds')) : undefined;
    try {
      let set: TokenSet;
      let sent: string | undefined;
      try {
        if (row.grantType === 'client_credentials') {
          set = await oauth.clientCredentials(settingsOf(row));
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
          set = await oauth.refresh(settingsOf(row), refreshToken, row.grantedScope ?? undefined);
        }
      } finally {
        heartbeat?.stop();
      }
      return await storeTokenSet(row, set, 'refreshed', actor, lease, sent);
    } catch (e) {
      const error = e instanceof MailAuthError ? e : new MailAuthError('PROVIDER_ERROR', (e as Error).message, { cause: e });
      // Nothing was asked of the provider: not a failed renewal to record.
      if (error.code === 'NOT_AUTHORIZED' || error.code === 'CONFIGURATION_REQUIRED') throw error;
      const outcome = await recordFailure(row, error, 'token.refresh-failed', actor, { lease, startedFrom: true, interruptedAt });
      // Another renewal stored a newer state meanwhile: a usable token is what the caller wanted.
      if ('stale' in outcome && outcome.stale.status === 'valid' && isUsable(outcome.stale, 0)) return outcome.stale;
      throw error;
    }
  };

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Whether `promise` settles within `ms` (leaves no timer behind). */
  const settlesWithin = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    try {
      return await Promise.race([promise.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Renews under the token's database lease, so that one instance of a cluster does it.
   * Whoever waits re-reads the row: the holder's new token is then used, not renewed again.
   */
  const renewUnderLease = async (id: number, options: { force: boolean; askedAt: number; actor?: Actor }): Promise<TokenRow> => {
    const margin = config('refreshMargin');
    const leaseSeconds = config('leaseSeconds');
    const deadline = Date.now() + (leaseSeconds + 10) * 1000;
    const lease: Lease = { owner: `${INSTANCE}:${randomUUID()}`, held: false, since: 0 };
    const renewedSinceAsked = (row: TokenRow) => (time(row.lastRefreshAt) ?? 0) >= options.askedAt;
    const failedSinceAsked = (row: TokenRow) => Boolean(row.lastError) && Date.parse(row.lastError!.at) >= options.askedAt;
    for (let attempt = 0; ; attempt += 1) {
      if (await acquireLease(strapi, TOKEN_UID, id, lease.owner, leaseSeconds, sentMark(lease.owner))) {
        Object.assign(lease, { held: true, since: Date.now() });
        let row: TokenRow | undefined;
        try {
          row = await find(id);
          if (renewedSinceAsked(row) || (!options.force && isUsable(row, margin))) return row;
          if (failedSinceAsked(row)) throw lastFailure(row);
          assertRenewable(row);
          return await renew(row, options.actor, lease);
        } finally {
          // Released with the stored result already, unless nothing was stored.
          if (lease.held) await releaseLease(strapi, TOKEN_UID, id, lease.owner, ownMarkCleared(row, lease));
        }
      }
      await sleep(Math.min(50 * 2 ** Math.min(attempt, 4), 500));
      const row = await find(id);
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

  /** One renewal per token in this process: concurrent callers (and the job) share it. */
  const renewShared = (id: number, options: { force: boolean; askedAt: number; actor?: Actor }): Promise<TokenRow> => {
    const pending = inflight.get(id);
    if (pending) return pending;
    const run = renewUnderLease(id, options);
    share(id, run);
    return run;
  };

  /** The failure another caller (or instance) just recorded, as the error this caller gets too. */
  const lastFailure = (row: TokenRow) =>
    new MailAuthError(NEEDS_AUTHORIZATION.includes(row.status) ? 'REAUTHORIZATION_REQUIRED' : 'PROVIDER_ERROR', row.lastError?.message ?? 'Renewal failed', {
      advice: row.lastError?.advice ?? undefined,
      providerCode: row.lastError?.code,
    });

  return {
    view,
    redirectUri,
    redirectUriWarning,
    settingsOf,
    find,
    storeTokenSet,
    storeFailure,

    async list(query: PageQuery & { search?: string } = {}) {
      const where = query.search
        ? { $or: [{ name: { $containsi: query.search } }, { grantedBy: { $containsi: query.search } }, { template: { $containsi: query.search } }] }
        : {};
      return findPage(db(), query, { where, orderBy: { name: 'asc' } }, view);
    },

    async get(ref: number | string) {
      return view(await find(ref));
    },

    async create(body: unknown, actor?: Actor) {
      const input = parseInput(createTokenSchema, body);
      const template = findTemplate(input.template);
      const merged: Partial<TokenFields> = {
        tenant: template?.defaultTenant ?? null,
        scope: template?.defaultScope || null,
        pkce: template?.pkce ?? true,
        ...input,
      };
      assertRules(merged);
      await assertUrlsAllowed(merged);
      await assertUniqueName(merged.name!);
      // Made here rather than by Strapi: the client secret is bound to the row it goes into.
      const [documentId] = documentIds(1);
      const data: Record<string, unknown> = {
        ...merged,
        documentId,
        grantType: template!.grantType,
        clientSecret: merged.clientSecret ? secrets().encrypt(merged.clientSecret, 'oauth-token.clientSecret', documentId) : null,
        status: 'not-authorized',
      };
      const row = (await db().create({ data })) as TokenRow;
      await activity().record({ kind: 'token.created', subjectType: 'token', subjectId: row.id, subjectName: row.name, actor: actorName(actor) });
      return view(row);
    },

    async update(id: number, body: unknown, actor?: Actor) {
      const row = await find(id);
      const input = parseInput(updateTokenSchema, body);
      if (input.template !== undefined && input.template !== row.template) {
        throw validationError([{ path: ['template'], message: 'cannot be changed once the token is saved: create a new token instead' }], 'Invalid token');
      }
      // clientSecret: absent keeps the stored one, null or '' removes it.
      const { clientSecret, ...rest } = input;
      const merged = { ...row, ...rest, clientSecret: clientSecret === undefined ? row.clientSecret : clientSecret } as Partial<TokenFields>;
      // Another issuer or endpoint: the stored secret must be given again, the grant goes.
      const moved = tokenDestinationChanges(row, merged);
      if (moved.length && row.clientSecret && clientSecret === undefined) {
        throw validationError([secretRequiredAgain('clientSecret', moved)], 'Invalid token');
      }
      assertRules(merged);
      await assertUrlsAllowed(merged);
      if (rest.name !== undefined) await assertUniqueName(rest.name, id);
      const data: Record<string, unknown> = { ...rest };
      if (markedIncomplete(row)) {
        // The rules passed above: the settings an import left to complete are complete now.
        data.status = row.accessToken || row.refreshToken ? 'valid' : 'not-authorized';
        data.lastError = null;
      }
      if (clientSecret !== undefined) {
        data.clientSecret = clientSecret ? secrets().encrypt(clientSecret, 'oauth-token.clientSecret', row.documentId) : null;
      }
      const clearedSecrets = moved.length ? GRANT_SECRETS.filter((f) => row[f]) : [];
      if (moved.length) Object.assign(data, DROPPED_GRANT);
      const updated = (await db().update({ where: { id }, data })) as TokenRow;
      await activity().record({
        kind: 'token.updated', subjectType: 'token', subjectId: id, subjectName: updated.name, actor: actorName(actor),
        details: { fields: Object.keys(data), ...(clearedSecrets.length ? { clearedSecrets } : {}) },
      });
      return { ...view(updated), clearedSecrets };
    },

    async delete(id: number, actor?: Actor) {
      const row = await find(id);
      const users = await usedBy(id);
      if (users.length) {
        throw new MailAuthError('CONFLICT', `Token "${row.name}" is used by ${users.join(', ')}`, {
          advice: 'Change those accounts to another token or to password authentication first.',
          errors: users.map((name) => ({ path: ['accounts'], message: name })),
        });
      }
      await db().delete({ where: { id } });
      await strapi.db.query(`plugin::${PLUGIN_ID}.oauth-authorization`).deleteMany({ where: { tokenId: id } });
      await plugin().service('device-grants').deleteForToken(id);
      await activity().record({ kind: 'token.deleted', subjectType: 'token', subjectId: id, subjectName: row.name, actor: actorName(actor) });
      return view(row);
    },

    usedBy,

    /**
     * The one door to a usable access token: returns the stored one while it is valid for
     * longer than the refresh margin, otherwise renews it first. Concurrent callers share
     * one renewal (in this process through a shared promise, across processes through the
     * token's lease in the database).
     */
    async getAccessToken(ref: number | string, options: { forceRefresh?: boolean; actor?: Actor } = {}): Promise<string> {
      const askedAt = Date.now();
      const row = await find(ref);
      assertActive(row);
      if (!options.forceRefresh && isUsable(row, config('refreshMargin'))) {
        return secrets().decrypt(row.accessToken!, 'oauth-token.accessToken', row.documentId);
      }
      assertRefreshable(row);
      const fresh = await renewShared(row.id, { force: Boolean(options.forceRefresh), askedAt, actor: options.actor });
      return secrets().decrypt(fresh.accessToken!, 'oauth-token.accessToken', fresh.documentId);
    },

    /**
     * For the refresh job: leases these tokens in one UPDATE and reads those it got in one
     * SELECT. Tokens leased by another instance are left out: that instance renews them.
     */
    async leaseForRenewal(ids: number[]): Promise<LeasedToken[]> {
      if (!ids.length) return [];
      const owner = `${INSTANCE}:${randomUUID()}`;
      const since = Date.now();
      if (!(await acquireLeases(strapi, TOKEN_UID, ids, owner, config('leaseSeconds'), sentMark(owner)))) return [];
      const rows = (await db().findMany({ where: { id: { $in: ids }, leaseOwner: owner } })) as TokenRow[];
      return rows.map((row) => ({ row, lease: { owner, held: true, since, byJob: true } }));
    },

    /**
     * Renews a token leased by leaseForRenewal, unless it is current by now; releases the
     * lease in any case. Callers of getAccessToken in this process share the renewal.
     */
    async renewLeased({ row: leasedRow, lease }: LeasedToken): Promise<'renewed' | 'current' | 'elsewhere'> {
      const leaseSeconds = config('leaseSeconds');
      let row = leasedRow;
      try {
        if (Date.now() - lease.since > (leaseSeconds * 1000) / 2) {
          // It waited in the job's queue for half its lease: a renewal gets a whole lease, and the row as it is now.
          if (!(await extendLease(strapi, TOKEN_UID, row.id, lease.owner, leaseSeconds))) {
            lease.held = false;
            return 'elsewhere';
          }
          row = await find(row.id);
        }
        if (isUsable(row, config('refreshMargin'))) return 'current';
        assertRenewable(row);
        const run = renew(row, undefined, lease);
        share(row.id, run);
        await run;
        return 'renewed';
      } finally {
        if (lease.held) await releaseLease(strapi, TOKEN_UID, leasedRow.id, lease.owner, ownMarkCleared(row, lease));
      }
    },

    /** Gives back a lease of leaseForRenewal that is not renewed after all (the job is stopping). */
    async releaseLeased({ row, lease }: LeasedToken): Promise<void> {
      if (!lease.held) return;
      lease.held = false;
      await releaseLease(strapi, TOKEN_UID, row.id, lease.owner, ownMarkCleared(row, lease));
    },

    /**
     * Waits until the renewals in flight in this process are stored, for at most `ms` (the
     * plugin's destroy: an answer in flight carries the rotated refresh token).
     */
    async drain(ms: number): Promise<boolean> {
      return settlesWithin(Promise.allSettled([...running]), ms);
    },

    /** Refresh now (POST /tokens/:id/refresh): renews even a still-valid token. */
    async refreshNow(id: number, actor?: Actor) {
      const row = await find(id);
      assertUsable(row);
      if (row.grantType === 'authorization_code' && !row.refreshToken) {
        throw new MailAuthError('NOT_AUTHORIZED', `Token "${row.name}" has no refresh token`, {
          advice: 'Click Generate tokens to sign in at the provider.',
        });
      }
      await this.getAccessToken(id, { forceRefresh: true, actor });
      return view(await find(id));
    },
  };
};
