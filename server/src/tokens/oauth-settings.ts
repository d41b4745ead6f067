import { MailAuthError } from '../errors';
import { assertHostAllowed, pluginNetworkPolicy } from '../net/plugin-policy';
import type { OAuthSettings } from '../oauth/settings';
import { findTemplate } from '../providers';
import type { TokenChecks } from './checks';
import type { TokenContext } from './context';
import type { TokenRow } from './row';

/** What the oauth service needs to make a grant request for this token (its client secret opened). */
export const oauthSettings =
  ({ strapi, config, secrets }: TokenContext, { assertUsable }: TokenChecks) =>
  (row: TokenRow): OAuthSettings => {
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
