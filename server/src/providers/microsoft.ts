import type { ProviderTemplate } from './types';

export const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';
export const MICROSOFT_TENANT_CHOICES = ['common', 'consumers', 'organizations'];

const OUTLOOK = 'https://outlook.office.com';

export const microsoftEndpoints = (tenant: string | undefined) => {
  const t = encodeURIComponent(tenant || 'common');
  return {
    authorizationEndpoint: `${MICROSOFT_LOGIN}/${t}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${MICROSOFT_LOGIN}/${t}/oauth2/v2.0/token`,
    deviceAuthorizationEndpoint: `${MICROSOFT_LOGIN}/${t}/oauth2/v2.0/devicecode`,
  };
};

/** Microsoft identity platform v2.0, delegated permissions (a person signs in). */
export const microsoft: ProviderTemplate = {
  id: 'microsoft',
  name: 'Microsoft 365 / Outlook',
  grantType: 'authorization_code',
  fields: ['clientId', 'clientSecret', 'tenant', 'scope'],
  required: ['clientSecret', 'tenant', 'scope'],
  tenantChoices: MICROSOFT_TENANT_CHOICES,
  defaultTenant: 'common',
  scopes: {
    mail: `openid email offline_access ${OUTLOOK}/IMAP.AccessAsUser.All ${OUTLOOK}/POP.AccessAsUser.All ${OUTLOOK}/SMTP.Send`,
    imap: `openid email offline_access ${OUTLOOK}/IMAP.AccessAsUser.All`,
    pop3: `openid email offline_access ${OUTLOOK}/POP.AccessAsUser.All`,
    smtp: `openid email offline_access ${OUTLOOK}/SMTP.Send`,
    graph:
      'openid email offline_access https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/User.Read',
  },
  defaultScope: `openid email offline_access ${OUTLOOK}/IMAP.AccessAsUser.All ${OUTLOOK}/POP.AccessAsUser.All ${OUTLOOK}/SMTP.Send`,
  extraAuthorizationParams: { response_mode: 'query' },
  pkce: true,
  endpoints: microsoftEndpoints,
  docs: 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
  deviceFlow: { endpoint: 'template' },
};
