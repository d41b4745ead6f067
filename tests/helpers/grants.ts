import type { Core } from '@strapi/strapi';

import type { MicrosoftIdentityServer } from '../servers/microsoft-identity';
import { TOKEN_UID } from './tokens';

/** What a token endpoint answers to an authorization code. */
export interface Grant {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope?: string;
}

/**
 * Stores a grant on a token as the OAuth callback would, for tests that need hundreds of
 * authorized tokens (the callback itself is tokens.test's subject): valid, no error, no mark.
 */
export async function storeGrant(strapi: Core.Strapi, id: number, grant: Grant): Promise<void> {
  const secrets = strapi.plugin('mail-auth').service('secrets');
  await strapi.db.query(TOKEN_UID).update({
    where: { id },
    data: {
      status: 'valid',
      accessToken: secrets.encrypt(grant.access_token, 'oauth-token.accessToken'),
      refreshToken: secrets.encrypt(grant.refresh_token, 'oauth-token.refreshToken'),
      accessTokenExpiresAt: new Date(Date.now() + grant.expires_in * 1000),
      grantedScope: grant.scope ?? null,
      lastError: null,
      failureCount: 0,
      nextAttemptAt: null,
      refreshSentBy: null,
      refreshSentAt: null,
    },
  });
}

/** The code flow against the Microsoft stand-in, whose authorize endpoint redirects at once. */
export async function microsoftGrant(
  ms: MicrosoftIdentityServer,
  o: { tenant: string; clientId: string; clientSecret: string; redirectUri: string; scope: string; loginHint: string }
): Promise<Grant> {
  const auth = new URL(ms.authorizeEndpoint(o.tenant));
  auth.search = new URLSearchParams({ client_id: o.clientId, response_type: 'code', redirect_uri: o.redirectUri, scope: o.scope, login_hint: o.loginHint }).toString();
  const res = await fetch(auth, { redirect: 'manual' });
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`authorize did not redirect with a code: ${res.status} ${res.headers.get('location')}`);
  const token = await fetch(ms.tokenEndpoint(o.tenant), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: o.redirectUri, client_id: o.clientId, client_secret: o.clientSecret }),
  });
  if (!token.ok) throw new Error(`token endpoint: ${token.status} ${await token.text()}`);
  return (await token.json()) as Grant;
}
