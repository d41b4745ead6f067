import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';
import type { TestReport } from './accountTests';
import type { Pagination } from './tokens';

export type AccountsClient = Pick<FetchClient, 'get' | 'post' | 'put' | 'del'>;

export interface ListQuery {
  page?: number;
  pageSize?: number;
  search?: string;
}

/** The calls every kind of mail account answers (server: routes of inbound- and outbound-accounts). */
export interface AccountsApi<Account, Input, Presets> {
  /** The collection's path (/mail-auth/inbound-accounts), for a kind's own calls. */
  base: string;
  presets: (client: AccountsClient) => Promise<Presets>;
  list: (client: AccountsClient, query: ListQuery) => Promise<{ results: Account[]; pagination: Pagination }>;
  get: (client: AccountsClient, id: number | string) => Promise<Account>;
  create: (client: AccountsClient, input: Input) => Promise<Account>;
  update: (client: AccountsClient, id: number, input: Input) => Promise<Account>;
  remove: (client: AccountsClient, id: number) => Promise<Account>;
  /** Test & confirm; `body` carries what the kind's test needs (outbound: the recipient). */
  test: (client: AccountsClient, id: number, body?: object) => Promise<TestReport>;
}

/** The CRUD and Test & confirm calls of the accounts under /mail-auth/<collection>. */
export const accountsApi = <Account, Input, Presets>(collection: 'inbound-accounts' | 'outbound-accounts'): AccountsApi<Account, Input, Presets> => {
  const base = `/${PLUGIN_ID}/${collection}`;
  return {
    base,
    presets: async (client) => (await client.get<Presets>(`${base}/presets`)).data,
    list: async (client, query) => (await client.get<{ results: Account[]; pagination: Pagination }>(base, { params: query })).data,
    get: async (client, id) => (await client.get<Account>(`${base}/${id}`)).data,
    create: async (client, input) => (await client.post<Account, Input>(base, input)).data,
    update: async (client, id, input) => (await client.put<Account, Input>(`${base}/${id}`, input)).data,
    remove: async (client, id) => (await client.del<Account>(`${base}/${id}`)).data,
    test: async (client, id, body = {}) => (await client.post<TestReport>(`${base}/${id}/test`, body)).data,
  };
};
