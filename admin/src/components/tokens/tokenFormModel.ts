import type { FieldErrors } from '../../api/errors';
import type { Template, TemplateField } from '../../api/templates';
import type { Token, TokenInput } from '../../api/tokens';
import type { Translate } from '../../utils/useT';
import { fieldLabel, type FormField } from './fieldText';

/** The token form's state: text as typed, switches as booleans. */
export interface TokenFormValues {
  name: string;
  description: string;
  clientId: string;
  /** Typed secret; empty keeps the stored one (edit) or sends none (create). */
  clientSecret: string;
  /** YYYY-MM-DD or empty. */
  clientSecretExpiresOn: string;
  tenant: string;
  scope: string;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint: string;
  /** key=value per line. */
  extraAuthorizationParams: string;
  pkce: boolean;
  active: boolean;
  notifyOnExpiredToken: boolean;
  notifyOnExpiredRefreshToken: boolean;
}

export const initialValues = (template: Template, token?: Token): TokenFormValues => ({
  name: token?.name ?? '',
  description: token?.description ?? '',
  clientId: token?.clientId ?? '',
  clientSecret: '',
  clientSecretExpiresOn: token?.clientSecretExpiresOn ?? '',
  tenant: token?.tenant ?? template.defaultTenant ?? '',
  scope: token ? (token.scope ?? '') : template.defaultScope,
  issuer: token?.issuer ?? '',
  authorizationEndpoint: token?.authorizationEndpoint ?? '',
  tokenEndpoint: token?.tokenEndpoint ?? '',
  deviceAuthorizationEndpoint: token?.deviceAuthorizationEndpoint ?? '',
  extraAuthorizationParams: Object.entries(token?.extraAuthorizationParams ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n'),
  pkce: token?.pkce ?? template.pkce,
  active: token?.active ?? true,
  notifyOnExpiredToken: token?.notifyOnExpiredToken ?? true,
  notifyOnExpiredRefreshToken: token?.notifyOnExpiredRefreshToken ?? true,
});

const URL_FIELDS = ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'deviceAuthorizationEndpoint'] as const;

/** key=value lines; null when a line is not of that form. */
export const parseParams = (text: string): Record<string, string> | null => {
  const params: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) return null;
    params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return params;
};

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/**
 * The checks made before sending; the server checks again (https only, tenant format, name
 * unique …) and its field errors are shown the same way.
 */
export const validateToken = (
  t: Translate,
  values: TokenFormValues,
  template: Template,
  options: { hasClientSecret: boolean }
): FieldErrors => {
  const errors: FieldErrors = {};
  const has = (field: TemplateField) => template.fields.includes(field);
  const required = t('validation.required', 'This value is required.');
  if (!values.name.trim()) errors.name = required;
  else if (values.name.trim().length > 100) errors.name = t('validation.tooLong', 'At most {max} characters.', { max: 100 });
  if (!values.clientId.trim()) errors.clientId = required;
  for (const field of template.required) {
    if (field === 'clientSecret') {
      if (!values.clientSecret && !options.hasClientSecret) errors.clientSecret = required;
    } else if (field === 'pkce' || field === 'extraAuthorizationParams') {
      continue;
    } else if (!String(values[field] ?? '').trim()) {
      errors[field] = required;
    }
  }
  for (const field of URL_FIELDS) {
    if (has(field) && values[field].trim() && !isHttpUrl(values[field].trim())) {
      errors[field] = t('validation.url', 'An absolute URL, such as https://login.example.com/oauth2/token.');
    }
  }
  if (!template.endpoints) {
    const issuer = values.issuer.trim();
    if (has('tokenEndpoint') && !values.tokenEndpoint.trim() && !issuer && !errors.tokenEndpoint) {
      errors.tokenEndpoint = t('validation.endpointOrIssuer', 'Required, or an issuer to discover it from.');
    }
    if (has('authorizationEndpoint') && template.grantType === 'authorization_code' && !values.authorizationEndpoint.trim() && !issuer) {
      errors.authorizationEndpoint ??= t('validation.endpointOrIssuer', 'Required, or an issuer to discover it from.');
    }
    if (has('issuer') && values.scope.split(/\s+/).includes('openid') && !issuer) {
      errors.issuer ??= t('validation.issuerForOpenid', 'Required when the scope includes openid: the ID token is checked against it.');
    }
  }
  if (values.clientSecretExpiresOn && !/^\d{4}-\d{2}-\d{2}$/.test(values.clientSecretExpiresOn)) {
    errors.clientSecretExpiresOn = t('validation.date', 'A date, such as 2027-06-30.');
  }
  if (has('extraAuthorizationParams') && parseParams(values.extraAuthorizationParams) === null) {
    errors.extraAuthorizationParams = t('validation.params', 'One key=value per line.');
  }
  return errors;
};

/** The body of POST or PUT: the template's fields and the switches every token has. */
export const toInput = (values: TokenFormValues, template: Template, mode: 'create' | 'edit'): TokenInput => {
  const text = (v: string) => (v.trim() ? v.trim() : null);
  const input: TokenInput = {
    name: values.name.trim(),
    description: text(values.description),
    clientId: values.clientId.trim(),
    active: values.active,
    notifyOnExpiredToken: values.notifyOnExpiredToken,
    notifyOnExpiredRefreshToken: values.notifyOnExpiredRefreshToken,
  };
  if (mode === 'create') input.template = template.id;
  const has = (field: TemplateField) => template.fields.includes(field);
  // A typed secret replaces the stored one; nothing typed keeps it.
  if (has('clientSecret') && values.clientSecret) input.clientSecret = values.clientSecret;
  if (has('clientSecret')) input.clientSecretExpiresOn = values.clientSecretExpiresOn || null;
  if (has('tenant')) input.tenant = text(values.tenant);
  if (has('scope')) input.scope = text(values.scope);
  for (const field of URL_FIELDS) if (has(field)) input[field] = text(values[field]);
  if (has('extraAuthorizationParams')) input.extraAuthorizationParams = parseParams(values.extraAuthorizationParams) ?? {};
  if (has('pkce')) input.pkce = values.pkce;
  return input;
};

/**
 * The server's field errors ("is already used by another token") as sentences next to the
 * field ("Name is already used by another token").
 */
export const serverFieldErrors = (t: Translate, fields: FieldErrors): FieldErrors =>
  Object.fromEntries(
    Object.entries(fields).map(([path, message]) => {
      const field = path.split('.')[0] as FormField;
      const label = fieldLabel(t, field);
      return [field, /^[a-z]/.test(message) && label ? `${label} ${message}` : message];
    })
  );

/** The fields that say where the client secret and the grant are sent (server/src/validation/destination.ts). */
const DESTINATION_FIELDS = ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const;

/**
 * Whether the form points a saved token at another issuer or endpoint: then the server
 * keeps neither its client secret (it must be entered again) nor its grant (authorize again).
 */
export const destinationChanged = (values: TokenFormValues, saved: TokenFormValues): boolean =>
  DESTINATION_FIELDS.some((f) => String(values[f] ?? '').trim() !== String(saved[f] ?? '').trim());
