import type { MailAuthError } from '../errors';
import type { TokenSet } from '../oauth/settings';
import { PLUGIN_ID } from '../plugin-id';
import type { ActivityEntry } from '../activity/entry';
import type { OAuthRequestError } from '../oauth/client';
import type { TokenContext } from './context';
import { NO_MARK, type Lease } from './lease';
import { time, type TokenRow } from './row';
import type { TokenStore } from './store';
import type { tokenView } from './view';

export interface FailureOptions {
  /** Records the failure without changing the status. */
  keepStatus?: boolean;
  lease?: Lease;
  /** A renewal's failure: stored only while the row is still the one it started from. */
  startedFrom?: boolean;
  /** When an earlier owner's refresh was sent and never answered (tokens/lease.ts interruptedSend). */
  interruptedAt?: Date;
}

/**
 * Storing what a grant request brought: a token set (with the rotated refresh token) or a
 * failure, each followed by its notification, event and activity entry. `actor` is the name the
 * activity log shows.
 */
export function tokenResults(ctx: TokenContext, store: TokenStore, { view }: ReturnType<typeof tokenView>) {
  const { strapi, secrets, activity, notifications } = ctx;

  /**
   * Stores a successful grant; the rotated refresh token is written with the access token, before
   * it is handed out. `sentRefreshToken`: the one the refresh was made with, not encrypted and
   * written again when the provider hands the same one back (rotation off).
   */
  const storeTokenSet = async (row: TokenRow, set: TokenSet, kind: 'authorized' | 'refreshed', actor: string, lease?: Lease, sentRefreshToken?: string) => {
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
    const updated = await store.write(row, data, { lease, compare: kind === 'refreshed' });
    // A newer answer is stored (another renewal's, a new grant): that one is the token now.
    if (!updated) return store.find(row.id);
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
      actor,
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
    actor: string,
    options: FailureOptions = {}
  ): Promise<{ stored: TokenRow } | { stale: TokenRow }> => {
    if (options.startedFrom) {
      const now = await store.find(row.id);
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
    const updated = await store.write(row, data, { lease: options.lease, compare: options.startedFrom });
    if (!updated) return { stale: await store.find(row.id) };
    await notifications().observe(updated);
    await activity().record({
      kind,
      subjectType: 'token',
      subjectId: row.id,
      subjectName: row.name,
      outcome: 'failure',
      actor,
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

  return { storeTokenSet, recordFailure, storeFailure };
}

export type TokenResults = ReturnType<typeof tokenResults>;
