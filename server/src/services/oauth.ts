import * as client from 'openid-client';

import { MailAuthError } from '../errors';
import { adviseNetworkError, adviseProviderError, type Advice } from '../oauth/advice';
import { ConfigurationCache } from '../oauth/configuration-cache';
import { oauthFetch } from '../oauth/http';
import { isLoopbackUrl, type OAuthSettings, type TokenSet } from '../oauth/settings';

/** The HTTP client of a token's requests: the network policy's check first, when there is one. */
const fetchOf = (s: OAuthSettings): client.CustomFetch =>
  s.checkHost
    ? async (url, options) => {
        await s.checkHost!(new URL(url).hostname);
        return oauthFetch(url, options);
      }
    : oauthFetch;

/**
 * The plugin's only user of openid-client: builds authorization URLs and performs the
 * code, refresh and client-credentials grants. Knows nothing of the database.
 */

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

async function buildConfiguration(s: OAuthSettings): Promise<client.Configuration> {
  const { authorizationEndpoint, tokenEndpoint } = endpointsOf(s);
  const auth =
    s.clientAuthMethod === 'client_secret_basic'
      ? client.ClientSecretBasic(s.clientSecret)
      : s.clientSecret
        ? client.ClientSecretPost(s.clientSecret)
        : client.None();
  const urls = [s.issuer, authorizationEndpoint, tokenEndpoint].filter((u): u is string => Boolean(u));
  const insecure = s.allowHttpLoopback && urls.some((u) => u.startsWith('http:') && isLoopbackUrl(u));
  const execute = insecure ? [client.allowInsecureRequests] : [];

  let config: client.Configuration;
  if (!tokenEndpoint && s.issuer) {
    // OpenID discovery from the issuer the admin gave.
    config = await client.discovery(new URL(s.issuer), s.clientId, undefined, auth, {
      execute,
      timeout: s.timeoutSeconds,
      [client.customFetch]: fetchOf(s),
    });
  } else if (!tokenEndpoint) {
    throw new MailAuthError('VALIDATION', 'The token has no token endpoint and no issuer to discover it from.', {
      errors: [{ path: ['tokenEndpoint'], message: 'is required (or an issuer to discover it from)' }],
    });
  } else {
    const issuer = s.issuer || knownIssuer(s) || new URL(tokenEndpoint).origin;
    // Microsoft's multi-tenant endpoints publish a templated issuer; openid-client then
    // checks the id_token's iss against its tid claim (only for the real Microsoft origin).
    const entraMultiTenant = new URL(issuer).origin === 'https://login.microsoftonline.com';
    const metadata = {
      issuer: entraMultiTenant
        ? issuer.replace(/\/(common|organizations)\//, '/{tenantid}/')
        : issuer,
      authorization_endpoint: authorizationEndpoint,
      token_endpoint: tokenEndpoint,
    };
    // A static document through discovery(), so that openid-client applies that rule.
    config = await client.discovery(new URL(issuer), s.clientId, undefined, auth, {
      execute,
      timeout: s.timeoutSeconds,
      [client.customFetch]: staticMetadata(metadata),
    });
    // The static document was for discovery only: every later request goes to the network.
    config[client.customFetch] = fetchOf(s);
  }
  config.timeout = s.timeoutSeconds;
  return config;
}

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
export function toOAuthError(e: unknown, s: OAuthSettings, redirectUri?: string): OAuthRequestError | MailAuthError {
  if (e instanceof MailAuthError) return e;
  const context = { redirectUri, template: s.template.id };
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

export interface PendingAuthorization {
  url: string;
  codeVerifier?: string;
  nonce?: string;
}

export default () => {
  const configurations = new ConfigurationCache<client.Configuration>();
  const configuration = (s: OAuthSettings) => configurations.get(s, () => buildConfiguration(s));

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

    async clientCredentials(s: OAuthSettings): Promise<TokenSet> {
      try {
        const config = await configuration(s);
        return toTokenSet(await client.clientCredentialsGrant(config, s.scope ? { scope: s.scope } : {}));
      } catch (e) {
        throw toOAuthError(e, s);
      }
    },
  };
};
