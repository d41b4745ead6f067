import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { PLUGIN_ID } from '../plugin-id';
import { secretExpiry } from '../warnings/secret-expiry';
import { dateOnly } from '../db/date-only';
import { TOKEN_UID } from '../shared/content-type-uids';
import { NEEDS_AUTHORIZATION, type TokenRow } from '../tokens/row';

export type ProblemKind = 'expired' | 'reauthorization-required';
/** The client secret's expiry date (entered by the admin) is near, or past. */
export type SecretKind = 'client-secret-expiring' | 'client-secret-expired';

export interface Notification {
  tokenId: number;
  tokenName: string;
  kind: ProblemKind | SecretKind;
  /** When the problem began (UTC, ISO 8601). */
  since: string | null;
  message: string;
  advice: string | null;
  /** Admin panel path of the token, relative to /admin. */
  link: string;
}

type Row = TokenRow & { notifiedState?: ProblemKind | null };

const problemOf = (row: Row, now = Date.now()): ProblemKind | null => {
  if (row.active === false) return null;
  // (a refresh interrupted and then refused asks the same of a person, with its own advice)
  if (NEEDS_AUTHORIZATION.includes(row.status)) return 'reauthorization-required';
  const expiresAt = row.accessTokenExpiresAt ? new Date(row.accessTokenExpiresAt).getTime() : undefined;
  if ((row.status === 'valid' || row.status === 'error') && expiresAt !== undefined && expiresAt <= now) return 'expired';
  return null;
};

/** Where problemOf can find a problem: the rest of the tokens are read for nothing. */
const mayHaveProblem = (now: Date) => ({
  $or: [{ status: { $in: [...NEEDS_AUTHORIZATION] } }, { status: { $in: ['valid', 'error'] }, accessTokenExpiresAt: { $lte: now } }],
});

const DAY = 86_400_000;

/**
 * What the banner shows, and the events of a token's state changing. An event fires once
 * per change: the change is claimed by a conditional update of `notifiedState`, so that of
 * several instances exactly one reports it.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const db = () => strapi.db.query(TOKEN_UID);
  const warningDays = () => pluginConfig(strapi, 'secretExpiryWarningDays');

  /** Tokens whose client secret expires within the warning window (or has expired). */
  const secretNotices = async (now: Date): Promise<Notification[]> => {
    const horizon = dateOnly(new Date(now.getTime() + warningDays() * DAY))!;
    const today = dateOnly(now)!;
    const rows = (await db().findMany({
      where: { active: true, clientSecretExpiresOn: { $notNull: true, $lte: horizon } },
      orderBy: { name: 'asc' },
    })) as Row[];
    return rows.flatMap((row) => {
      const on = dateOnly(row.clientSecretExpiresOn)!;
      const expiry = secretExpiry(row, on, today, warningDays());
      if (!expiry) return [];
      return [
        {
          tokenId: row.id,
          tokenName: row.name,
          kind: expiry.expired ? 'client-secret-expired' : 'client-secret-expiring',
          since: `${on}T00:00:00.000Z`,
          message: expiry.message,
          advice: expiry.advice,
          link: `/plugins/${PLUGIN_ID}/tokens/${row.id}`,
        } satisfies Notification,
      ];
    });
  };

  const notice = (row: Row, kind: ProblemKind): Notification => ({
    tokenId: row.id,
    tokenName: row.name,
    kind,
    since:
      kind === 'expired'
        ? new Date(row.accessTokenExpiresAt!).toISOString()
        : (row.lastError?.at ?? (row.updatedAt ? new Date(row.updatedAt).toISOString() : null)),
    message:
      kind === 'expired'
        ? `The access token of OAuth2 token "${row.name}" has expired and could not be refreshed.`
        : `OAuth2 token "${row.name}" needs to be authorized again.`,
    advice: row.lastError?.advice ?? null,
    link: `/plugins/${PLUGIN_ID}/tokens/${row.id}`,
  });

  return {
    problemOf,

    /**
     * The problems of the tokens that ask to be notified of them, then the client secrets that
     * expire within `secretExpiryWarningDays` (a token with an expiry date entered asks for that).
     */
    async list(): Promise<Notification[]> {
      const now = new Date();
      const rows = (await db().findMany({ where: { active: true, ...mayHaveProblem(now) }, orderBy: { name: 'asc' } })) as Row[];
      const problems = rows.flatMap((row) => {
        const kind = problemOf(row, now.getTime());
        if (kind === 'expired' && row.notifyOnExpiredToken !== false) return [notice(row, kind)];
        if (kind === 'reauthorization-required' && row.notifyOnExpiredRefreshToken !== false) return [notice(row, kind)];
        return [];
      });
      return [...problems, ...(await secretNotices(now))];
    },

    /** Emits the event of a token's new problem (or notes that it has none any more). */
    async observe(row: Row): Promise<void> {
      const kind = problemOf(row);
      const before = row.notifiedState ?? null;
      if (kind === before) return;
      const { count } = await db().updateMany({
        where: { id: row.id, notifiedState: before === null ? { $null: true } : before },
        data: { notifiedState: kind },
      });
      if (count !== 1 || kind === null) return;
      const n = notice(row, kind);
      strapi.eventHub.emit(`${PLUGIN_ID}.token.${kind}`, { notification: n });
      await strapi.plugin(PLUGIN_ID).service('activity').record({
        kind: `token.${kind}`,
        subjectType: 'token',
        subjectId: row.id,
        subjectName: row.name,
        outcome: 'failure',
        message: n.message,
        code: row.lastError?.code,
      });
    },

    /** Looks at every token: access tokens expire with time, not only with a failed request. */
    async sweep(): Promise<void> {
      // Those reported before (to clear or change what was reported) and those with a problem now.
      const rows = (await db().findMany({ where: { $or: [{ notifiedState: { $notNull: true } }, mayHaveProblem(new Date())] } })) as Row[];
      for (const row of rows) await this.observe(row);
    },
  };
};
