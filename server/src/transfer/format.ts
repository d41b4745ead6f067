import { findTemplate, type GrantType, type ProviderTemplate } from '../providers';
import { google } from '../providers/google';
import { MICROSOFT_LOGIN, microsoftEndpoints } from '../providers/microsoft';
import type { FieldError } from '../errors';
import type { GrantEntry, RequestEntry, RequestName, TokenEntry } from './schema';

/**
 * The mapping between a token entry of a document (Znuny's shape plus `MailAuth`) and a
 * token's stored configuration. Pure: no database, no secrets service.
 *
 * Znuny describes a token by its requests (URLs and parameters); the plugin by a provider
 * template, a tenant and, for the generic template, endpoints. Reading detects the template
 * from the URLs unless `MailAuth.Template` names it; writing derives the URLs from the
 * template, so that an exported entry reads back to the same configuration.
 */

export interface Grant {
  accessToken: string | null;
  accessTokenExpiresAt: Date | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  grantedBy: string | null;
  grantedScope: string | null;
  grantedAt: Date | null;
}

/** A token's configuration as stored (secrets in clear here, encrypted in the database). */
export interface TokenConfig {
  name: string;
  template: string;
  grantType: GrantType;
  description: string | null;
  clientId: string;
  clientSecret: string | null;
  /** YYYY-MM-DD, as the admin entered it. */
  clientSecretExpiresOn: string | null;
  clientAuthMethod: 'client_secret_post' | 'client_secret_basic';
  tenant: string | null;
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  /** Sign in with a code; Znuny has no such request, so it is the plugin's own (MailAuth). */
  deviceAuthorizationEndpoint: string | null;
  scope: string | null;
  extraAuthorizationParams: Record<string, string> | null;
  pkce: boolean;
  active: boolean;
  notifyOnExpiredToken: boolean;
  notifyOnExpiredRefreshToken: boolean;
}

/**
 * What an entry says about a token. `undefined` means left out of the file: an import keeps
 * what is stored (the client id of a Znuny template, secrets of an export without them).
 */
export interface ImportedToken extends Omit<TokenConfig, 'clientId' | 'clientSecret'> {
  clientId: string | undefined;
  clientSecret: string | undefined;
  grant: Grant | undefined;
}

/** A stored token to export: secrets and grant only when the export includes them. */
export interface ExportedToken extends Omit<TokenConfig, 'clientSecret'> {
  clientSecret?: string | null;
  grant?: Grant;
}

export type ReadResult = { ok: true; token: ImportedToken } | { ok: false; errors: FieldError[] };

type Flow = 'AuthorizationCode' | 'ClientCredentials';

const FLOW_OF: Record<GrantType, Flow> = { authorization_code: 'AuthorizationCode', client_credentials: 'ClientCredentials' };
const GRANT_OF: Record<Flow, GrantType> = { AuthorizationCode: 'authorization_code', ClientCredentials: 'client_credentials' };

/** The requests each flow uses, and the grant_type each token request sends. */
const FLOW_REQUESTS: Record<Flow, RequestName[]> = {
  AuthorizationCode: ['AuthorizationCode', 'TokenByAuthorizationCode', 'TokenByRefreshToken'],
  ClientCredentials: ['TokenByClientCredentials'],
};
const GRANT_TYPE_PARAMETER: Partial<Record<RequestName, string>> = {
  TokenByAuthorizationCode: 'authorization_code',
  TokenByRefreshToken: 'refresh_token',
  TokenByClientCredentials: 'client_credentials',
};

/** Where each stored field lives in a document: for diffs and for problems to fix. */
export function documentPath(field: string, grantType: GrantType): string[] {
  const tokenRequest = grantType === 'client_credentials' ? 'TokenByClientCredentials' : 'TokenByAuthorizationCode';
  const paths: Record<string, string[]> = {
    name: ['Name'],
    clientId: ['Config', 'ClientID'],
    clientSecret: ['Config', 'ClientSecret'],
    scope: ['Config', 'Scope'],
    authorizationEndpoint: ['Config', 'Requests', 'AuthorizationCode', 'Request', 'URL'],
    tokenEndpoint: ['Config', 'Requests', tokenRequest, 'Request', 'URL'],
    extraAuthorizationParams: ['Config', 'Requests', 'AuthorizationCode', 'Request', 'Parameters'],
    notifyOnExpiredToken: ['Config', 'Notifications', 'NotifyOnExpiredToken'],
    notifyOnExpiredRefreshToken: ['Config', 'Notifications', 'NotifyOnExpiredRefreshToken'],
    template: ['MailAuth', 'Template'],
    grantType: ['Config', 'AuthFlow'],
    tenant: ['MailAuth', 'Tenant'],
    description: ['MailAuth', 'Description'],
    clientSecretExpiresOn: ['MailAuth', 'ClientSecretExpiresOn'],
    issuer: ['MailAuth', 'Issuer'],
    deviceAuthorizationEndpoint: ['MailAuth', 'DeviceAuthorizationEndpoint'],
    pkce: ['MailAuth', 'Pkce'],
    clientAuthMethod: ['MailAuth', 'ClientAuthMethod'],
    active: ['MailAuth', 'Active'],
    grant: ['MailAuth', 'Grant'],
  };
  return paths[field] ?? ['MailAuth', field];
}

