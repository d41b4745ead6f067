import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { documentIds } from '../db/document-id';
import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import type { Actor } from '../shared/actor';
import { AUTHORIZATION_UID } from '../shared/content-type-uids';
import type { TokenRow } from '../tokens/row';

const STATE_TTL_SECONDS = 600;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const random = () => randomBytes(32).toString('base64url');
/** The cookie that ties a pending authorization to the browser that started it. */
export const bindingCookieName = (state: string) => `mail_auth_oauth_${sha256(state).slice(0, 16)}`;

export interface CallbackResult {
  ok: boolean;
  tokenId?: number;
  tokenName?: string;
  status?: string;
  grantedBy?: string | null;
  error?: { code: string; message: string; advice?: string };
}

interface PendingRow {
  id: number;
  documentId?: string;
  stateHash: string;
  browserBindingHash: string;
  tokenId: number;
  adminUserId: number;
  codeVerifier?: string | null;
  nonce?: string | null;
  redirectUri: string;
  expiresAt: string | Date;
}

/** A person signs in for this token (Generate tokens, Sign in with a code): not for client credentials. */
export function assertSignsIn(row: TokenRow): void {
  if (row.grantType !== 'authorization_code') {
    throw new MailAuthError('VALIDATION', `Token "${row.name}" uses client credentials: it needs no sign-in.`, {
      advice: 'Use Refresh now to get an access token.',
      errors: [{ path: ['grantType'], message: 'client credentials tokens are not authorized in a browser' }],
    });
  }
}

/**
 * Generate tokens: the authorization-code flow around the provider's consent page. The
 * state is random, single-use, stored hashed, expires in 10 minutes, and only completes in
 * the browser of the admin who started it (a cookie set with the authorize answer).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const tokens = () => plugin().service('tokens');
  const secrets = () => plugin().service('secrets');
  const db = () => strapi.db.query(AUTHORIZATION_UID);

  const invalid = (message: string, advice = 'Close this window and click Generate tokens again.') =>
    new MailAuthError('STATE_INVALID', message, { advice });

  return {
    async start(tokenId: number, admin: Actor & { id: number }) {
      const row: TokenRow = await tokens().find(tokenId);
      assertSignsIn(row);
      await db().deleteMany({ where: { expiresAt: { $lt: new Date() } } });
      const state = random();
      const binding = random();
      const redirectUri: string = tokens().redirectUri();
      const pending = await plugin().service('oauth').authorizationUrl(tokens().settingsOf(row), redirectUri, state);
      const [documentId] = documentIds(1);
      await db().create({
        data: {
          documentId,
          stateHash: sha256(state),
          browserBindingHash: sha256(binding),
          tokenId: row.id,
          adminUserId: admin.id,
          codeVerifier: secrets().seal(pending.codeVerifier, 'oauth-authorization.codeVerifier', documentId),
          nonce: pending.nonce ?? null,
          redirectUri,
          expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
        },
      });
      return {
        authorizationUrl: pending.url as string,
        redirectUri,
        expiresIn: STATE_TTL_SECONDS,
        cookie: { name: bindingCookieName(state), value: binding, maxAgeSeconds: STATE_TTL_SECONDS },
      };
    },

    /** The provider sent the browser back: check the state, exchange the code, store the tokens. */
    async complete(query: Record<string, string | undefined>, readCookie: (name: string) => string | undefined): Promise<CallbackResult> {
      const state = query.state;
      if (!state) throw invalid('The callback has no state: it did not come from a Generate tokens request.');
      const pending = (await db().findOne({ where: { stateHash: sha256(state) } })) as PendingRow | null;
      if (!pending) throw invalid('This authorization is unknown or was already used.');

      const binding = readCookie(bindingCookieName(state));
      const expected = Buffer.from(pending.browserBindingHash, 'hex');
      const given = Buffer.from(binding ? sha256(binding) : '', 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalid('This authorization was started in another browser or by another admin.', 'Click Generate tokens in this browser, signed in as yourself.');
      }
      // Single use: of two callbacks with one state, only the one that deletes the row goes on.
      const { count } = await db().deleteMany({ where: { id: pending.id } });
      if (count !== 1) throw invalid('This authorization was already used.');
      if (new Date(pending.expiresAt).getTime() < Date.now()) throw invalid('This authorization expired (10 minutes).');

      const row: TokenRow = await tokens().find(pending.tokenId);
      const actor = await strapi.db.query('admin::user').findOne({ where: { id: pending.adminUserId }, select: ['id', 'email'] });
      const base = { tokenId: row.id, tokenName: row.name };
      try {
        const callbackUrl = new URL(pending.redirectUri);
        for (const [k, v] of Object.entries(query)) if (v !== undefined) callbackUrl.searchParams.set(k, v);
        const set = await plugin().service('oauth').exchangeCode(tokens().settingsOf(row), callbackUrl, {
          state,
          codeVerifier: secrets().open(pending.codeVerifier, 'oauth-authorization.codeVerifier', pending.documentId),
          nonce: pending.nonce ?? undefined,
          redirectUri: pending.redirectUri,
        });
        const stored: TokenRow = await tokens().storeTokenSet(row, set, 'authorized', actor ?? undefined);
        return { ...base, ok: true, status: tokens().view(stored).status, grantedBy: stored.grantedBy ?? null };
      } catch (e) {
        const error = e instanceof MailAuthError ? e : new MailAuthError('PROVIDER_ERROR', (e as Error).message, { cause: e });
        const stored: TokenRow = await tokens().storeFailure(row, error, 'token.authorization-failed', actor ?? undefined, {
          keepStatus: row.status === 'not-authorized',
        });
        return {
          ...base,
          ok: false,
          status: tokens().view(stored).status,
          error: { code: error.providerCode ?? error.code, message: error.message, advice: error.advice },
        };
      }
    },
  };
};
