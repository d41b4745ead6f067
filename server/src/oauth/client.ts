import * as client from 'openid-client';

import { MailAuthError } from '../errors';
import { adviseNetworkError, adviseProviderError, type Advice } from './advice';
import { ConfigurationCache } from './configuration-cache';
import { deviceFetch } from './device-fetch';
import { oauthFetch } from './http';
import { isLoopbackUrl, type OAuthSettings, type TokenSet } from './settings';

/** The HTTP client of a token's requests: the network policy's check first, when there is one. */
const fetchOf = (s: OAuthSettings): client.CustomFetch =>
  s.checkHost
    ? async (url, options) => {
        await s.checkHost!(new URL(url).hostname);
        return oauthFetch(url, options);
      }
    : oauthFetch;

/** A provider or network failure, with advice; `reauthorize` says the grant is gone. */
export class OAuthRequestError extends MailAuthError {
  readonly detail: Advice;
  constructor(detail: Advice, cause: unknown) {
    super(detail.transient ? 'NETWORK_ERROR' : detail.reauthorize ? 'REAUTHORIZATION_REQUIRED' : 'PROVIDER_ERROR', detail.message, {
      advice: detail.advice,
      providerCode: detail.code,
      cause,
    });
    this.detail = detail;
  }
}

const staticMetadata = (metadata: Record<string, unknown>): client.CustomFetch =>
  (async () =>
    new Response(JSON.stringify(metadata), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })) as client.CustomFetch;

const endpointsOf = (s: OAuthSettings) => {
  const derived = s.template.endpoints?.(s.tenant);
  return {
    authorizationEndpoint: s.authorizationEndpoint || derived?.authorizationEndpoint,
    tokenEndpoint: s.tokenEndpoint || derived?.tokenEndpoint,
    deviceAuthorizationEndpoint: s.deviceAuthorizationEndpoint || derived?.deviceAuthorizationEndpoint,
  };
};

/** The issuer whose id_tokens we accept, for the templates whose provider we know. */
const knownIssuer = (s: OAuthSettings): string | undefined => {
  if (s.template.id === 'google') return 'https://accounts.google.com';
  if (s.template.id.startsWith('microsoft')) {
    const { tokenEndpoint } = endpointsOf(s);
    return tokenEndpoint?.replace(/\/oauth2\/v2\.0\/token$/, '/v2.0');
  }
  return undefined;
};

/** openid-client's plain-http permission: only for loopback test servers, only when the plugin allows it. */
const executeFor = (s: OAuthSettings, urls: (string | undefined)[]) =>
  s.allowHttpLoopback && urls.some((u) => u?.startsWith('http:') && isLoopbackUrl(u)) ? [client.allowInsecureRequests] : [];

/**
 * A configuration from a document we already have, through discovery() so that openid-client
 * applies its rules. `issuer`: the URL discovered "from" (for Microsoft's multi-tenant endpoints
 * the document's issuer is a template, which openid-client matches against it).
 */
async function fromDocument(
  s: OAuthSettings,
  issuer: string,
  metadata: Record<string, unknown>,
  auth: client.ClientAuth,
  execute: ReturnType<typeof executeFor>
): Promise<client.Configuration> {
  const config = await client.discovery(new URL(issuer), s.clientId, undefined, auth, {
    execute,
    timeout: s.timeoutSeconds,
    [client.customFetch]: staticMetadata(metadata),
  });
  // The static document was for discovery only: every later request goes to the network.
  config[client.customFetch] = fetchOf(s);
  return config;
}

/**
 * The openid-client configuration of a token. `discoveredDeviceEndpoint`: the device
 * authorization endpoint the issuer's discovery named, for a token whose other endpoints are
 * given (the token's own deviceAuthorizationEndpoint, or the template's, come first).
 */