/** The tenant of a Microsoft identity platform v2.0 URL, when `url` is exactly one. */
function microsoftTenantOf(url: string | undefined, endpoint: 'authorizationEndpoint' | 'tokenEndpoint'): string | undefined {
  if (!url?.startsWith(`${MICROSOFT_LOGIN}/`)) return undefined;
  const match = /^\/([^/?#]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(new URL(url).pathname);
  if (!match) return undefined;
  let tenant: string;
  try {
    tenant = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  return microsoftEndpoints(tenant)[endpoint] === url ? tenant : undefined;
}

/** The plugin template a Znuny configuration stands for, from its flow and URLs. */
export function detectTemplate(grantType: GrantType, urls: { authorizationEndpoint?: string; tokenEndpoint?: string }): string {
  const present = (['authorizationEndpoint', 'tokenEndpoint'] as const).filter((k) => urls[k]);
  if (present.length) {
    const googleUrls = google.endpoints!(undefined);
    if (grantType === 'authorization_code' && present.every((k) => urls[k] === googleUrls[k])) return google.id;
    const tenants = present.map((k) => microsoftTenantOf(urls[k], k));
    if (tenants.every(Boolean) && new Set(tenants).size === 1) {
      return grantType === 'client_credentials' ? 'microsoft-app-only' : 'microsoft';
    }
  }
  return grantType === 'client_credentials' ? 'generic-client-credentials' : 'generic';
}

const trimmed = (value: string | null | undefined) => {
  const t = value?.trim();
  return t ? t : null;
};

const dateOrNull = (value: string | null | undefined) => (value ? new Date(value) : null);

function readGrant(grant: GrantEntry): Grant {
  return {
    accessToken: grant.AccessToken || null,
    accessTokenExpiresAt: dateOrNull(grant.AccessTokenExpiresAt),
    refreshToken: grant.RefreshToken || null,
    refreshTokenExpiresAt: dateOrNull(grant.RefreshTokenExpiresAt),
    grantedBy: trimmed(grant.GrantedBy),
    grantedScope: trimmed(grant.GrantedScope),
    grantedAt: dateOrNull(grant.GrantedAt),
  };
}

/** Reads a token entry (already checked against the schema) into a token configuration. */
export function readTokenEntry(entry: TokenEntry): ReadResult {
  const errors: FieldError[] = [];
  const fail = (path: string[], message: string) => errors.push({ path, message });
  const requests: Partial<Record<RequestName, RequestEntry>> = entry.Config.Requests ?? {};
  const mailAuth = entry.MailAuth ?? {};

  const onlyClientCredentials = Boolean(requests.TokenByClientCredentials) && !FLOW_REQUESTS.AuthorizationCode.some((r) => requests[r]);
  const flow: Flow = entry.Config.AuthFlow ?? (onlyClientCredentials ? 'ClientCredentials' : 'AuthorizationCode');
  const grantType = GRANT_OF[flow];
  const requestPath = (name: RequestName, ...rest: string[]) => ['Config', 'Requests', name, ...rest];

  for (const name of Object.keys(requests) as RequestName[]) {
    const request = requests[name];
    if (!request) continue;
    if (!FLOW_REQUESTS[flow].includes(name)) {
      fail(requestPath(name), `is not used by the ${flow} flow (Config.AuthFlow)`);
      continue;
    }
    const expectedGrant = GRANT_TYPE_PARAMETER[name];
    for (const [key, value] of Object.entries(request.Request.Parameters ?? {})) {
      if (expectedGrant && key !== 'grant_type') {
        fail(requestPath(name, 'Request', 'Parameters', key), 'is not supported: the plugin sends the standard parameters of this grant');
      } else if (expectedGrant && value !== expectedGrant) {
        fail(requestPath(name, 'Request', 'Parameters', key), `must be ${expectedGrant}`);
      } else if (!expectedGrant && key === 'response_type' && value !== 'code') {
        fail(requestPath(name, 'Request', 'Parameters', key), 'must be code (the plugin uses the authorization code flow)');
      }
    }
  }

  const urlOf = (name: RequestName) => trimmed(requests[name]?.Request.URL) ?? undefined;
  const authorizationUrl = flow === 'AuthorizationCode' ? urlOf('AuthorizationCode') : undefined;
  let tokenUrl: string | undefined;
  if (flow === 'ClientCredentials') {
    tokenUrl = urlOf('TokenByClientCredentials');
  } else {
    const byCode = urlOf('TokenByAuthorizationCode');
    const byRefresh = urlOf('TokenByRefreshToken');
    if (byCode && byRefresh && byCode !== byRefresh) {
      fail(requestPath('TokenByRefreshToken', 'Request', 'URL'), 'must be the URL of TokenByAuthorizationCode: the plugin uses one token endpoint');
    }
    tokenUrl = byCode ?? byRefresh;
  }

  const templateId = mailAuth.Template ?? detectTemplate(grantType, { authorizationEndpoint: authorizationUrl, tokenEndpoint: tokenUrl });
  const template = findTemplate(templateId) as ProviderTemplate;
  if (template.grantType !== grantType) {
    fail(['MailAuth', 'Template'], `is a template for the ${FLOW_OF[template.grantType]} flow, but Config.AuthFlow is ${flow}`);
  }

  // The tenant: MailAuth.Tenant and the tenant in Microsoft URLs must agree.
  let tenant: string | null = null;
  const declaredTenant = trimmed(mailAuth.Tenant);
  if (!template.fields.includes('tenant')) {
    if (declaredTenant) fail(['MailAuth', 'Tenant'], `is only used by the Microsoft templates, not by ${template.id}`);
  } else {
    const inUrls = [microsoftTenantOf(authorizationUrl, 'authorizationEndpoint'), microsoftTenantOf(tokenUrl, 'tokenEndpoint')];
    const candidates = [...new Set([declaredTenant, ...inUrls].filter((t): t is string => Boolean(t)))];
    if (candidates.length > 1) {
      fail(declaredTenant ? ['MailAuth', 'Tenant'] : documentPath('tokenEndpoint', grantType), `names tenants that differ: ${candidates.join(', ')}`);
    }
    tenant = candidates[0] ?? template.defaultTenant ?? null;
  }

  // URLs the template derives are not stored; any other URL is (the generic template's endpoints).
  const derived = template.endpoints?.(tenant ?? undefined);
  const authorizationEndpoint = authorizationUrl && authorizationUrl !== derived?.authorizationEndpoint ? authorizationUrl : null;
  const tokenEndpoint = tokenUrl && tokenUrl !== derived?.tokenEndpoint ? tokenUrl : null;

  // Parameters of the authorization request beyond those the template always sends.
  const extra: Record<string, string> = {};
  if (flow === 'AuthorizationCode') {
    for (const [key, value] of Object.entries(requests.AuthorizationCode?.Request.Parameters ?? {})) {
      if (key === 'response_type' || template.extraAuthorizationParams[key] === value) continue;
      extra[key] = value;
    }
  }

  if (errors.length) return { ok: false, errors };
  const notifications = entry.Config.Notifications ?? {};
  return {
    ok: true,
    token: {
      name: entry.Name,
      template: template.id,
      grantType: template.grantType,
      description: trimmed(mailAuth.Description),
      clientId: trimmed(entry.Config.ClientID) ?? undefined,
      clientSecret: entry.Config.ClientSecret || undefined,
      clientSecretExpiresOn: mailAuth.ClientSecretExpiresOn ?? null,
      clientAuthMethod: mailAuth.ClientAuthMethod ?? 'client_secret_post',
      tenant,
      issuer: trimmed(mailAuth.Issuer),
      authorizationEndpoint,
      tokenEndpoint,
      deviceAuthorizationEndpoint: trimmed(mailAuth.DeviceAuthorizationEndpoint),
      scope: trimmed(entry.Config.Scope) ?? (template.defaultScope || null),
      extraAuthorizationParams: Object.keys(extra).length ? extra : null,
      pkce: mailAuth.Pkce ?? template.pkce,
      active: mailAuth.Active ?? (entry.ValidID ? entry.ValidID === '1' : true),
      notifyOnExpiredToken: notifications.NotifyOnExpiredToken ?? true,
      notifyOnExpiredRefreshToken: notifications.NotifyOnExpiredRefreshToken ?? true,
      grant: mailAuth.Grant ? readGrant(mailAuth.Grant) : undefined,
    },
  };
}

const sortedKeys = (map: Record<string, string>) =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const TOKEN_ANSWER_MAPPING = {
  access_token: 'Token',
  error: 'ErrorMessage',
  error_description: 'ErrorDescription',
  expires_in: 'TokenExpirationDate',
  refresh_token: 'RefreshToken',
};

/** One request in Znuny's shape; the mappings say what Znuny fills in, as its templates do. */
function request(url: string | undefined, parameters: Record<string, string>, autofilled: Record<string, string>, answer: Record<string, string>) {
  return {
    Request: {
      ...(url ? { URL: url } : {}),
      Parameters: sortedKeys(parameters),
      AutofilledParametersMapping: sortedKeys(autofilled),
    },
    Response: { ParametersMapping: sortedKeys(answer) },
  };
}

function writeGrant(grant: Grant) {
  const out: Record<string, string> = {};
  const put = (key: string, value: string | Date | null) => {
    if (value) out[key] = value instanceof Date ? value.toISOString() : value;
  };
  put('AccessToken', grant.accessToken);
  put('AccessTokenExpiresAt', grant.accessTokenExpiresAt);
  put('RefreshToken', grant.refreshToken);
  put('RefreshTokenExpiresAt', grant.refreshTokenExpiresAt);
  put('GrantedBy', grant.grantedBy);
  put('GrantedScope', grant.grantedScope);
  put('GrantedAt', grant.grantedAt);
  return out;
}

/** Writes a stored token as a document entry; keys in a fixed order, so exports diff cleanly. */
export function writeTokenEntry(token: ExportedToken) {
  const template = findTemplate(token.template);
  // A Microsoft template without a tenant has no URL to show: /common would be made up.
  const derived = template?.endpoints && (token.tenant || !template.fields.includes('tenant')) ? template.endpoints(token.tenant ?? undefined) : undefined;
  const tokenUrl = token.tokenEndpoint ?? derived?.tokenEndpoint;
  const secretInBody: Record<string, string> = token.clientAuthMethod === 'client_secret_post' ? { client_secret: 'ClientSecret' } : {};
  const flow = FLOW_OF[token.grantType];

  const requests =
    flow === 'ClientCredentials'
      ? {
          TokenByClientCredentials: request(
            tokenUrl,
            { grant_type: 'client_credentials' },
            { client_id: 'ClientID', ...secretInBody, scope: 'Scope' },
            { access_token: 'Token', error: 'ErrorMessage', error_description: 'ErrorDescription', expires_in: 'TokenExpirationDate' }
          ),
        }
      : {
          AuthorizationCode: request(
            token.authorizationEndpoint ?? derived?.authorizationEndpoint,
            { response_type: 'code', ...(template?.extraAuthorizationParams ?? {}), ...(token.extraAuthorizationParams ?? {}) },
            { client_id: 'ClientID', redirect_uri: 'RedirectURL', scope: 'Scope', state: 'State' },
            { code: 'AuthorizationCode', state: 'State' }
          ),
          TokenByAuthorizationCode: request(
            tokenUrl,
            { grant_type: 'authorization_code' },
            { client_id: 'ClientID', ...secretInBody, code: 'AuthorizationCode', redirect_uri: 'RedirectURL' },
            TOKEN_ANSWER_MAPPING
          ),
          TokenByRefreshToken: request(
            tokenUrl,
            { grant_type: 'refresh_token' },
            { client_id: 'ClientID', ...secretInBody, refresh_token: 'RefreshToken' },
            TOKEN_ANSWER_MAPPING
          ),
        };

  const hasGrant = token.grant && (token.grant.accessToken || token.grant.refreshToken);
  return {
    Kind: 'OAuth2Token',
    Name: token.name,
    Config: {
      AuthFlow: flow,
      ClientID: token.clientId,
      ...(token.clientSecret ? { ClientSecret: token.clientSecret } : {}),
      ...(token.scope ? { Scope: token.scope } : {}),
      Requests: requests,
      Notifications: {
        NotifyOnExpiredToken: token.notifyOnExpiredToken ? 1 : 0,
        NotifyOnExpiredRefreshToken: token.notifyOnExpiredRefreshToken ? 1 : 0,
      },
    },
    MailAuth: {
      Template: token.template,
      ...(token.tenant ? { Tenant: token.tenant } : {}),
      ...(token.description ? { Description: token.description } : {}),
      ...(token.clientSecretExpiresOn ? { ClientSecretExpiresOn: token.clientSecretExpiresOn } : {}),
      ...(token.issuer ? { Issuer: token.issuer } : {}),
      ...(token.deviceAuthorizationEndpoint ? { DeviceAuthorizationEndpoint: token.deviceAuthorizationEndpoint } : {}),
      Pkce: token.pkce,
      ClientAuthMethod: token.clientAuthMethod,
      Active: token.active,
      ...(hasGrant ? { Grant: writeGrant(token.grant!) } : {}),
    },
  };
}
