import { accountsApi, type AccountsClient } from './accounts';
import type { AccountError, AccountWarning, AccountToken } from './accountTests';

export type InboundType = 'imap' | 'imaps' | 'imap-starttls' | 'pop3' | 'pop3s' | 'pop3-starttls' | 'microsoft-graph' | 'gmail-api';
export type ActionAfterFetch = 'delete' | 'mark-seen' | 'move' | 'keep';

/** What each account type implies (GET /inbound-accounts/presets → types). */
export interface InboundTypeInfo {
  type: InboundType;
  label: string;
  protocol: 'imap' | 'pop3' | 'graph' | 'gmail';
  security: 'tls' | 'starttls' | 'none';
  defaultHost: string | null;
  defaultPort: number;
  folders: boolean;
  actions: ActionAfterFetch[];
  defaultAction: ActionAfterFetch;
  /** Whether password authentication is possible. */
  password: boolean;
}

export interface InboundPreset {
  id: string;
  name: string;
  values: {
    type: InboundType;
    host?: string;
    port: number;
    authentication: 'password' | 'oauth2';
    folder?: string;
    actionAfterFetch?: ActionAfterFetch;
  };
  tokenTemplates: string[];
  scopeHint?: string;
  docs?: string;
}

export interface InboundAccount {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  type: InboundType;
  protocol: InboundTypeInfo['protocol'];
  host: string | null;
  port: number | null;
  certificateValidation: boolean;
  allowInsecureAuth: boolean;
  login: string | null;
  mailbox: string | null;
  authentication: 'password' | 'oauth2';
  oauthToken: AccountToken | null;
  hasPassword: boolean;
  folder: string | null;
  actionAfterFetch: ActionAfterFetch;
  moveTo: string | null;
  /** IMAP: waits for mail in IDLE; null for the other types (polled). */
  idle: boolean | null;
  /** An instance holds it in IDLE now (connected or connecting); otherwise it is polled. */
  idleActive: boolean;
  pollInterval: number;
  maxMessagesPerPoll: number;
  queue: string | null;
  trusted: boolean;
  scope: 'organization' | 'application';
  application: string | null;
  confirmed: boolean;
  confirmedAt: string | null;
  lastTestAt: string | null;
  lastPollAt: string | null;
  lastPollResult: { fetched: number; skipped: number; errors: number } | null;
  lastError: AccountError | null;
  warnings: AccountWarning[];
}

export interface InboundAccountInput {
  name?: string;
  description?: string | null;
  active?: boolean;
  type?: InboundType;
  host?: string | null;
  port?: number | null;
  certificateValidation?: boolean;
  allowInsecureAuth?: boolean;
  login?: string | null;
  mailbox?: string | null;
  authentication?: 'password' | 'oauth2';
  oauthToken?: number | null;
  password?: string | null;
  folder?: string | null;
  actionAfterFetch?: ActionAfterFetch;
  moveTo?: string | null;
  idle?: boolean;
  pollInterval?: number;
  maxMessagesPerPoll?: number;
  queue?: string | null;
  trusted?: boolean;
  scope?: 'organization' | 'application';
  application?: string | null;
}

export interface FetchReport {
  fetched: number;
  skipped: number;
  errors: { code: string; message: string; advice: string | null }[];
}

/** What GET /inbound-accounts/presets answers: the presets and what each account type implies. */
export interface InboundPresets {
  presets: InboundPreset[];
  types: InboundTypeInfo[];
}

const accounts = accountsApi<InboundAccount, InboundAccountInput, InboundPresets>('inbound-accounts');

export const inboundApi = {
  ...accounts,
  /** Fetch now: one poll of the account, outside the schedule. */
  fetchNow: async (client: AccountsClient, id: number) => (await client.post<FetchReport>(`${accounts.base}/${id}/fetch`, {})).data,
};
