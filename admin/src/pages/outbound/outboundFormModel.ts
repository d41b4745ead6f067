import type { FieldErrors } from '../../api/errors';
import type { OutboundAccount, OutboundAccountInput, OutboundPreset, OutboundType, SmtpSecurity } from '../../api/outbound';
import type { Translate } from '../../utils/useT';

export interface OutboundFormValues {
  name: string;
  description: string;
  active: boolean;
  type: OutboundType;
  host: string;
  port: number | undefined;
  security: SmtpSecurity;
  verifyCertificate: boolean;
  allowInsecureAuth: boolean;
  trustedCertificate: string;
  domain: string;
  useAuthentication: boolean;
  authentication: 'password' | 'oauth2';
  username: string;
  password: string;
  oauthToken: number | null;
  fromAddress: string;
  fromName: string;
  sharedMailbox: boolean;
  usage: 'organization' | 'application';
  applicationName: string;
}

export const DEFAULT_PORT: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };

/** The token templates an account of this type can use (server: outbound/presets.ts). */
export const TOKEN_TEMPLATES_FOR: Record<OutboundType, string[]> = {
  smtp: [],
  'microsoft-graph': ['microsoft', 'microsoft-app-only', 'generic', 'generic-client-credentials'],
  'gmail-api': ['google', 'generic', 'generic-client-credentials'],
};

export const emptyOutbound = (): OutboundFormValues => ({
  name: '',
  description: '',
  active: true,
  type: 'smtp',
  host: '',
  port: 587,
  security: 'starttls',
  verifyCertificate: true,
  allowInsecureAuth: false,
  trustedCertificate: '',
  domain: '',
  useAuthentication: true,
  authentication: 'password',
  username: '',
  password: '',
  oauthToken: null,
  fromAddress: '',
  fromName: '',
  sharedMailbox: false,
  usage: 'organization',
  applicationName: '',
});

export const applyOutboundPreset = (v: OutboundFormValues, preset: OutboundPreset): OutboundFormValues => ({
  ...v,
  type: preset.values.type,
  host: preset.values.host ?? (preset.values.type === 'smtp' ? v.host : ''),
  port: preset.values.port ?? (preset.values.security ? DEFAULT_PORT[preset.values.security] : v.port),
  security: preset.values.security ?? v.security,
  useAuthentication: preset.values.useAuthentication,
  authentication: preset.values.authentication ?? v.authentication,
  oauthToken: preset.values.authentication === 'oauth2' ? v.oauthToken : null,
});

export const outboundValues = (a: OutboundAccount): OutboundFormValues => ({
  name: a.name,
  description: a.description ?? '',
  active: a.active,
  type: a.type,
  host: a.host ?? '',
  port: a.port ?? undefined,
  security: a.security ?? 'starttls',
  verifyCertificate: a.verifyCertificate,
  allowInsecureAuth: a.allowInsecureAuth ?? false,
  trustedCertificate: a.trustedCertificate ?? '',
  domain: a.domain ?? '',
  useAuthentication: a.useAuthentication,
  authentication: a.authentication ?? 'password',
  username: a.username ?? '',
  password: '',
  oauthToken: a.oauthToken?.id ?? null,
  fromAddress: a.fromAddress,
  fromName: a.fromName ?? '',
  sharedMailbox: a.sharedMailbox,
  usage: a.usage,
  applicationName: a.applicationName ?? '',
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether the account signs in with a password, a token, or not at all. */
export const signInOf = (v: OutboundFormValues): 'password' | 'oauth2' | 'none' =>
  v.type !== 'smtp' ? 'oauth2' : !v.useAuthentication ? 'none' : v.authentication;

export const validateOutbound = (t: Translate, v: OutboundFormValues, hasPassword: boolean): FieldErrors => {
  const errors: FieldErrors = {};
  const required = t('validation.required', 'This value is required.');
  if (!v.name.trim()) errors.name = required;
  if (v.type === 'smtp') {
    if (!v.host.trim()) errors.host = required;
    if (v.port === undefined || v.port < 1 || v.port > 65535 || !Number.isInteger(v.port)) errors.port = t('validation.port', 'A port from 1 to 65535.');
  }
  const signIn = signInOf(v);
  if (signIn === 'password' && !v.password && !hasPassword) errors.password = required;
  if (signIn === 'oauth2' && v.oauthToken === null) errors.oauthToken = required;
  if (!v.fromAddress.trim()) errors.fromAddress = required;
  else if (!EMAIL.test(v.fromAddress.trim())) errors.fromAddress = t('validation.email', 'An email address, such as support@example.com.');
  if (v.usage === 'application' && !v.applicationName.trim()) errors.applicationName = required;
  return errors;
};

export const toOutboundInput = (v: OutboundFormValues): OutboundAccountInput => {
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const smtp = v.type === 'smtp';
  const signIn = signInOf(v);
  const input: OutboundAccountInput = {
    name: v.name.trim(),
    description: text(v.description),
    active: v.active,
    type: v.type,
    fromAddress: v.fromAddress.trim(),
    fromName: text(v.fromName),
    sharedMailbox: v.sharedMailbox,
    usage: v.usage,
    applicationName: v.usage === 'application' ? text(v.applicationName) : null,
    useAuthentication: signIn !== 'none',
    oauthToken: signIn === 'oauth2' ? v.oauthToken : null,
  };
  if (signIn !== 'none') input.authentication = signIn;
  if (smtp) {
    Object.assign(input, {
      host: text(v.host),
      port: v.port ?? null,
      security: v.security,
      verifyCertificate: v.verifyCertificate,
      allowInsecureAuth: v.security === 'none' && signIn !== 'none' ? v.allowInsecureAuth : false,
      trustedCertificate: text(v.trustedCertificate),
      domain: text(v.domain),
      username: text(v.username),
    });
  }
  // Write-only: a typed password replaces the stored one; nothing typed keeps it.
  if (signIn === 'password' && v.password) input.password = v.password;
  return input;
};
