import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import type { PluginConfig } from '../config/schema';
import { acquireLease, heldBy, RELEASED, releaseLease } from '../db/lease';
import { stateWriter } from '../db/state-writer';
import { MailAuthError } from '../errors';
import { PollLoop } from '../oauth/poll-loop';
import { PLUGIN_ID } from '../plugin-id';
import { assertSignsIn } from './authorizations';
import type { DevicePoll, OAuthRequestError } from '../oauth/client';
import type { Actor } from '../shared/actor';
import { DEVICE_GRANT_UID } from '../shared/content-type-uids';
import type { TokenRow } from '../tokens/row';

const DEVICE_CODE_FIELD = 'oauth-device-grant.deviceCode';
/** RFC 8628 §3.5: after slow_down, poll that much less often, from then on. */
const SLOW_DOWN_SECONDS = 5;
/** The least time between two looks at a grant polled by another instance. */
const RECHECK_MS = 1_000;
/** Ended grants are kept a day (the page shows how it ended), then deleted by the next start. */
const KEEP_ENDED_MS = 24 * 60 * 60 * 1000;
const INSTANCE = randomUUID();

export type DeviceGrantState = 'pending' | 'authorized' | 'denied' | 'expired' | 'error';

export interface GrantError {
  code: string;
  message: string;
  advice?: string | null;
  at: string;
}

export interface DeviceGrantRow {
  id: number;
  tokenId: number;
  adminUserId: number;
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string | null;
  interval: number;
  expiresAt: string | Date;
  nextPollAt: string | Date;
  state: DeviceGrantState;
  polls?: number | null;
  lastError?: GrantError | null;
  grantedBy?: string | null;
  endedAt?: string | Date | null;
  createdAt?: string | Date;
}

const time = (v: string | Date | null | undefined) => (v ? new Date(v).getTime() : 0);
const expired = (row: DeviceGrantRow, now = Date.now()) => time(row.expiresAt) <= now;
const errorOf = (e: MailAuthError): GrantError => ({
  code: e.providerCode ?? e.code,
  message: e.message,
  advice: e.advice ?? null,
  at: new Date().toISOString(),
});

