/**
 * Turns a provider's error answer into something a person can act on. Pure: the mapping
 * follows Microsoft's AADSTS reference and Google's OAuth 2.0 error documentation.
 */
export interface ProviderErrorBody {
  error?: string;
  error_description?: string;
  error_codes?: number[];
  /** HTTP status of the answer, when there was one. */
  status?: number;
}

export interface Advice {
  /** The most specific code: AADSTS70008, invalid_grant, http_503 … */
  code: string;
  message: string;
  advice: string;
  /** The grant is gone: only Generate tokens (a person) can fix it. */
  reauthorize: boolean;
  /** Worth trying again later without changing anything. */
  transient: boolean;
}

export interface AdviceContext {
  redirectUri?: string;
  template?: string;
  /** The stored token's name and client id, for advice that says which one to fix. */
  tokenName?: string;
  clientId?: string;
  /** The request was part of Sign in with a code (device authorization grant, RFC 8628). */
  flow?: 'device';
}

/** Answers only the device flow gives (RFC 8628 §3.5; Microsoft's and Google's documentation). */
function adviseDeviceError(error: string, context: AdviceContext): string | undefined {
  switch (error) {
    case 'expired_token':
      return 'The code was not entered at the provider before it expired. Click Sign in with a code again and enter the new code promptly.';
    case 'access_denied':
    case 'authorization_declined':
      return 'The sign-in was refused at the provider\'s page. Click Sign in with a code again and accept the permissions.';
    case 'bad_verification_code':
      return 'The provider does not know the device code (it was never issued or already used). Click Sign in with a code again.';
    case 'invalid_scope':
      return context.template === 'google'
        ? 'Google\'s device flow grants only openid, email, profile and a few Drive and YouTube scopes, never a Gmail scope: use Generate tokens for mail.'
        : undefined;
    case 'unauthorized_client':
    case 'invalid_client':
      if (context.template === 'google') {
        return 'Google allows the device flow only to OAuth clients of type "TVs and Limited Input devices": create such a client in the Google Cloud console (APIs & Services → Credentials) and enter its client id and secret.';
      }
      if (context.template === 'microsoft') {
        return 'Microsoft allows the device code flow only when the app registration allows it: Microsoft Entra admin center → App registrations → this app → Authentication → "Allow public client flows" = Yes.';
      }
      return 'The server does not let this client use the device authorization grant: allow the grant type urn:ietf:params:oauth:grant-type:device_code for the client.';
    default:
      return undefined;
  }
}

/** AADSTS7000222 names the token and the app registration whose secret must be made anew. */
const expiredSecretAdvice = ({ tokenName, clientId }: AdviceContext) =>
  `The client secret of the app registration${clientId ? ` (Application (client) ID ${clientId})` : ''} has expired. ` +
  'Create a new one in the Microsoft Entra admin center (App registrations → this app → Certificates & secrets → New client secret), ' +
  `enter its Value and its expiry date in ${tokenName ? `token "${tokenName}"` : 'the token'}, then click Generate tokens.`;

/** The AADSTS codes that mean the refresh token or grant can never be used again. */
const GRANT_GONE = new Set([700082, 70008, 50173, 7000222, 65001, 50076, 50079, 54005]);

const aadstsCode = (body: ProviderErrorBody): number | undefined => {
  if (body.error_codes?.length) return body.error_codes[0];
  const m = /AADSTS(\d+)/.exec(body.error_description ?? '');
  return m ? Number(m[1]) : undefined;
};

const firstLine = (s: string | undefined) => (s ?? '').split(/\r?\n/)[0].trim();

const MICROSOFT: Record<number, string> = {
  65001:
    'The app has no consent for the permissions it asks for. A Global or Privileged Role Administrator of the tenant grants it in the Microsoft Entra admin center: Enterprise applications → this app → Permissions → "Grant admin consent", or a user consents when generating tokens. Then click Generate tokens again.',
  65004: 'The person declined the consent prompt. Click Generate tokens again and accept the permissions.',
  700082:
    'The refresh token expired after a long time without use. Click Generate tokens to sign in again; the scheduled refresh keeps it alive from then on.',
  70008: 'The refresh token has expired or was revoked. Click Generate tokens to sign in again.',
  50173:
    'The grant expired because the password of the account changed or its sessions were revoked. Click Generate tokens to sign in again.',
  7000215:
    'The client secret is wrong. Enter the secret\'s "Value" from Certificates & secrets (not its "Secret ID").',
  90112: 'The client id is not valid. Copy the "Application (client) ID" from the app registration\'s Overview page.',
  700016:
    'No application with this client id exists in the tenant. Check the "Application (client) ID" and the tenant (Directory ID or domain), or use "common"/"organizations" for a multi-tenant app.',
  900144: 'The request misses a required parameter, usually the scope. Set the scope of the token.',
  50011: 'The redirect URI is not registered for the app.',
  70011: 'The scope is not valid for this app. Use the scopes the template proposes.',
  500011:
    'The resource in the scope is not known in the tenant (for app-only Exchange access, Exchange Online must be licensed and the service principal registered).',
  1002016: 'The request used an outdated TLS version.',
  7000218:
    'Microsoft wants a client secret or a public client: for sign-in with a code, allow public client flows (Microsoft Entra admin center → App registrations → this app → Authentication → "Allow public client flows" = Yes), or enter the client secret.',
};

