/**
 * The kinds of inbound account, PostMaster style, and what each implies: the protocol that
 * fetches, how the connection is secured, the default port and which actions after fetch
 * the protocol can perform.
 */
export const ACCOUNT_TYPES = [
  'imap',
  'imaps',
  'imap-starttls',
  'pop3',
  'pop3s',
  'pop3-starttls',
  'microsoft-graph',
  'gmail-api',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const ACTIONS_AFTER_FETCH = ['delete', 'mark-seen', 'move', 'keep'] as const;
export type ActionAfterFetch = (typeof ACTIONS_AFTER_FETCH)[number];

export type Protocol = 'imap' | 'pop3' | 'graph' | 'gmail';
/** `tls`: TLS from the first byte; `starttls`: plain, then upgraded; `none`: plain text. */
export type Security = 'tls' | 'starttls' | 'none';

export interface AccountTypeInfo {
  type: AccountType;
  label: string;
  protocol: Protocol;
  security: Security;
  defaultHost?: string;
  defaultPort: number;
  /** Whether a folder (IMAP mailbox, Graph mail folder, Gmail label) can be chosen. */
  folders: boolean;
  actions: readonly ActionAfterFetch[];
  defaultAction: ActionAfterFetch;
  /** Password authentication is possible (the REST APIs take only OAuth 2.0 tokens). */
  password: boolean;
}

const ALL_ACTIONS = ACTIONS_AFTER_FETCH;
// POP3 has neither folders nor flags: a message is either deleted or left where it is.
const POP3_ACTIONS = ['delete', 'keep'] as const;

export const TYPE_INFO: Record<AccountType, AccountTypeInfo> = {
  imap: { type: 'imap', label: 'IMAP (plain text)', protocol: 'imap', security: 'none', defaultPort: 143, folders: true, actions: ALL_ACTIONS, defaultAction: 'mark-seen', password: true },
  imaps: { type: 'imaps', label: 'IMAPS (TLS)', protocol: 'imap', security: 'tls', defaultPort: 993, folders: true, actions: ALL_ACTIONS, defaultAction: 'mark-seen', password: true },
  'imap-starttls': { type: 'imap-starttls', label: 'IMAP with STARTTLS', protocol: 'imap', security: 'starttls', defaultPort: 143, folders: true, actions: ALL_ACTIONS, defaultAction: 'mark-seen', password: true },
  pop3: { type: 'pop3', label: 'POP3 (plain text)', protocol: 'pop3', security: 'none', defaultPort: 110, folders: false, actions: POP3_ACTIONS, defaultAction: 'keep', password: true },
  pop3s: { type: 'pop3s', label: 'POP3S (TLS)', protocol: 'pop3', security: 'tls', defaultPort: 995, folders: false, actions: POP3_ACTIONS, defaultAction: 'keep', password: true },
  'pop3-starttls': { type: 'pop3-starttls', label: 'POP3 with STLS', protocol: 'pop3', security: 'starttls', defaultPort: 110, folders: false, actions: POP3_ACTIONS, defaultAction: 'keep', password: true },
  'microsoft-graph': {
    type: 'microsoft-graph', label: 'Microsoft Graph mail', protocol: 'graph', security: 'tls', defaultHost: 'graph.microsoft.com', defaultPort: 443,
    folders: true, actions: ALL_ACTIONS, defaultAction: 'mark-seen', password: false,
  },
  'gmail-api': {
    type: 'gmail-api', label: 'Gmail API', protocol: 'gmail', security: 'tls', defaultHost: 'gmail.googleapis.com', defaultPort: 443,
    folders: true, actions: ALL_ACTIONS, defaultAction: 'mark-seen', password: false,
  },
};

export const typeInfo = (type: AccountType): AccountTypeInfo => TYPE_INFO[type];

/** What a plain-text account changes to, to send its credentials encrypted. */
export const PLAINTEXT_REMEDY: Record<Protocol, string> = {
  imap: 'choose IMAPS (TLS) or IMAP with STARTTLS',
  pop3: 'choose POP3S (TLS) or POP3 with STLS',
  graph: 'use https',
  gmail: 'use https',
};

/** The action after fetch an account applies: its own, or its type's default. */
export const actionAfterFetchOf = (account: { type: AccountType; actionAfterFetch?: ActionAfterFetch | null }): ActionAfterFetch =>
  account.actionAfterFetch ?? TYPE_INFO[account.type].defaultAction;