/**
 * Sign in with a code (the OAuth 2.0 device authorization grant, RFC 8628), for Strapi
 * instances the provider cannot send a browser back to: the admin gets a user code and a URL
 * to enter it at, and the server polls the token endpoint until the person has signed in,
 * refused, or let the code expire. The grant lives in the database (device code encrypted),
 * so any instance may poll it: each poll is made under the grant's lease, at the interval
 * stored with it, and the token is stored by the one poll that got it.
 *
 * Polling runs in the instance that started the grant and in any instance asked about it
 * (GET, or a restart that finds it pending), whether or not it runs scheduled jobs: a person
 * is waiting.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = <K extends keyof PluginConfig>(key: K) => pluginConfig(strapi, key);
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const tokens = () => plugin().service('tokens');
  const secrets = () => plugin().service('secrets');
  const oauth = () => plugin().service('oauth');
  const db = () => strapi.db.query(DEVICE_GRANT_UID);
  const rows = () => stateWriter(strapi, DEVICE_GRANT_UID);

  const find = async (id: number) => (await db().findOne({ where: { id } })) as DeviceGrantRow | null;
  const latestOf = async (tokenId: number) =>
    (await db().findOne({ where: { tokenId }, orderBy: { id: 'desc' } })) as DeviceGrantRow | null;

  /** The token and its latest grant, for the routes about a grant already started (404 without one). */
  const startedGrantOf = async (tokenId: number) => {
    const token: TokenRow = await tokens().find(tokenId);
    const row = await latestOf(token.id);
    if (!row) throw new MailAuthError('NOT_FOUND', `No sign-in with a code was started for token "${token.name}"`);
    return { token, row };
  };

  /** The grant as the admin API shows it: never the device code. */
  const view = (row: DeviceGrantRow) => {
    const state: DeviceGrantState = row.state === 'pending' && expired(row) ? 'expired' : row.state;
    return {
      tokenId: row.tokenId,
      state,
      userCode: row.userCode,
      verificationUri: row.verificationUri,
      verificationUriComplete: row.verificationUriComplete ?? null,
      interval: row.interval,
      expiresAt: new Date(row.expiresAt).toISOString(),
      /** Seconds left to enter the code. */
      expiresIn: state === 'pending' ? Math.max(0, Math.floor((time(row.expiresAt) - Date.now()) / 1000)) : 0,
      polls: row.polls ?? 0,
      grantedBy: row.grantedBy ?? null,
      error: row.lastError ?? null,
      startedAt: row.createdAt ?? null,
      endedAt: row.endedAt ?? null,
    };
  };

  /**
   * Stores a poll's outcome and gives the lease back in the same UPDATE. Should the lease have
   * run out meanwhile, the outcome is stored all the same: the provider answered this poll.
   */
  const record = async (row: DeviceGrantRow, owner: string, data: Record<string, unknown>, polled = true): Promise<DeviceGrantRow> => {
    const writer = rows();
    const changes = { ...data, polls: (row.polls ?? 0) + (polled ? 1 : 0), updatedAt: new Date() };
    if ((await writer.update(heldBy(writer, row.id, owner), { ...changes, ...RELEASED })) !== 1) {
      await writer.update((qb) => qb.where('id', row.id), changes);
    }
    return { ...row, ...changes } as DeviceGrantRow;
  };

  const actorOf = async (row: DeviceGrantRow): Promise<Actor | undefined> =>
    ((await strapi.db.query('admin::user').findOne({ where: { id: row.adminUserId }, select: ['id', 'email'] })) as Actor | null) ?? undefined;

  /** A grant that ended without a token: the token keeps what it had, the log says why. */
  const fail = async (row: DeviceGrantRow, owner: string, token: TokenRow, state: DeviceGrantState, error: MailAuthError, polled = true) => {
    await tokens().storeFailure(token, error, 'token.authorization-failed', await actorOf(row), { keepStatus: true });
    return record(row, owner, { state, lastError: errorOf(error), endedAt: new Date() }, polled);
  };

  /** What a poll answered, stored. */
  const apply = async (row: DeviceGrantRow, owner: string, token: TokenRow, poll: DevicePoll): Promise<DeviceGrantRow> => {
    const now = Date.now();
    switch (poll.outcome) {
      case 'authorized': {
        const stored: TokenRow = await tokens().storeTokenSet(token, poll.tokens, 'authorized', await actorOf(row));
        return record(row, owner, { state: 'authorized', grantedBy: stored.grantedBy ?? null, lastError: null, endedAt: new Date() });
      }
      case 'pending':
        return record(row, owner, { nextPollAt: new Date(now + row.interval * 1000), lastError: null });
      case 'slow-down': {
        const interval = row.interval + SLOW_DOWN_SECONDS;
        return record(row, owner, { interval, nextPollAt: new Date(now + interval * 1000) });
      }
      default:
        return fail(row, owner, token, poll.outcome, poll.error);
    }
  };

  /**
   * Polls the grant once if it is due and no other instance holds it; returns it as it is
   * afterwards (undefined once it is gone).
   */
  const pollOnce = async (id: number): Promise<DeviceGrantRow | undefined> => {
    const seen = await find(id);
    if (!seen || seen.state !== 'pending') return seen ?? undefined;
    if (time(seen.nextPollAt) > Date.now() && !expired(seen)) return seen;
    const owner = `${INSTANCE}:${randomUUID()}`;
    if (!(await acquireLease(strapi, DEVICE_GRANT_UID, id, owner, config('leaseSeconds')))) return seen;
    try {
      // Read again under the lease: another instance may have polled (or ended it) meanwhile.
      const row = await find(id);
      if (!row || row.state !== 'pending' || (time(row.nextPollAt) > Date.now() && !expired(row))) return row ?? undefined;
      let token: TokenRow;
      try {
        token = await tokens().find(row.tokenId);
      } catch {
        await db().delete({ where: { id } }); // its token was deleted
        return undefined;
      }
      if (expired(row)) {
        return await fail(row, owner, token, 'expired', new MailAuthError('PROVIDER_ERROR', 'The code expired before it was entered at the provider.', {
          advice: 'Click Sign in with a code again and enter the new code promptly.',
          providerCode: 'expired_token',
        }), false);
      }
      let poll: DevicePoll;
      try {
        poll = await oauth().pollDeviceAuthorization(tokens().settingsOf(token), secrets().decrypt(row.deviceCode, DEVICE_CODE_FIELD));
      } catch (e) {
        const error = e instanceof MailAuthError ? e : new MailAuthError('PROVIDER_ERROR', (e as Error).message, { cause: e });
        const transient = (error as OAuthRequestError).detail?.transient ?? error.code === 'NETWORK_ERROR';
        // An outage ends nothing: the next poll may get through while the code is valid.
        if (transient) return await record(row, owner, { nextPollAt: new Date(Date.now() + row.interval * 1000), lastError: errorOf(error) });
        return await fail(row, owner, token, 'error', error);
      }
      return await apply(row, owner, token, poll);
    } finally {
      // Given back with the outcome already, unless nothing was stored (a no-op then).
      await releaseLease(strapi, DEVICE_GRANT_UID, id, owner);
    }
  };

  const loop = new PollLoop(
    async (id) => {
      const row = await pollOnce(id);
      if (!row || row.state !== 'pending') return undefined;
      return Math.max(RECHECK_MS, time(row.nextPollAt) - Date.now());
    },
    5_000,
    (id, e) => strapi.log.warn(`[mail-auth] sign-in with a code #${id}: ${(e as Error).message}`)
  );

  const watch = (row: DeviceGrantRow) => {
    if (row.state === 'pending') loop.watch(row.id, Math.max(0, time(row.nextPollAt) - Date.now()));
  };

  return {
    /** POST /tokens/:id/device-authorize: a new code for the token (an earlier one of it is dropped). */
    async start(tokenId: number, admin: Actor & { id: number }) {
      const token: TokenRow = await tokens().find(tokenId);
      assertSignsIn(token);
      const answer = await oauth().startDeviceAuthorization(tokens().settingsOf(token));
      const now = Date.now();
      await db().deleteMany({ where: { $or: [{ tokenId: token.id }, { expiresAt: { $lt: new Date(now - KEEP_ENDED_MS) } }] } });
      const row = (await db().create({
        data: {
          tokenId: token.id,
          adminUserId: admin.id,
          deviceCode: secrets().encrypt(answer.deviceCode, DEVICE_CODE_FIELD),
          userCode: answer.userCode,
          verificationUri: answer.verificationUri,
          verificationUriComplete: answer.verificationUriComplete ?? null,
          interval: answer.interval,
          expiresAt: new Date(now + answer.expiresIn * 1000),
          nextPollAt: new Date(now + answer.interval * 1000),
          state: 'pending',
          polls: 0,
        },
      })) as DeviceGrantRow;
      watch(row);
      return view(row);
    },

    /** GET /tokens/:id/device-authorize: the token's latest grant; this instance polls it too while it is pending. */
    async status(tokenId: number) {
      const { row } = await startedGrantOf(tokenId);
      watch(row);
      return view(row);
    },

    /**
     * DELETE /tokens/:id/device-authorize: the admin stopped waiting. The grant goes, so no
     * instance polls it again and a code entered later stores nothing. Answers it as it was.
     */
    async cancel(tokenId: number) {
      const { token, row } = await startedGrantOf(tokenId);
      await db().deleteMany({ where: { tokenId: token.id } });
      return view(row);
    },

    /** Bootstrap: grants left pending by a stopped instance are polled here too. */
    async resume() {
      const pending = (await db().findMany({ where: { state: 'pending', expiresAt: { $gt: new Date() } } })) as DeviceGrantRow[];
      pending.forEach(watch);
    },

    pollOnce,

    async deleteForToken(tokenId: number) {
      await db().deleteMany({ where: { tokenId } });
    },

    stop: () => loop.stop(),
  };
};
