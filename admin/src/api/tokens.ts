import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';
import type { GrantType } from './templates';

export type TokenStatus = 'not-authorized' | 'valid' | 'expired' | 'reauthorization-required' | 'refresh-interrupted' | 'error' | 'inactive';

export interface TokenError {
  code: string;
  message: string;
  advice?: string | null;
  at?: string;
}

/** A token as the admin API shows it: never a secret, only whether one is set. */
export interface Token {
  id: number;
  name: string;
  description: string | null;
  template: string;
  grantType: GrantType;
  clientId: string;
  hasClientSecret: boolean;
  /** YYYY-MM-DD: when the client secret stops working, as entered; the banner warns ahead. */
  clientSecretExpiresOn: string | null;
  clientAuthMethod: 'client_secret_post' | 'client_secret_basic';
  tenant: string | null;
  scope: string | null;
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  deviceAuthorizationEndpoint: string | null;
  extraAuthorizationParams: Record<string, string>;
  pkce: boolean;
  redirectUri: string;
  redirectUriWarning: string | null;
  status: TokenStatus;
  accessTokenExpiresAt: string | null;
  hasAccessToken: boolean;
  hasRefreshToken: boolean;
  refreshTokenExpiresAt: string | null;
  grantedBy: string | null;
  grantedScope: string | null;
  grantedAt: string | null;
  lastRefreshAt: string | null;
  lastError: TokenError | null;
  failureCount: number;
  nextAttemptAt: string | null;
  notifyOnExpiredToken: boolean;
  notifyOnExpiredRefreshToken: boolean;
  active: boolean;
  createdAt?: string;
  updatedAt?: string;
}

/** What POST and PUT accept. `clientSecret`: absent keeps the stored one, null removes it. */
export interface TokenInput {
  name?: string;
  description?: string | null;
  template?: string;
  clientId?: string;
  clientSecret?: string | null;
  clientSecretExpiresOn?: string | null;
  clientAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  tenant?: string | null;
  issuer?: string | null;
  authorizationEndpoint?: string | null;
  tokenEndpoint?: string | null;
  deviceAuthorizationEndpoint?: string | null;
  scope?: string | null;
  extraAuthorizationParams?: Record<string, string> | null;
  pkce?: boolean;
  active?: boolean;
  notifyOnExpiredToken?: boolean;
  notifyOnExpiredRefreshToken?: boolean;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface TokenList {
  results: Token[];
  pagination: Pagination;
}

export interface AuthorizationStart {
  authorizationUrl: string;
  redirectUri: string;
  /** Seconds the authorization may take before its state expires. */
  expiresIn: number;
}

export type DeviceGrantState = 'pending' | 'authorized' | 'denied' | 'expired' | 'error';

/** Sign in with a code: what POST and GET /tokens/:id/device-authorize answer. */
export interface DeviceGrant {
  tokenId: number;
  state: DeviceGrantState;
  /** What the person enters at `verificationUri`. */
  userCode: string;
  verificationUri: string;
  /** The same page with the code filled in, when the provider offers one. */
  verificationUriComplete: string | null;
  /** Seconds between the server's polls of the provider. */
  interval: number;
  expiresAt: string;
  /** Seconds left to enter the code (0 once it ended). */
  expiresIn: number;
  grantedBy: string | null;
  error: TokenError | null;
}

type Client = Pick<FetchClient, 'get' | 'post' | 'put' | 'del'>;
const base = `/${PLUGIN_ID}/tokens`;

export const listTokens = async (client: Client, query: { page?: number; pageSize?: number; search?: string }) =>
  (await client.get<TokenList>(base, { params: query })).data;

export const getToken = async (client: Client, id: number | string) => (await client.get<Token>(`${base}/${id}`)).data;

export const createToken = async (client: Client, input: TokenInput) => (await client.post<Token, TokenInput>(base, input)).data;

export const updateToken = async (client: Client, id: number, input: TokenInput) =>
  (await client.put<Token, TokenInput>(`${base}/${id}`, input)).data;

export const deleteToken = async (client: Client, id: number) => (await client.del<Token>(`${base}/${id}`)).data;

/** Starts Generate tokens; the answer also sets the cookie that binds the flow to this browser. */
export const startAuthorization = async (client: Client, id: number) =>
  (await client.post<AuthorizationStart>(`${base}/${id}/authorize`, {})).data;

export const refreshToken = async (client: Client, id: number) => (await client.post<Token>(`${base}/${id}/refresh`, {})).data;

/** Sign in with a code: a new user code for the token; the server polls the provider from now on. */
export const startDeviceAuthorization = async (client: Client, id: number) =>
  (await client.post<DeviceGrant>(`${base}/${id}/device-authorize`, {})).data;

export const getDeviceAuthorization = async (client: Client, id: number) =>
  (await client.get<DeviceGrant>(`${base}/${id}/device-authorize`)).data;

/** Stops the server polling for the token's code: a code entered later stores nothing. */
export const cancelDeviceAuthorization = async (client: Client, id: number) =>
  (await client.del<DeviceGrant>(`${base}/${id}/device-authorize`)).data;
