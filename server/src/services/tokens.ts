import type { Core } from '@strapi/strapi';

import { documentIds } from '../db/document-id';
import type { PageQuery } from '../db/page';
import { MailAuthError, validationError } from '../errors';
import type { TokenSet } from '../oauth/settings';
import { PLUGIN_ID } from '../plugin-id';
import { findTemplate } from '../providers';
import { actorName, type Actor } from '../shared/actor';
import { TOKEN_UID } from '../shared/content-type-uids';
import { tokenChecks } from '../tokens/checks';
import { tokenContext } from '../tokens/context';
import type { Lease, LeasedToken } from '../tokens/lease';
import { oauthSettings } from '../tokens/oauth-settings';
import { tokenRenewal, type RequestLimit } from '../tokens/renewal';
import { tokenResults, type FailureOptions } from '../tokens/results';
import { DROPPED_GRANT, GRANT_SECRETS, isUsable, type TokenRow } from '../tokens/row';
import { tokenStore } from '../tokens/store';
import { tokenView } from '../tokens/view';
import { markedIncomplete } from '../transfer/stored-entries';
import { secretRequiredAgain, tokenDestinationChanges } from '../validation/destination';
import { createTokenSchema, parseInput, updateTokenSchema, type TokenFields } from '../validation/token-input';



/**
 * OAuth2 tokens: their CRUD for the admin API, and the one door to a usable access token
 * (getAccessToken), composed of the parts in server/src/tokens/.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const ctx = tokenContext(strapi, TOKEN_UID);
  const { config, secrets, activity } = ctx;
  const store = tokenStore(ctx);
  const views = tokenView(strapi);
  const { view, redirectUri, redirectUriWarning } = views;
  const checks = tokenChecks(ctx);
  const settingsOf = oauthSettings(ctx, checks);
  const results = tokenResults(ctx, store, views);
  const renewal = tokenRenewal(ctx, store, checks, settingsOf, results);
  const { find, usedBy } = store;
  const { assertRules, assertUrlsAllowed } = checks;
  const assertUniqueName = store.assertNameFree;

  return {
    view,
    redirectUri,
    redirectUriWarning,
    settingsOf,
    find,
    /** Stores a successful grant (see tokens/results.ts). */
    storeTokenSet: (row: TokenRow, set: TokenSet, kind: 'authorized' | 'refreshed', actor?: Actor, lease?: Lease, sentRefreshToken?: string) =>
      results.storeTokenSet(row, set, kind, actorName(actor), lease, sentRefreshToken),
    /** Records a failed grant request; returns the row as it is after, stored or not (see tokens/results.ts). */
    storeFailure: (row: TokenRow, error: MailAuthError, kind: string, actor?: Actor, options?: FailureOptions) =>
      results.storeFailure(row, error, kind, actorName(actor), options),

    async list(query: PageQuery & { search?: string } = {}) {
      const where = query.search
        ? { $or: [{ name: { $containsi: query.search } }, { grantedBy: { $containsi: query.search } }, { template: { $containsi: query.search } }] }
        : {};
      return store.page(query, where, view);
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
      const row = await store.create(data);
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
      const updated = await store.update(id, data);
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
      await store.remove(id);
      await strapi.plugin(PLUGIN_ID).service('device-grants').deleteForToken(id);
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
      checks.assertActive(row);
      if (!options.forceRefresh && isUsable(row, config('refreshMargin'))) {
        return secrets().decrypt(row.accessToken!, 'oauth-token.accessToken', row.documentId);
      }
      checks.assertRefreshable(row);
      const fresh = await renewal.renewShared(row.id, { force: Boolean(options.forceRefresh), askedAt, actor: actorName(options.actor) });
      return secrets().decrypt(fresh.accessToken!, 'oauth-token.accessToken', fresh.documentId);
    },

    /**
     * For the refresh job: leases these tokens in one UPDATE and reads those it got in one
     * SELECT. Tokens leased by another instance are left out: that instance renews them.
     */
    leaseForRenewal: (ids: number[]): Promise<LeasedToken[]> => renewal.leaseForRenewal(ids),

    /**
     * Renews a token leased by leaseForRenewal, unless it is current by now; releases the
     * lease in any case. Callers of getAccessToken in this process share the renewal.
     */
    renewLeased: (leased: LeasedToken, requests?: RequestLimit): Promise<'renewed' | 'current' | 'elsewhere'> => renewal.renewLeased(leased, actorName(), requests),

    /** Gives back a lease of leaseForRenewal that is not renewed after all (the job is stopping). */
    releaseLeased: (leased: LeasedToken): Promise<void> => renewal.releaseLeased(leased),

    /**
     * Waits until the renewals in flight in this process are stored, for at most `ms` (the
     * plugin's destroy: an answer in flight carries the rotated refresh token).
     */
    drain: (ms: number): Promise<boolean> => renewal.drain(ms),

    /** Refresh now (POST /tokens/:id/refresh): renews even a still-valid token. */
    async refreshNow(id: number, actor?: Actor) {
      const row = await find(id);
      checks.assertUsable(row);
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
