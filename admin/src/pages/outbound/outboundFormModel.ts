import type { FieldErrors } from '../../api/errors';
import type { OutboundAccount, OutboundAccountInput, OutboundPreset, OutboundType, SmtpSecurity } from '../../api/outbound';
import type { Translate } from '../../utils/useT';
import type { AccountFormModel } from '../accounts/accountDirection';
import { accountFieldLabel } from '../accounts/accountFieldLabel';
import { aboutValues, optionalText, portError } from '../accounts/accountFormValues';

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
  ...aboutValues(a),
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

/** An address as the form accepts it (the server checks it again). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether the account signs in with a password, a token, or not at all. */
export const signInOf = (v: OutboundFormValues): 'password' | 'oauth2' | 'none' =>
  v.type !== 'smtp' ? 'oauth2' : !v.useAuthentication ? 'none' : v.authentication;

export const validateOutbound = (t: Translate, v: OutboundFormValues, hasPassword: boolean): FieldErrors => {
  const errors: FieldErrors = {};
  const required = t('validation.required', 'This value is required.');
  if (!v.name.trim()) errors.name = required;
  if (v.type === 'smtp') {
    if (!v.host.trim()) errors.host = required;
    const badPort = portError(t, v.port);
    if (badPort) errors.port = badPort;
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
  const smtp = v.type === 'smtp';
  const signIn = signInOf(v);
  const input: OutboundAccountInput = {
    name: v.name.trim(),
    description: optionalText(v.description),
    active: v.active,
    type: v.type,
    fromAddress: v.fromAddress.trim(),
    fromName: optionalText(v.fromName),
    sharedMailbox: v.sharedMailbox,
    usage: v.usage,
    applicationName: v.usage === 'application' ? optionalText(v.applicationName) : null,
    useAuthentication: signIn !== 'none',
    oauthToken: signIn === 'oauth2' ? v.oauthToken : null,
  };
  if (signIn !== 'none') input.authentication = signIn;
  if (smtp) {
    Object.assign(input, {
      host: optionalText(v.host),
      port: v.port ?? null,
      security: v.security,
      verifyCertificate: v.verifyCertificate,
      allowInsecureAuth: v.security === 'none' && signIn !== 'none' ? v.allowInsecureAuth : false,
      trustedCertificate: optionalText(v.trustedCertificate),
      domain: optionalText(v.domain),
      username: optionalText(v.username),
    });
  }
  // Write-only: a typed password replaces the stored one; nothing typed keeps it.
  if (signIn === 'password' && v.password) input.password = v.password;
  return input;
};

/** The form label of an outbound account's field (the API's name; the fields both kinds have: accountFieldLabel), for the form and the server's field errors. */
export const outboundFieldLabel = (t: Translate, field: string): string | undefined =>
  ({
    security: t('outbound.field.security', 'Security'),
    domain: t('outbound.field.domain', 'EHLO name'),
    trustedCertificate: t('outbound.field.trustedCertificate', 'Trusted certificate (PEM)'),
    username: t('outbound.field.username', 'User name'),
    fromAddress: t('outbound.field.fromAddress', 'From address'),
    fromName: t('outbound.field.fromName', 'From name'),
    applicationName: t('account.field.application', 'Application'),
  })[field] ?? accountFieldLabel(t, field);

const typeOptions = (t: Translate): { value: OutboundType; label: string }[] => [
  { value: 'smtp', label: t('outbound.type.smtp', 'SMTP') },
  { value: 'microsoft-graph', label: t('outbound.type.microsoft-graph', 'Microsoft Graph sendMail') },
  { value: 'gmail-api', label: t('outbound.type.gmail-api', 'Gmail API') },
];

/** The outbound form as the account pages use it. */
export const outboundFormModel: AccountFormModel<OutboundAccount, OutboundFormValues, OutboundAccountInput, OutboundPreset[], OutboundPreset> = {
  presetList: (presets) => presets,
  scopeHint: (preset) => preset.tokenScope,
  empty: emptyOutbound,
  fromAccount: outboundValues,
  applyPreset: (v, preset) => applyOutboundPreset(v, preset),
  typeOptions: (t) => typeOptions(t),
  changeType: (v, type) => ({ ...v, type: type as OutboundType }),
  signIn: signInOf,
  signInChoices: (v) => (v.type === 'smtp' ? ['oauth2', 'password', 'none'] : []),
  withSignIn: (v, signIn) => ({ ...v, useAuthentication: signIn !== 'none', authentication: signIn === 'none' ? v.authentication : signIn }),
  accountSignIn: (a) => (a.type === 'smtp' && !a.useAuthentication ? 'none' : a.authentication === 'oauth2' || a.type !== 'smtp' ? 'oauth2' : 'password'),
  tokenTemplates: (v, preset) => (preset?.tokenTemplates.length ? preset.tokenTemplates : TOKEN_TEMPLATES_FOR[v.type]),
  validate: (t, v, _presets, hasPassword) => validateOutbound(t, v, hasPassword),
  toInput: (v) => toOutboundInput(v),
  destination: (v) => [v.type, v.host.trim(), v.port ?? '', v.security].join(' '),
  fieldLabel: outboundFieldLabel,
};
