import type { ProviderTemplate } from './types';

/** Any OAuth 2.0 server: the admin gives the endpoints, or an issuer to discover them from. */
export const generic: ProviderTemplate = {
  id: 'generic',
  name: 'Generic OAuth 2.0',
  grantType: 'authorization_code',
  fields: [
    'clientId',
    'clientSecret',
    'issuer',
    'authorizationEndpoint',
    'tokenEndpoint',
    'deviceAuthorizationEndpoint',
    'scope',
    'extraAuthorizationParams',
    'pkce',
  ],
  required: ['scope'],
  scopes: {},
  defaultScope: '',
  extraAuthorizationParams: {},
  pkce: true,
  docs: 'https://www.rfc-editor.org/rfc/rfc6749',
  // deviceAuthorizationEndpoint, else the issuer's discovery document names it (when the server offers the flow).
  deviceFlow: { endpoint: 'discovery' },
};

/** The same for an app-only (client credentials) token at any OAuth 2.0 server. */
export const genericClientCredentials: ProviderTemplate = {
  ...generic,
  id: 'generic-client-credentials',
  name: 'Generic OAuth 2.0 (client credentials)',
  grantType: 'client_credentials',
  fields: ['clientId', 'clientSecret', 'issuer', 'tokenEndpoint', 'scope'],
  required: ['clientSecret'],
  pkce: false,
  deviceFlow: undefined,
};
