import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';

/** What went wrong with a token (server: services/notifications.ts). */
export type ProblemKind = 'expired' | 'reauthorization-required' | 'client-secret-expiring' | 'client-secret-expired';

/** One entry of GET /mail-auth/notifications. */
export interface TokenNotification {
  tokenId: number;
  tokenName: string;
  kind: ProblemKind;
  /** When the problem began (UTC, ISO 8601). */
  since: string | null;
  /** The server's sentence in English; the banner builds its own from the translations. */
  message: string;
  advice: string | null;
  /** Admin panel path of the token, relative to /admin (e.g. /plugins/mail-auth/tokens/12). */
  link: string;
}

export const getNotifications = async (client: Pick<FetchClient, 'get'>, signal?: AbortSignal): Promise<TokenNotification[]> => {
  const { data } = await client.get<{ results: TokenNotification[] }>(`/${PLUGIN_ID}/notifications`, { signal });
  return data.results;
};
