import type { Core } from '@strapi/strapi';

import type { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { TOKEN_UID } from './tokens';

export interface RefreshReport {
  due: number;
  refreshed: string[];
  failed: { name: string; code: string }[];
}

/** Runs `work` over `items`, at most `limit` at a time; one item's failure never stops the rest. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The scheduled refresh: renews every active token whose access token expires within the
 * margin (client-credentials tokens are simply acquired again), honouring each token's
 * backoff, and leaves tokens that need a person (re-authorization) alone.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const setting = (key: string) => strapi.config.get(`plugin::${PLUGIN_ID}.${key}`) as number;

  return {
    /** The ids of the tokens the job should renew now. */
    async dueTokens(now = new Date()): Promise<{ id: number; name: string }[]> {
      const horizon = new Date(now.getTime() + setting('refreshMargin') * 1000);
      return (await strapi.db.query(TOKEN_UID).findMany({
        select: ['id', 'name'],
        where: {
          active: true,
          $and: [
            { $or: [{ nextAttemptAt: { $null: true } }, { nextAttemptAt: { $lte: now } }] },
            {
              $or: [
                // authorized tokens about to expire (or without a known expiry)
                {
                  status: { $in: ['valid', 'error'] },
                  refreshToken: { $notNull: true },
                  $or: [{ accessTokenExpiresAt: { $null: true } }, { accessTokenExpiresAt: { $lt: horizon } }],
                },
                // app-only tokens: acquired again, even the first time
                {
                  grantType: 'client_credentials',
                  status: { $in: ['valid', 'error', 'not-authorized'] },
                  $or: [{ accessTokenExpiresAt: { $null: true } }, { accessTokenExpiresAt: { $lt: horizon } }],
                },
              ],
            },
          ],
        },
        orderBy: { accessTokenExpiresAt: 'asc' },
      })) as { id: number; name: string }[];
    },

    async run(): Promise<RefreshReport> {
      const due = await this.dueTokens();
      const tokens = strapi.plugin(PLUGIN_ID).service('tokens');
      const report: RefreshReport = { due: due.length, refreshed: [], failed: [] };
      await pool(due, setting('refreshConcurrency'), async ({ id, name }) => {
        try {
          await tokens.getAccessToken(id);
          report.refreshed.push(name);
        } catch (e) {
          report.failed.push({ name, code: (e as MailAuthError).providerCode ?? (e as MailAuthError).code ?? 'error' });
        }
      });
      await strapi.plugin(PLUGIN_ID).service('notifications').sweep();
      return report;
    },
  };
};
