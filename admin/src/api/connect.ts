import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';

/** How a part of the discovery answer was found (server: discovery/types.ts). */
export type How = 'known-domain' | 'mx' | 'openid-configuration' | 'autoconfig' | 'srv';
export type Provider = 'google' | 'microsoft' | 'other';
export type Security = 'tls' | 'starttls' | 'none';

/** A server discovery proposes, in the terms of the account forms. */
export interface DiscoveredServer {
  type: string;
  /** Absent for the REST APIs (Graph, Gmail), whose root is a plugin option. */
  host?: string;
  port?: number;
  security: Security;
  auth: ('password' | 'oauth2')[];
  username?: string;
  preset?: string;
  found: How;
}

export interface DiscoveredOAuth {
  template: 'google' | 'microsoft' | 'generic';
  tenant?: string;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  scopes?: string[];
  found: How;
}

/** What POST /discover answers (docs/discovery.md). */
export interface Discovery {
  address: string;
  domain: string;
  displayDomain: string;
  provider: Provider;
  tenantId?: string;
  inbound: DiscoveredServer[];
  outbound: DiscoveredServer[];
  oauth?: DiscoveredOAuth;
  found: { what: 'provider' | 'tenant' | 'inbound' | 'outbound' | 'oauth'; how: How; detail: string }[];
  errors: { lookup: string; code: string; message: string }[];
  cached: boolean;
}

/** What POST /connect accepts (docs/connect.md). */
export interface ConnectInput {
  address: string;
  names?: { token?: string; inbound?: string; outbound?: string };
  oauth?: {
    template: 'google' | 'microsoft' | 'generic';
    clientId: string;
    clientSecret?: string;
    tenant?: string;
    issuer?: string;
    authorizationEndpoint?: string;
    tokenEndpoint?: string;
    /** Sign in with a code: the tenant's device endpoint, from its OpenID configuration. */
    deviceAuthorizationEndpoint?: string;
    scope?: string;
  };
  password?: string;
  inbound: { type: string; host?: string; port?: number };
  outbound: { type: string; host?: string; port?: number; security?: Security };
}

export interface Created {
  id: number;
  name: string;
}

/** What POST /connect answers: the entries made, and what the wizard does next. */
export interface Connected {
  token: Created | null;
  inbound: Created;
  outbound: Created;
  next: 'consent' | 'test';
}

type Client = Pick<FetchClient, 'post'>;

export const discoverMailbox = async (client: Client, address: string) =>
  (await client.post<Discovery>(`/${PLUGIN_ID}/discover`, { address })).data;

export const connectMailbox = async (client: Client, input: ConnectInput) =>
  (await client.post<Connected, ConnectInput>(`/${PLUGIN_ID}/connect`, input)).data;
