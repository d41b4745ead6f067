import { typeInfo } from '../inbound/account-types';
import { INBOUND_PRESETS } from '../inbound/presets';
import { OUTBOUND_PRESETS } from '../outbound/presets';
import { google } from '../providers/google';
import { microsoft } from '../providers/microsoft';
import type { KnownProvider } from './known-domains';
import type { TenantFinding } from './microsoft-tenant';
import type { How, InboundSetting, OAuthSetting, OutboundSetting } from './types';

/**
 * Google's and Microsoft's servers as the account presets have them (the host names live there
 * and only there): every inbound and outbound preset whose token fits the provider, OAuth 2.0
 * first as the presets list them.
 */
export function providerServers(provider: KnownProvider, how: How, address: string): { inbound: InboundSetting[]; outbound: OutboundSetting[] } {
  const inbound = INBOUND_PRESETS.filter((p) => p.tokenTemplates.includes(provider)).map(
    (p): InboundSetting => ({
      type: p.values.type,
      ...(p.values.host ? { host: p.values.host } : {}),
      port: p.values.port ?? typeInfo(p.values.type).defaultPort,
      security: typeInfo(p.values.type).security,
      auth: [p.values.authentication],
      username: address,
      preset: p.id,
      found: how,
    })
  );
  const outbound = OUTBOUND_PRESETS.filter((p) => p.tokenTemplates.includes(provider)).map(
    (p): OutboundSetting => ({
      type: p.values.type,
      ...(p.values.host ? { host: p.values.host } : {}),
      ...(p.values.port ? { port: p.values.port } : {}),
      // the REST APIs are https
      security: p.values.security ?? 'tls',
      auth: p.values.authentication ? [p.values.authentication] : [],
      username: address,
      preset: p.id,
      found: how,
    })
  );
  return { inbound, outbound };
}

/** The token template's endpoints for Google. */
export function googleOAuth(how: How): OAuthSetting {
  const endpoints = google.endpoints!(undefined);
  return { template: 'google', ...endpoints, scopes: google.defaultScope.split(' '), found: how };
}

/**
 * Microsoft's endpoints for the tenant: those of its OpenID configuration when it was read,
 * otherwise the template's for `fallbackTenant` (consumers for Outlook.com, organizations for
 * a Microsoft 365 domain whose tenant could not be read).
 */
export function microsoftOAuth(tenant: TenantFinding | undefined, fallbackTenant: 'consumers' | 'organizations', how: How): OAuthSetting {
  const scopes = microsoft.defaultScope.split(' ');
  if (!tenant) return { template: 'microsoft', tenant: fallbackTenant, ...microsoft.endpoints!(fallbackTenant), scopes, found: how };
  const defaults = microsoft.endpoints!(tenant.tenantId);
  return {
    template: 'microsoft',
    tenant: tenant.tenantId,
    issuer: tenant.issuer,
    authorizationEndpoint: tenant.authorizationEndpoint ?? defaults.authorizationEndpoint,
    tokenEndpoint: tenant.tokenEndpoint ?? defaults.tokenEndpoint,
    ...(tenant.deviceAuthorizationEndpoint ? { deviceAuthorizationEndpoint: tenant.deviceAuthorizationEndpoint } : {}),
    scopes,
    found: 'openid-configuration',
  };
}