export function adviseProviderError(body: ProviderErrorBody, context: AdviceContext = {}): Advice {
  const code = aadstsCode(body);
  const error = body.error ?? (body.status ? `http_${body.status}` : 'unknown_error');
  const description = firstLine(body.error_description);
  const message = description ? `${error}: ${description}` : error;
  const registerUri = context.redirectUri
    ? ` Register exactly this redirect URI at the provider: ${context.redirectUri}`
    : '';

  if (code === 7000222) {
    return { code: 'AADSTS7000222', message, advice: expiredSecretAdvice(context), reauthorize: true, transient: false };
  }
  const device = context.flow === 'device' ? adviseDeviceError(error, context) : undefined;
  if (device) {
    return { code: code !== undefined ? `AADSTS${code}` : error, message, advice: device, reauthorize: false, transient: false };
  }

  if (code !== undefined && MICROSOFT[code]) {
    const extra = code === 50011 ? registerUri : '';
    return {
      code: `AADSTS${code}`,
      message,
      advice: MICROSOFT[code] + extra,
      reauthorize: GRANT_GONE.has(code),
      transient: false,
    };
  }

  if ((body.status ?? 0) >= 500 || error === 'server_error' || error === 'temporarily_unavailable') {
    return {
      code: body.status ? `http_${body.status}` : error,
      message,
      advice: 'The provider had a passing failure. The refresh is tried again automatically; nothing needs to change.',
      reauthorize: false,
      transient: true,
    };
  }

  switch (error) {
    case 'invalid_grant':
      return {
        code: error,
        message,
        advice:
          context.template === 'google'
            ? 'Google no longer accepts the refresh token: access was revoked (myaccount.google.com/permissions), the password changed, or the app\'s OAuth consent screen is in "Testing" status, where refresh tokens expire after 7 days (publish the app to "In production"). Click Generate tokens to sign in again.'
            : 'The provider no longer accepts the refresh token (expired, revoked or already used). Click Generate tokens to sign in again.',
        reauthorize: true,
        transient: false,
      };
    case 'redirect_uri_mismatch':
      return {
        code: error,
        message,
        advice: `The redirect URI sent does not match one registered for the client.${registerUri}`,
        reauthorize: false,
        transient: false,
      };
    case 'invalid_client':
    case 'unauthorized_client':
      return {
        code: error,
        message,
        advice:
          'The provider does not accept the client id or secret, or the client may not use this grant type. Check the client id and secret in the provider\'s console and enter them again.',
        reauthorize: false,
        transient: false,
      };
    case 'access_denied':
      return {
        code: error,
        message,
        advice: 'Consent was refused in the provider\'s window. Click Generate tokens again and accept the permissions.',
        reauthorize: true,
        transient: false,
      };
    case 'invalid_scope':
      return {
        code: error,
        message,
        advice: 'The provider does not accept the scope. Use the scopes the template proposes, or those the app registration allows.',
        reauthorize: false,
        transient: false,
      };
    case 'consent_required':
    case 'interaction_required':
    case 'login_required':
      return {
        code: error,
        message,
        advice: 'The provider needs the person to sign in or consent again. Click Generate tokens.',
        reauthorize: true,
        transient: false,
      };
    default:
      return {
        code: error,
        message,
        advice: 'The provider refused the request. Check the token\'s settings against the app registration.',
        reauthorize: false,
        transient: false,
      };
  }
}

export function adviseNetworkError(cause: unknown, endpoint: string): Advice {
  const detail = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  const timeout = /abort|timeout/i.test(detail) || (cause instanceof Error && /Timeout|Abort/.test(cause.name));
  return {
    code: timeout ? 'timeout' : 'network_error',
    message: timeout ? `No answer from ${endpoint} in time` : `Cannot reach ${endpoint}: ${detail}`,
    advice: 'A network problem or an outage at the provider. The refresh is tried again automatically; check the endpoint and the server\'s connectivity if it persists.',
    reauthorize: false,
    transient: true,
  };
}
