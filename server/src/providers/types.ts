export type GrantType = 'authorization_code' | 'client_credentials';

/** What a token is used for; each use has its own default scope at each provider. */
export type ScopeUse = 'imap' | 'pop3' | 'smtp' | 'mail' | 'graph' | 'gmail-api' | 'app-only';

/** The form fields a template asks for; the admin panel shows exactly these. */
export type TemplateField =
  | 'clientId'
  | 'clientSecret'
  | 'tenant'
  | 'scope'
  | 'issuer'
  | 'authorizationEndpoint'
  | 'tokenEndpoint'
  | 'deviceAuthorizationEndpoint'
  | 'extraAuthorizationParams'
  | 'pkce';

export interface Endpoints {
  authorizationEndpoint?: string;
  tokenEndpoint: string;
  /** RFC 8628 device authorization endpoint (Sign in with a code), where the provider has one. */
  deviceAuthorizationEndpoint?: string;
}

/**
 * Sign in with a code (the device authorization grant, RFC 8628), for Strapi instances that
 * have no public https callback. `endpoint`: the template's own URL, or (generic) the token's
 * deviceAuthorizationEndpoint else the issuer's discovery document (`device_authorization_endpoint`);
 * a token's deviceAuthorizationEndpoint overrides the template's, as its other endpoints do. `refusedScopes`: scopes (or prefixes of scopes)
 * the provider never grants through this flow, refused before the provider is asked.
 */
export interface DeviceFlow {
  endpoint: 'template' | 'discovery';
  refusedScopes?: string[];
  /** Why those scopes are refused and what to do instead. */
  refusedScopesAdvice?: string;
}

/**
 * A provider template: plain data plus small pure functions. The real endpoints live here
 * and only here; tests point tokens at local servers through the generic template or by
 * overriding endpoints.
 */
export interface ProviderTemplate {
  id: string;
  name: string;
  grantType: GrantType;
  fields: TemplateField[];
  /** Required fields beyond name and clientId. */
  required: TemplateField[];
  /** Tenant choices offered (Microsoft); any other value must be a tenant id or domain. */
  tenantChoices?: string[];
  defaultTenant?: string;
  /** Scopes proposed per use; the first is the default. */
  scopes: Partial<Record<ScopeUse, string>>;
  defaultScope: string;
  /** Parameters always added to the authorization request. */
  extraAuthorizationParams: Record<string, string>;
  pkce: boolean;
  /** Endpoints derived from the template (and tenant); undefined for the generic template. */
  endpoints?: (tenant: string | undefined) => Endpoints;
  /** Documentation the form links to. */
  docs: string;
  /** Absent: the provider has no device flow (or the template's grant needs no person). */
  deviceFlow?: DeviceFlow;
}
