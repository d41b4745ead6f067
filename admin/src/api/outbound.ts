import { accountsApi, type AccountsClient } from './accounts';
import type { AccountError, AccountWarning, AccountToken } from './accountTests';

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
  tokenTemplates: string[];
  tokenScope?: string;
  docs?: string;
}

/** An outbound account as the API shows it (docs/outbound-accounts.md). */
export interface OutboundAccount {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  type: OutboundType;
  host: string | null;
  port: number | null;
  security: SmtpSecurity | null;
  verifyCertificate: boolean;
  allowInsecureAuth: boolean;
  trustedCertificate: string | null;
  domain: string | null;
  useAuthentication: boolean;
  authentication: 'password' | 'oauth2' | null;
  username: string | null;
  hasPassword: boolean;
  oauthToken: AccountToken | null;
  fromAddress: string;
  fromName: string | null;
  sharedMailbox: boolean;
  usage: 'organization' | 'application';
  applicationName: string | null;
  confirmed: boolean;
  confirmedAt: string | null;
  lastError: AccountError | null;
  warnings: AccountWarning[];
  lastSentAt: string | null;
}

export interface OutboundAccountInput {
  name?: string;
  description?: string | null;
  active?: boolean;
  type?: OutboundType;
  host?: string | null;
  port?: number | null;
  security?: SmtpSecurity;
  verifyCertificate?: boolean;
  allowInsecureAuth?: boolean;
  trustedCertificate?: string | null;
  domain?: string | null;
  useAuthentication?: boolean;
  authentication?: 'password' | 'oauth2';
  username?: string | null;
  password?: string | null;
  oauthToken?: number | null;
  fromAddress?: string;
  fromName?: string | null;
  sharedMailbox?: boolean;
  usage?: 'organization' | 'application';
  applicationName?: string | null;
}

const accounts = accountsApi<OutboundAccount, OutboundAccountInput, OutboundPreset[]>('outbound-accounts');

export const outboundApi = {
  ...accounts,
  /** Test & confirm of an outbound account: sends a test message to `to`. */
  sendTest: (client: AccountsClient, id: number, to: string) => accounts.test(client, id, { to }),
};
