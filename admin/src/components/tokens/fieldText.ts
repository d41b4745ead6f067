import type { TemplateField } from '../../api/templates';
import type { Translate } from '../../utils/useT';

export type FormField = TemplateField | 'name' | 'description' | 'template' | 'clientSecretExpiresOn';

/** The label of each token field. */
export const fieldLabel = (t: Translate, field: FormField): string => {
  switch (field) {
    case 'name':
      return t('field.name', 'Name');
    case 'description':
      return t('field.description', 'Description');
    case 'template':
      return t('field.template', 'Template');
    case 'clientId':
      return t('field.clientId', 'Client ID');
    case 'clientSecret':
      return t('field.clientSecret', 'Client secret');
    case 'clientSecretExpiresOn':
      return t('field.clientSecretExpiresOn', 'Secret expires on');
    case 'tenant':
      return t('field.tenant', 'Tenant');
    case 'scope':
      return t('field.scope', 'Scope');
    case 'issuer':
      return t('field.issuer', 'Issuer');
    case 'authorizationEndpoint':
      return t('field.authorizationEndpoint', 'Authorization endpoint');
    case 'tokenEndpoint':
      return t('field.tokenEndpoint', 'Token endpoint');
    case 'deviceAuthorizationEndpoint':
      return t('field.deviceAuthorizationEndpoint', 'Device authorization endpoint');
    case 'extraAuthorizationParams':
      return t('field.extraAuthorizationParams', 'Extra authorization parameters');
    case 'pkce':
      return t('field.pkce', 'PKCE (S256)');
  }
};

type HelpGroup = 'google' | 'microsoft' | 'microsoft-app-only' | 'generic';

const groupOf = (templateId: string): HelpGroup =>
  templateId === 'google' || templateId === 'microsoft' || templateId === 'microsoft-app-only' ? templateId : 'generic';

/** Where, in the provider's console, each value is found. */
export const fieldHelp = (t: Translate, templateId: string, field: FormField): string | undefined => {
  const group = groupOf(templateId);
  if (field === 'name') return t('help.name', 'How mail accounts and the activity log refer to this token, e.g. "support mailbox".');
  if (field === 'description') return undefined;
  if (field === 'clientSecretExpiresOn') {
    return group === 'microsoft' || group === 'microsoft-app-only'
      ? t('help.microsoft.clientSecretExpiresOn', 'The Expires date shown beside the secret under Certificates & secrets (at most 24 months ahead). A banner warns before it, so that a new secret is in place in time.')
      : t('help.clientSecretExpiresOn', 'Optional: when the provider stops accepting this secret. A banner warns before it.');
  }
  if (group === 'google') {
    switch (field) {
      case 'clientId':
        return t('help.google.clientId', 'Google Cloud console → APIs & Services → Credentials → OAuth 2.0 Client IDs → your client of type Web application → Client ID.');
      case 'clientSecret':
        return t('help.google.clientSecret', 'The same client’s page → Client secrets (Add secret when none is listed).');
      case 'scope':
        return t('help.google.scope', 'https://mail.google.com/ for IMAP, POP3 and SMTP; gmail.modify and gmail.send for the Gmail API. Add them under Google Auth Platform → Data access.');
    }
  }
  if (group === 'microsoft' || group === 'microsoft-app-only') {
    switch (field) {
      case 'clientId':
        return t('help.microsoft.clientId', 'Microsoft Entra admin center → App registrations → your app → Overview → Application (client) ID.');
      case 'clientSecret':
        return t('help.microsoft.clientSecret', 'Your app → Certificates & secrets → Client secrets → New client secret. Copy its Value (not the Secret ID) at once: it is shown only once.');
      case 'tenant':
        return group === 'microsoft'
          ? t('help.microsoft.tenant', 'common: work, school and personal accounts; organizations: work or school accounts; consumers: personal accounts; or one organisation: the Directory (tenant) ID on your app’s Overview page.')
          : t('help.microsoft-app-only.tenant', 'Your app → Overview → Directory (tenant) ID, or the tenant’s domain (contoso.onmicrosoft.com). Microsoft issues app-only tokens only for one tenant, never for common.');
      case 'scope':
        return group === 'microsoft'
          ? t('help.microsoft.scope', 'Your app → API permissions: add the delegated permissions these scopes name (Office 365 Exchange Online or Microsoft Graph), and grant admin consent if your organisation requires it.')
          : t('help.microsoft-app-only.scope', 'https://outlook.office365.com/.default for IMAP, POP3 and SMTP, https://graph.microsoft.com/.default for Graph. Grant the application permissions with admin consent, and give the app access to the mailboxes in Exchange Online.');
    }
  }
  switch (field) {
    case 'clientId':
      return t('help.generic.clientId', 'The client ID the authorization server gave this app when you registered it.');
    case 'clientSecret':
      return t('help.generic.clientSecret', 'The client secret of that registration. Leave empty for a public client.');
    case 'issuer':
      return t('help.generic.issuer', 'The server’s issuer URL. Endpoints left empty are discovered from its /.well-known/openid-configuration. Needed when the scope includes openid.');
    case 'authorizationEndpoint':
      return t('help.generic.authorizationEndpoint', 'Where the browser signs in (…/authorize). Leave empty to discover it from the issuer.');
    case 'tokenEndpoint':
      return t('help.generic.tokenEndpoint', 'Where Strapi exchanges the code and refreshes tokens (…/token). Leave empty to discover it from the issuer.');
    case 'deviceAuthorizationEndpoint':
      return t('help.generic.deviceAuthorizationEndpoint', 'For Sign in with a code (…/device), when Strapi has no address the server can send the browser back to. Leave empty to discover it from the issuer.');
    case 'scope':
      return t('help.generic.scope', 'Scopes separated by spaces. Include offline_access (or what your server asks for) to receive a refresh token.');
    case 'extraAuthorizationParams':
      return t('help.generic.extraAuthorizationParams', 'One key=value per line, added to the sign-in request, e.g. prompt=consent.');
    case 'pkce':
      return t('help.generic.pkce', 'Proof Key for Code Exchange. Leave it on unless the server refuses it.');
  }
  return undefined;
};

/** Where the redirect URI goes in the provider's console. */
export const redirectUriHelp = (t: Translate, templateId: string): string => {
  switch (groupOf(templateId)) {
    case 'google':
      return t('help.google.redirectUri', 'Google Cloud console → Credentials → your OAuth client → Authorized redirect URIs → Add URI.');
    case 'microsoft':
    case 'microsoft-app-only':
      return t('help.microsoft.redirectUri', 'Microsoft Entra admin center → your app → Authentication → Add a platform → Web → Redirect URIs.');
    default:
      return t('help.generic.redirectUri', 'Register it as a redirect URI of this client at your authorization server.');
  }
};
