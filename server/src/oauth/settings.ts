import type { GrantType, ProviderTemplate } from '../providers';

/** Everything needed to talk to a token's provider: the stored token, resolved and decrypted. */
export interface OAuthSettings {
  /** The stored token's name, for advice that names it. */
  tokenName?: string;
  template: ProviderTemplate;
  grantType: GrantType;
  clientId: string;
  clientSecret?: string;
  clientAuthMethod: 'client_secret_post' | 'client_secret_basic';
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  tenant?: string;
  scope: string;
  extraAuthorizationParams: Record<string, string>;
  pkce: boolean;
  timeoutSeconds: number;
  allowHttpLoopback: boolean;
  /** Refuses a host the plugin's allowedHosts / deniedNetworks forbid, before each request to it. */
  checkHost?: (host: string) => Promise<void>;
}

/** What a successful token request left us with, provider differences smoothed out. */
export interface TokenSet {
  accessToken: string;
  expiresAt: Date | null;
  /** Absent when the provider did not send one (Google on refresh, client credentials). */
  refreshToken?: string;
  refreshTokenExpiresAt?: Date | null;
  scope?: string;
  /** Who granted it, from the id_token: email, preferred_username or upn, else sub. */
  grantedBy?: string;
}

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

export const isLoopbackUrl = (url: string) => {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
};

/**
 * Why providers would refuse this redirect URI, if they would: Microsoft and Google accept
 * http only for localhost and loopback addresses; anything else must be https.
 */
export const redirectUriProblem = (uri: string): string | undefined => {
  if (uri.startsWith('https://') || isLoopbackUrl(uri)) return undefined;
  return 'The redirect URI is not https: Microsoft, Google and most providers accept http only for localhost. Set server.url to the https address at which the admins’ browsers reach Strapi.';
};
