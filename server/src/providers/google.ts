import type { ProviderTemplate } from './types';

/**
 * Google: without access_type=offline and prompt=consent Google issues no refresh token
 * (or only on the very first consent), so both are always sent.
 */
export const google: ProviderTemplate = {
  id: 'google',
  name: 'Google',
  grantType: 'authorization_code',
  fields: ['clientId', 'clientSecret', 'scope'],
  required: ['clientSecret', 'scope'],
  scopes: {
    mail: 'openid email https://mail.google.com/',
    'gmail-api':
      'openid email https://www.googleapis.com/auth/gmail.modify https://www.googleapis.com/auth/gmail.send',
  },
  defaultScope: 'openid email https://mail.google.com/',
  extraAuthorizationParams: { access_type: 'offline', prompt: 'consent' },
  pkce: true,
  endpoints: () => ({
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    deviceAuthorizationEndpoint: 'https://oauth2.googleapis.com/device/code',
  }),
  docs: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  // Google's device flow ("TVs and Limited Input devices" clients) grants only a short list of
  // scopes (openid, email, profile, two Drive and some YouTube scopes): no Gmail scope.
  // https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes
  deviceFlow: {
    endpoint: 'template',
    refusedScopes: ['https://mail.google.com/', 'https://www.googleapis.com/auth/gmail.'],
    refusedScopesAdvice:
      'Google\'s device flow grants only openid, email, profile and a few Drive and YouTube scopes, never a Gmail scope (https://mail.google.com/, gmail.*): a token for IMAP, SMTP or the Gmail API needs Generate tokens (the browser sign-in), with a redirect URI Google can reach.',
  },
};
