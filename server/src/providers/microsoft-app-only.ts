import { microsoftEndpoints } from './microsoft';
import type { ProviderTemplate } from './types';

/**
 * Exchange Online app-only access (client credentials). Microsoft only issues app tokens
 * from a tenant's own endpoint, so a tenant id or domain is required and the multi-tenant
 * aliases are refused (see tokens validation).
 */
export const microsoftAppOnly: ProviderTemplate = {
  id: 'microsoft-app-only',
  name: 'Microsoft Exchange Online (app-only)',
  grantType: 'client_credentials',
  fields: ['clientId', 'clientSecret', 'tenant', 'scope'],
  required: ['clientSecret', 'tenant', 'scope'],
  scopes: {
    'app-only': 'https://outlook.office365.com/.default',
    graph: 'https://graph.microsoft.com/.default',
  },
  defaultScope: 'https://outlook.office365.com/.default',
  extraAuthorizationParams: {},
  pkce: false,
  endpoints: microsoftEndpoints,
  docs: 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections',
};
