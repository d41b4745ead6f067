import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';
import type { AccountError, AccountWarning, AccountToken, TestReport } from './accountTests';
import type { Pagination } from './tokens';

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

type Client = Pick<FetchClient, 'get' | 'post' | 'put' | 'del'>;
const base = `/${PLUGIN_ID}/outbound-accounts`;

export const getOutboundPresets = async (client: Client) => (await client.get<OutboundPreset[]>(`${base}/presets`)).data;

export const listOutboundAccounts = async (client: Client, query: { page?: number; pageSize?: number; search?: string }) =>
  (await client.get<{ results: OutboundAccount[]; pagination: Pagination }>(base, { params: query })).data;

export const getOutboundAccount = async (client: Client, id: number | string) => (await client.get<OutboundAccount>(`${base}/${id}`)).data;

export const createOutboundAccount = async (client: Client, input: OutboundAccountInput) =>
  (await client.post<OutboundAccount, OutboundAccountInput>(base, input)).data;

export const updateOutboundAccount = async (client: Client, id: number, input: OutboundAccountInput) =>
  (await client.put<OutboundAccount, OutboundAccountInput>(`${base}/${id}`, input)).data;

export const deleteOutboundAccount = async (client: Client, id: number) => (await client.del<OutboundAccount>(`${base}/${id}`)).data;

/** Sends a test message to `to`. */
export const testOutboundAccount = async (client: Client, id: number, to: string) =>
  (await client.post<TestReport, { to: string }>(`${base}/${id}/test`, { to })).data;
