import type { Core } from '@strapi/strapi';

import { followAuthorization } from '../servers/headless';
import type { AdminClient } from './admin';

/**
 * Generate tokens as the admin panel's popup does: ask for the authorization URL (which sets
 * the browser-binding cookie), go through the provider's login and consent, and open the
 * callback with that cookie. Returns the callback page.
 */
export async function generateTokens(client: AdminClient, tokenId: number, options: { cookie?: string | null } = {}) {
  const res = await client.post(`/mail-auth/tokens/${tokenId}/authorize`);
  if (res.status !== 200) throw new Error(`authorize answered ${res.status}: ${JSON.stringify(res.body)}`);
  const bindingCookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mail_auth_oauth_'));
  const callbackUrl = await followAuthorization(res.body.authorizationUrl, res.body.redirectUri);
  const cookie = options.cookie === undefined ? bindingCookie : options.cookie;
  const open = () => fetch(callbackUrl, { headers: cookie ? { cookie } : {} });
  const page = await open();
  return {
    status: page.status,
    html: await page.text(),
    callbackUrl,
    bindingCookie,
    authorizationUrl: new URL(res.body.authorizationUrl),
    /** Opens the same callback again (a replay). */
    replay: async () => {
      const again = await open();
      return { status: again.status, html: await again.text() };
    },
  };
}

/** The result the callback page hands to the admin panel. */
export const callbackResult = (html: string) => {
  const m = /<script id="mail-auth-result" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`no result in callback page: ${html.slice(0, 200)}`);
  return JSON.parse(m[1]).result as {
    ok: boolean;
    status?: string;
    grantedBy?: string;
    error?: { code: string; message: string; advice?: string };
  };
};

export const TOKEN_UID = 'plugin::mail-auth.oauth-token';

/** The stored row, secrets decrypted: what tests compare before and after. */
export async function storedSecrets(strapi: Core.Strapi, id: number) {
  const row = await strapi.db.query(TOKEN_UID).findOne({ where: { id } });
  const secrets = strapi.plugin('mail-auth').service('secrets');
  return {
    row,
    accessToken: secrets.open(row.accessToken, 'oauth-token.accessToken') as string | undefined,
    refreshToken: secrets.open(row.refreshToken, 'oauth-token.refreshToken') as string | undefined,
    clientSecret: secrets.open(row.clientSecret, 'oauth-token.clientSecret') as string | undefined,
  };
}
