import type { Core } from '@strapi/strapi';

import { dateOnly } from '../db/date-only';
import { redirectUriProblem } from '../oauth/settings';
import { PLUGIN_ID } from '../plugin-id';
import { time, type TokenRow, type TokenStatus } from './row';

export const statusOf = (row: TokenRow): TokenStatus => {
  if (row.active === false) return 'inactive';
  if (row.status === 'valid' && (time(row.accessTokenExpiresAt) ?? Infinity) <= Date.now()) return 'expired';
  return row.status;
};

/** The token as the admin API shows it (never a secret, only whether one is set), and the redirect URI it shows. */
export function tokenView(strapi: Core.Strapi) {
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

  return { view, redirectUri, redirectUriWarning };
}

export type TokenView = ReturnType<ReturnType<typeof tokenView>['view']>;
