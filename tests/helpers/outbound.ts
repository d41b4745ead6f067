import type { Core } from '@strapi/strapi';

import type { OAuthTestServer } from '../servers/oauth-server';
import type { AdminClient } from './admin';
import { generateTokens, TOKEN_UID } from './tokens';

export const ALICE = 'alice@example.test';
const CLIENT_SECRET = 'outbound-client-secret-7c1d';

/**
 * An OAuth2 token (generic template) at the oidc-provider harness, authorized through the real
 * code flow as `user`. Returns its id.
 */
export async function authorizedToken(
  admin: AdminClient,
  op: OAuthTestServer,
  appUrl: string,
  name: string,
  options: { user?: string } = {}
): Promise<number> {
  const clientId = `client-${name}`;
  await op.addClient({
    clientId,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${appUrl}/mail-auth/oauth/callback`],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'client_secret_post',
  });
  const created = await admin.post('/mail-auth/tokens', {
    name,
    template: 'generic',
    clientId,
    clientSecret: CLIENT_SECRET,
    clientAuthMethod: 'client_secret_post',
    issuer: op.issuer,
    authorizationEndpoint: op.authorizationEndpoint,
    tokenEndpoint: op.tokenEndpoint,
    scope: 'openid email offline_access mail',
    extraAuthorizationParams: { login_hint: options.user ?? ALICE },
  });
  if (created.status !== 201) throw new Error(`creating token ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const flow = await generateTokens(admin, created.body.id);
  if (flow.status !== 200) throw new Error(`authorizing token ${name}: ${flow.status}`);
  return created.body.id as number;
}

/** Time passes: the stored access token has expired. */
export const expireAccessToken = (strapi: Core.Strapi, id: number) =>
  strapi.db.query(TOKEN_UID).update({ where: { id }, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });

/** The provider revoked the access token while it still looks valid here. */
export const storeUnusableAccessToken = (strapi: Core.Strapi, id: number) =>
  strapi.db.query(TOKEN_UID).update({
    where: { id },
    data: {
      accessToken: strapi.plugin('mail-auth').service('secrets').encrypt('revoked-at-the-provider', 'oauth-token.accessToken'),
      accessTokenExpiresAt: new Date(Date.now() + 3600_000),
    },
  });

/** `strapi.plugin('mail-auth').service('outbound')`, typed as the host app would use it. */
export const outbound = (strapi: Core.Strapi) =>
  strapi.plugin('mail-auth').service('outbound') as {
    send(account: string, message: Record<string, unknown>): Promise<{ messageId: string; accepted: string[]; rejected: string[]; response: string; attempts: number }>;
  };

/** Runs `p`, expecting it to reject; returns the error. */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error('expected a rejection');
}