async function buildConfiguration(s: OAuthSettings, discoveredDeviceEndpoint?: string): Promise<client.Configuration> {
  const { authorizationEndpoint, tokenEndpoint, deviceAuthorizationEndpoint = discoveredDeviceEndpoint } = endpointsOf(s);
  const auth =
    s.clientAuthMethod === 'client_secret_basic'
      ? client.ClientSecretBasic(s.clientSecret)
      : s.clientSecret
        ? client.ClientSecretPost(s.clientSecret)
        : client.None();
  const execute = executeFor(s, [s.issuer, authorizationEndpoint, tokenEndpoint, deviceAuthorizationEndpoint]);

  let config: client.Configuration;
  if (!tokenEndpoint && s.issuer) {
    // OpenID discovery from the issuer the admin gave.
    config = await client.discovery(new URL(s.issuer), s.clientId, undefined, auth, {
      execute,
      timeout: s.timeoutSeconds,
      [client.customFetch]: fetchOf(s),
    });
    const discovered = config.serverMetadata();
    if (deviceAuthorizationEndpoint && discovered.device_authorization_endpoint !== deviceAuthorizationEndpoint) {
      // The token names its own device endpoint: the discovered document with that one.
      config = await fromDocument(s, s.issuer, { ...discovered, device_authorization_endpoint: deviceAuthorizationEndpoint }, auth, execute);
    }
  } else if (!tokenEndpoint) {
    throw new MailAuthError('VALIDATION', 'The token has no token endpoint and no issuer to discover it from.', {
      errors: [{ path: ['tokenEndpoint'], message: 'is required (or an issuer to discover it from)' }],
    });
  } else {
    const issuer = s.issuer || knownIssuer(s) || new URL(tokenEndpoint).origin;
    // Microsoft's multi-tenant endpoints publish a templated issuer; openid-client then
    // checks the id_token's iss against its tid claim (only for the real Microsoft origin).
    const entraMultiTenant = new URL(issuer).origin === 'https://login.microsoftonline.com';
    config = await fromDocument(
      s,
      issuer,
      {
        issuer: entraMultiTenant ? issuer.replace(/\/(common|organizations)\//, '/{tenantid}/') : issuer,
        authorization_endpoint: authorizationEndpoint,
        token_endpoint: tokenEndpoint,
        device_authorization_endpoint: deviceAuthorizationEndpoint,
      },
      auth,
      execute
    );
  }
  config.timeout = s.timeoutSeconds;
  return config;
}

/**
 * The configuration for Sign in with a code: the token's own, with the device authorization
 * endpoint of the token, else of the template, else of the issuer's discovery document.
 */
async function buildDeviceConfiguration(s: OAuthSettings, base: client.Configuration): Promise<client.Configuration> {
  if (!s.template.deviceFlow) {
    throw new MailAuthError('VALIDATION', `The ${s.template.name} template has no sign-in with a code.`, {
      errors: [{ path: ['template'], message: 'does not support the device authorization grant' }],
    });
  }
  let endpoint = base.serverMetadata().device_authorization_endpoint;
  if (!endpoint) {
    if (!s.issuer) {
      throw new MailAuthError('VALIDATION', 'Sign in with a code needs the device authorization endpoint of the server, or its issuer to discover it from.', {
        errors: [{ path: ['deviceAuthorizationEndpoint'], message: 'is required for sign-in with a code (or an issuer whose discovery document names it)' }],
      });
    }
    if (endpointsOf(s).tokenEndpoint) {
      // The token's endpoints are given (else base came from discovery): the issuer may still name one.
      const discovered = await client.discovery(new URL(s.issuer), s.clientId, undefined, client.None(), {
        execute: executeFor(s, [s.issuer]),
        timeout: s.timeoutSeconds,
        [client.customFetch]: fetchOf(s),
      });
      endpoint = discovered.serverMetadata().device_authorization_endpoint;
    }
    if (!endpoint) {
      throw new MailAuthError('VALIDATION', `The issuer ${s.issuer} names no device authorization endpoint: this server does not offer sign-in with a code.`, {
        advice: 'Use Generate tokens, enter the server\'s device authorization endpoint, or enable the device authorization grant (RFC 8628) on the server.',
        errors: [{ path: ['deviceAuthorizationEndpoint'], message: 'is not in the issuer\'s discovery document: enter it, if the server has one' }],
      });
    }
  }
  // A configuration of its own (the cached one serves the other grants), whose requests go
  // through deviceFetch: Google names the verification URL differently.
  const config = await buildConfiguration(s, endpoint);
  config[client.customFetch] = deviceFetch(endpoint, fetchOf(s));
  return config;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const wantsOpenId = (scope: string) => scope.split(/\s+/).includes('openid');

function toTokenSet(answer: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): TokenSet {
  const expiresIn = answer.expiresIn();
  const rtExpiresIn = Number((answer as Record<string, unknown>).refresh_token_expires_in);
  let grantedBy: string | undefined;
  const claims = answer.id_token ? answer.claims() : undefined;
  if (claims) {
    grantedBy = [claims.email, claims.preferred_username, claims.upn, claims.sub].find(
      (v): v is string => typeof v === 'string' && v.length > 0
    );
  }
  return {
    accessToken: answer.access_token,
    expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
    refreshToken: answer.refresh_token || undefined,
    refreshTokenExpiresAt: Number.isFinite(rtExpiresIn) && rtExpiresIn > 0 ? new Date(Date.now() + rtExpiresIn * 1000) : undefined,
    scope: answer.scope,
    grantedBy,
  };
}

/** Any failure of openid-client or fetch as an OAuthRequestError with advice. */
export function toOAuthError(e: unknown, s: OAuthSettings, redirectUri?: string, flow?: 'device'): OAuthRequestError | MailAuthError {
  if (e instanceof MailAuthError) return e;
  const context = { redirectUri, template: s.template.id, tokenName: s.tokenName, clientId: s.clientId, flow };
  if (e instanceof client.ResponseBodyError) {
    const body = (e.cause ?? {}) as { error_codes?: number[] };
    return new OAuthRequestError(
      adviseProviderError(
        { error: e.error, error_description: e.error_description, error_codes: body.error_codes, status: e.status },
        context
      ),
      e
    );
  }
  if (e instanceof client.AuthorizationResponseError) {
    return new OAuthRequestError(adviseProviderError({ error: e.error, error_description: e.error_description }, context), e);
  }
  const response = (e as { cause?: unknown })?.cause;
  if (response instanceof Response) {
    return new OAuthRequestError(adviseProviderError({ status: response.status }, context), e);
  }
  const endpoint = endpointsOf(s).tokenEndpoint ?? s.issuer ?? 'the provider';
  if (e instanceof client.ClientError && (e.code === 'OAUTH_TIMEOUT' || e.code === 'OAUTH_ABORT')) {
    return new OAuthRequestError(adviseNetworkError(new Error('timeout'), endpoint), e);
  }
  if (e instanceof client.ClientError && e.cause instanceof TypeError) {
    return new OAuthRequestError(adviseNetworkError(e.cause, endpoint), e);
  }
  if (e instanceof client.ClientError) {
    const cause = e.cause instanceof Error ? e.cause.message : undefined;
    return new OAuthRequestError(
      {
        code: e.code ?? 'protocol_error',
        message: cause && cause !== e.message ? `${e.message}: ${cause}` : e.message,
        advice: 'The provider\'s answer did not pass validation. Check the issuer and endpoints of the token.',
        reauthorize: false,
        transient: false,
      },
      e
    );
  }
  return new OAuthRequestError(adviseNetworkError(e, endpoint), e);
}

/** What the provider's device authorization endpoint answered (RFC 8628 §3.2), durations in seconds. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  /** The least time between two polls; 5 s when the provider names none (§3.5). */
  interval: number;
}

/** One poll of the token endpoint with the device code (RFC 8628 §3.4, §3.5). */
export type DevicePoll =
  | { outcome: 'authorized'; tokens: TokenSet }
  | { outcome: 'pending' }
  /** Poll less often: the interval grows by 5 s. */
  | { outcome: 'slow-down' }
  /** The person refused, or the code ran out before it was entered: a new code is needed. */
  | { outcome: 'denied' | 'expired'; error: OAuthRequestError };

/** The error codes that end a device grant, and how (Microsoft says authorization_declined). */
const DEVICE_ENDINGS: Record<string, 'denied' | 'expired'> = {
  access_denied: 'denied',
  authorization_declined: 'denied',
  expired_token: 'expired',
};

export interface PendingAuthorization {
  url: string;
  codeVerifier?: string;
  nonce?: string;
}

/**
 * The plugin's only user of openid-client: builds authorization URLs and performs the code,
 * refresh, device and client-credentials grants. Knows nothing of the database. Each client
 * keeps its own cache of configurations; the `oauth` service holds the plugin's one.
 */
export function createOAuthClient() {
  const configurations = new ConfigurationCache<client.Configuration>();
  const configuration = (s: OAuthSettings) => configurations.get(s, () => buildConfiguration(s));
  const deviceConfigurations = new ConfigurationCache<client.Configuration>();
  const deviceConfiguration = (s: OAuthSettings) =>
    deviceConfigurations.get(s, async () => buildDeviceConfiguration(s, await configuration(s)));

  return {
    async authorizationUrl(s: OAuthSettings, redirectUri: string, state: string): Promise<PendingAuthorization> {
      try {
        const config = await configuration(s);
        const params: Record<string, string> = {
          ...s.template.extraAuthorizationParams,
          ...s.extraAuthorizationParams,
          redirect_uri: redirectUri,
          scope: s.scope,
          state,
          response_type: 'code',
        };
        const pending: PendingAuthorization = { url: '' };
        if (s.pkce) {
          pending.codeVerifier = client.randomPKCECodeVerifier();
          params.code_challenge = await client.calculatePKCECodeChallenge(pending.codeVerifier);
          params.code_challenge_method = 'S256';
        }
        if (wantsOpenId(s.scope)) {
          pending.nonce = client.randomNonce();
          params.nonce = pending.nonce;
        }
        pending.url = client.buildAuthorizationUrl(config, params).href;
        return pending;
      } catch (e) {
        throw toOAuthError(e, s, redirectUri);
      }
    },

    async exchangeCode(
      s: OAuthSettings,
      callbackUrl: URL,
      checks: { state: string; codeVerifier?: string; nonce?: string; redirectUri: string }
    ): Promise<TokenSet> {
      try {
        const config = await configuration(s);
        const answer = await client.authorizationCodeGrant(
          config,
          callbackUrl,
          {
            expectedState: checks.state,
            pkceCodeVerifier: checks.codeVerifier,
            expectedNonce: checks.nonce,
            idTokenExpected: false,
          },
          { redirect_uri: checks.redirectUri }
        );
        return toTokenSet(answer);
      } catch (e) {
        throw toOAuthError(e, s, checks.redirectUri);
      }
    },

    /**
     * Sends a scope with the refresh: Microsoft issues a token for the first resource of the
     * grant otherwise. Microsoft gets the configured scope, as documented; others get the scope
     * they granted, since asking for more than was granted (offline_access, say) is refused.
     */
    async refresh(s: OAuthSettings, refreshToken: string, grantedScope?: string): Promise<TokenSet> {
      try {
        const config = await configuration(s);
        const scope = s.template.id.startsWith('microsoft') ? s.scope : grantedScope || s.scope;
        return toTokenSet(await client.refreshTokenGrant(config, refreshToken, { scope }));
      } catch (e) {
        throw toOAuthError(e, s);
      }
    },

    /** Sign in with a code: asks the provider for a device code and the code the person enters. */
    async startDeviceAuthorization(s: OAuthSettings): Promise<DeviceAuthorization> {
      const refused = s.template.deviceFlow?.refusedScopes?.filter((r) => s.scope.split(/\s+/).some((scope) => scope.startsWith(r)));
      if (refused?.length) {
        throw new MailAuthError('VALIDATION', `${s.template.name} does not grant ${refused.join(', ')} through sign-in with a code.`, {
          advice: s.template.deviceFlow?.refusedScopesAdvice,
          errors: [{ path: ['scope'], message: `${refused.join(', ')} cannot be granted through sign-in with a code` }],
        });
      }
      try {
        const config = await deviceConfiguration(s);
        const answer = await client.initiateDeviceAuthorization(config, { scope: s.scope });
        return {
          deviceCode: answer.device_code,
          userCode: answer.user_code,
          verificationUri: answer.verification_uri,
          verificationUriComplete: answer.verification_uri_complete,
          expiresIn: answer.expires_in,
          interval: answer.interval ?? 5,
        };
      } catch (e) {
        throw toOAuthError(e, s, undefined, 'device');
      }
    },

    /**
     * One poll with the device code. A single request rather than openid-client's polling loop
     * (pollDeviceAuthorizationGrant), because the plugin's instances take turns polling a grant
     * (each poll under the grant's lease, the interval kept in the database).
     */
    async pollDeviceAuthorization(s: OAuthSettings, deviceCode: string): Promise<DevicePoll> {
      try {
        const config = await deviceConfiguration(s);
        return { outcome: 'authorized', tokens: toTokenSet(await client.genericGrantRequest(config, DEVICE_CODE_GRANT, { device_code: deviceCode })) };
      } catch (e) {
        if (e instanceof client.ResponseBodyError) {
          if (e.error === 'authorization_pending') return { outcome: 'pending' };
          if (e.error === 'slow_down') return { outcome: 'slow-down' };
          const ending = DEVICE_ENDINGS[e.error];
          if (ending) return { outcome: ending, error: toOAuthError(e, s, undefined, 'device') as OAuthRequestError };
        }
        throw toOAuthError(e, s, undefined, 'device');
      }
    },

    async clientCredentials(s: OAuthSettings): Promise<TokenSet> {
      try {
        const config = await configuration(s);
        return toTokenSet(await client.clientCredentialsGrant(config, s.scope ? { scope: s.scope } : {}));
      } catch (e) {
        throw toOAuthError(e, s);
      }
    },
  };
}

export type OAuthClient = ReturnType<typeof createOAuthClient>;
