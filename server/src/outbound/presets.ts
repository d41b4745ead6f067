/**
 * What the outbound account form fills in when a preset is chosen. Plain data: the real
 * servers live here and only here.
 */
export type OutboundType = 'smtp' | 'microsoft-graph' | 'gmail-api';
export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface OutboundPreset {
  id: string;
  name: string;
  values: {
    type: OutboundType;
    host?: string;
    port?: number;
    security?: SmtpSecurity;
    useAuthentication: boolean;
    authentication?: 'password' | 'oauth2';
  };
  /** Token templates that fit (the form offers tokens made from these). */
  tokenTemplates: string[];
  /** Scope the token needs for this use, to show next to the token field. */
  tokenScope?: string;
  docs?: string;
}

const ANY_TEMPLATE = ['google', 'microsoft', 'microsoft-app-only', 'generic', 'generic-client-credentials'];

export const OUTBOUND_PRESETS: OutboundPreset[] = [
  {
    id: 'microsoft-365-smtp-oauth2',
    name: 'Microsoft 365 (SMTP, OAuth 2.0)',
    values: { type: 'smtp', host: 'smtp.office365.com', port: 587, security: 'starttls', useAuthentication: true, authentication: 'oauth2' },
    tokenTemplates: ['microsoft', 'microsoft-app-only', 'generic'],
    tokenScope: 'https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (app-only)',
    docs: 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  },
  {
    id: 'gmail-smtp-oauth2',
    name: 'Gmail (SMTP, OAuth 2.0)',
    values: { type: 'smtp', host: 'smtp.gmail.com', port: 465, security: 'tls', useAuthentication: true, authentication: 'oauth2' },
    tokenTemplates: ['google', 'generic'],
    tokenScope: 'https://mail.google.com/',
    docs: 'https://developers.google.com/gmail/imap/xoauth2-protocol',
  },
  {
    id: 'microsoft-graph',
    name: 'Microsoft 365 (Graph sendMail)',
    values: { type: 'microsoft-graph', useAuthentication: true, authentication: 'oauth2' },
    tokenTemplates: ['microsoft', 'microsoft-app-only', 'generic', 'generic-client-credentials'],
    tokenScope: 'https://graph.microsoft.com/Mail.Send (delegated) or https://graph.microsoft.com/.default with the Mail.Send application permission',
    docs: 'https://learn.microsoft.com/graph/api/user-sendmail',
  },
  {
    id: 'gmail-api',
    name: 'Gmail (API)',
    values: { type: 'gmail-api', useAuthentication: true, authentication: 'oauth2' },
    tokenTemplates: ['google', 'generic'],
    tokenScope: 'https://www.googleapis.com/auth/gmail.send',
    docs: 'https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send',
  },
  {
    id: 'smtp-password',
    name: 'SMTP (password)',
    values: { type: 'smtp', port: 587, security: 'starttls', useAuthentication: true, authentication: 'password' },
    tokenTemplates: [],
  },
  {
    id: 'smtp-no-auth',
    name: 'SMTP (no authentication)',
    values: { type: 'smtp', port: 25, security: 'starttls', useAuthentication: false },
    tokenTemplates: [],
  },
];

/** The token templates an account of this type can use. */
export const TOKEN_TEMPLATES_FOR: Record<OutboundType, string[]> = {
  smtp: ANY_TEMPLATE,
  'microsoft-graph': ['microsoft', 'microsoft-app-only', 'generic', 'generic-client-credentials'],
  'gmail-api': ['google', 'generic', 'generic-client-credentials'],
};

/** The usual port of each security mode (RFC 8314: 465 implicit TLS, 587 submission, 25 relay). */
export const DEFAULT_PORT: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };
