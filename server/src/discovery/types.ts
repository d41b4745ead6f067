import type { AccountType, Security } from '../inbound/account-types';
import type { OutboundType } from '../outbound/presets';

/**
 * What POST /discover answers: what a setup wizard needs to fill its forms, and how each part
 * was found, so that the page can say it. See docs/discovery.md.
 */
export type Provider = 'google' | 'microsoft' | 'other';

/** How a setting was found. */
export type How = 'known-domain' | 'mx' | 'openid-configuration' | 'autoconfig' | 'srv';

/** The lookups discovery runs; each has its own timeout. */
export type Lookup = 'mx' | 'microsoft-tenant' | 'autoconfig' | 'srv';

export type Auth = 'password' | 'oauth2';

/** A server to fetch from or send through, in the terms of the inbound/outbound account forms. */
export interface ServerSetting<T extends string = string> {
  type: T;
  /** Absent for the REST APIs, whose root is a plugin option (graphBaseUrl, gmailBaseUrl). */
  host?: string;
  port?: number;
  security: Security;
  /** What the server accepts that the plugin can do; empty when nothing said so. */
  auth: Auth[];
  /** The login name, when the source says it (autoconfig's %EMAILADDRESS% and friends resolved). */
  username?: string;
  /** The inbound/outbound preset these values come from (Google, Microsoft). */
  preset?: string;
  found: How;
}

export type InboundSetting = ServerSetting<AccountType>;
export type OutboundSetting = ServerSetting<OutboundType>;

export interface OAuthSetting {
  /** The token template that fits (google, microsoft, generic). */
  template: 'google' | 'microsoft' | 'generic';
  /** Microsoft: the tenant id, or consumers / organizations when none was found. */
  tenant?: string;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  scopes?: string[];
  found: How;
}

export interface Finding {
  what: 'provider' | 'tenant' | 'inbound' | 'outbound' | 'oauth';
  how: How;
  /** The record or URL it was found in (a host name, an MX host, a URL): data for the page's sentence. */
  detail: string;
}

export type LookupErrorCode = 'TIMEOUT' | 'NXDOMAIN' | 'NULL_MX' | 'DNS_ERROR' | 'HTTP_ERROR' | 'NETWORK_ERROR' | 'MALFORMED' | 'TOO_LARGE';

export interface LookupError {
  lookup: Lookup;
  code: LookupErrorCode;
  message: string;
}

/** One query or request made: what was asked and what came of it. */
export interface Checked {
  lookup: Lookup;
  target: string;
  result: 'found' | 'nothing' | 'error';
}

export interface DiscoveryResult {
  /** As given, with the domain in ASCII (punycode). */
  address: string;
  /** ASCII (punycode) form, as DNS and the servers know it. */
  domain: string;
  /** The domain for display (Unicode). */
  displayDomain: string;
  provider: Provider;
  tenantId?: string;
  inbound: InboundSetting[];
  outbound: OutboundSetting[];
  oauth?: OAuthSetting;
  found: Finding[];
  errors: LookupError[];
  checked: Checked[];
  /** The answer came from the cache (of the domain's lookups). */
  cached: boolean;
}

/** What a lookup hands the composer: its findings or a failure, and what it asked. */
export interface LookupOutcome<T> {
  value?: T;
  error?: LookupError;
  checked: Checked[];
}
