import type { AccountType, ActionAfterFetch } from './account-types';

/**
 * Presets that fill the inbound account form, as the account types of a helpdesk's seed
 * data do. `tokenTemplates` are the OAuth2 token templates whose tokens fit the preset;
 * `scopeHint` is what such a token must be granted.
 */
export interface InboundPreset {
  id: string;
  name: string;
  values: {
    type: AccountType;
    host?: string;
    port?: number;
    authentication: 'password' | 'oauth2';
    folder?: string;
    actionAfterFetch?: ActionAfterFetch;
  };
  tokenTemplates: string[];
  scopeHint?: string;
  docs?: string;
}

export const INBOUND_PRESETS: InboundPreset[] = [
  {
    id: 'microsoft-365-imap',
    name: 'Microsoft 365 (IMAP, OAuth 2.0)',
    values: { type: 'imaps', host: 'outlook.office365.com', port: 993, authentication: 'oauth2', folder: 'INBOX' },
    tokenTemplates: ['microsoft', 'microsoft-app-only'],
    scopeHint:
      'Delegated: https://outlook.office.com/IMAP.AccessAsUser.All offline_access. App-only: https://outlook.office365.com/.default with the IMAP.AccessAsApp permission, and Add-MailboxPermission for the mailbox.',
    docs: 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  },
  {
    id: 'gmail-imap',
    name: 'Gmail (IMAP, OAuth 2.0)',
    values: { type: 'imaps', host: 'imap.gmail.com', port: 993, authentication: 'oauth2', folder: 'INBOX' },
    tokenTemplates: ['google'],
    scopeHint: 'https://mail.google.com/',
    docs: 'https://developers.google.com/gmail/imap/xoauth2-protocol',
  },
  {
    id: 'microsoft-365-graph',
    name: 'Microsoft 365 (Graph)',
    // no host: Graph's root comes from the plugin's graphBaseUrl (national clouds)
    values: { type: 'microsoft-graph', port: 443, authentication: 'oauth2', folder: 'inbox' },
    tokenTemplates: ['microsoft', 'microsoft-app-only'],
    scopeHint: 'Delegated: https://graph.microsoft.com/Mail.ReadWrite offline_access (Mail.ReadWrite.Shared for shared mailboxes). App-only: https://graph.microsoft.com/.default with the Mail.ReadWrite application permission.',
    docs: 'https://learn.microsoft.com/graph/api/resources/mail-api-overview',
  },
  {
    id: 'gmail-api',
    name: 'Gmail (API)',
    values: { type: 'gmail-api', port: 443, authentication: 'oauth2', folder: 'INBOX' },
    tokenTemplates: ['google'],
    scopeHint: 'https://www.googleapis.com/auth/gmail.modify',
    docs: 'https://developers.google.com/gmail/api/reference/rest/v1/users.messages',
  },
  {
    id: 'imap-password',
    name: 'IMAP (password)',
    values: { type: 'imaps', port: 993, authentication: 'password', folder: 'INBOX' },
    tokenTemplates: [],
  },
  {
    id: 'pop3-password',
    name: 'POP3 (password)',
    values: { type: 'pop3s', port: 995, authentication: 'password', actionAfterFetch: 'delete' },
    tokenTemplates: [],
  },
];
