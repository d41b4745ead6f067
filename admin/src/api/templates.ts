import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';

/** The form fields a template asks for (server: providers/types.ts). */
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

export type GrantType = 'authorization_code' | 'client_credentials';

/** A provider template as GET /mail-auth/templates shows it. */
export interface Template {
  id: string;
  name: string;
  grantType: GrantType;
  fields: TemplateField[];
  /** Required beyond name and client id. */
  required: TemplateField[];
  tenantChoices?: string[];
  defaultTenant?: string;
  /** Proposed scopes per use (mail, imap, graph …). */
  scopes: Record<string, string>;
  defaultScope: string;
  extraAuthorizationParams: Record<string, string>;
  pkce: boolean;
  endpoints?: { authorizationEndpoint?: string; tokenEndpoint: string; deviceAuthorizationEndpoint?: string };
  docs: string;
  /** Sign in with a code (RFC 8628): the endpoint from the template or the issuer's discovery; absent without. */
  deviceFlow?: { endpoint: 'template' | 'discovery'; refusedScopes?: string[]; refusedScopesAdvice?: string };
}

export interface TemplatesAnswer {
  results: Template[];
  /** Where providers send the browser back; to be registered in the provider's console. */
  redirectUri: string;
  redirectUriWarning: string | null;
}

export const getTemplates = async (client: Pick<FetchClient, 'get'>): Promise<TemplatesAnswer> =>
  (await client.get<TemplatesAnswer>(`/${PLUGIN_ID}/templates`)).data;
