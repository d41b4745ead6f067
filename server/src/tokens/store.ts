import { RELEASED } from '../db/lease';
import { assertNameFree, findByRef } from '../db/named-rows';
import { findPage, type PageQuery } from '../db/page';
import { stateWriter } from '../db/state-writer';
import { groupedWrites } from './grouped-writes';
import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import type { TokenContext } from './context';
import type { Lease } from './lease';
import { time, type TokenRow } from './row';

/** The fields of `data` whose values differ from the row's (dates by time, absent as null). */
export function changedFields(row: TokenRow, data: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    const was = (row as unknown as Record<string, unknown>)[field] ?? null;
    const same = value instanceof Date ? time(was as string | Date | null) === value.getTime() : (value ?? null) === was;
    if (!same) changed[field] = value;
  }
  return changed;
}

/**
 * How long a refresh job's result waits for others to share its UPDATE. A few milliseconds beside
 * a provider's answer time; nobody waits for the token meanwhile (a caller asking for it shares the
 * renewal, and its own write does not wait), and the job keeps its requests out while results wait.
 */
export const JOB_RESULTS_LINGER_MS = 4;

export interface WriteOptions {
  /** The renewal's lease: released by the same UPDATE, as long as it is still this one's. */
  lease?: Lease;
  /** Compare-and-swap on the refresh token the row was read with (a renewal's answer). */
  compare?: boolean;
}

/** The token rows: reads, writes, and the rows that refer to them. No rules and no secrets opened here. */
export function tokenStore({ strapi, uid }: TokenContext) {
  const db = () => strapi.db.query(uid);
  let grouped: ReturnType<typeof groupedWrites> | undefined;
  const writeGrouped = (...args: Parameters<ReturnType<typeof groupedWrites>>) =>
    (grouped ??= groupedWrites(
      stateWriter(strapi, uid),
      async (ids) => {
        const stored = (await db().findMany({ where: { id: { $in: ids } }, select: ['id', 'accessToken'] })) as TokenRow[];
        return new Map(stored.map((r) => [r.id, r.accessToken]));
      },
      JOB_RESULTS_LINGER_MS
    ))(...args);

  const find = async (ref: number | string): Promise<TokenRow> => {
    const row = await findByRef<TokenRow>(db(), ref);
    if (!row) throw new MailAuthError('NOT_FOUND', `No OAuth2 token ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}`);
    return row;
  };

  /**
   * One UPDATE of the token's state (the entity manager's update reads the row before and
   * after, three queries where the refresh path needs one), straight through knex: the refresh
   * job writes one for each token it renews. Returns the row as now stored.
   *
   * `compare` (a renewal's answer): a compare-and-swap on the refresh token the renewal started
   * from, in the UPDATE's WHERE. When another writer changed it meanwhile (an instance whose
   * renewal outlived its lease, a new authorization), the answer is older than what is stored:
   * nothing is written and `undefined` is returned.
   *
   * A renewal's new access token under its lease (the refresh job's case, by the thousand) is
   * written with the other results ready at that moment, in one UPDATE (tokens/grouped-writes.ts).
   */
  const write = async (row: TokenRow, data: Record<string, unknown>, options: WriteOptions = {}): Promise<TokenRow | undefined> => {
    const { lease, compare } = options;
    const updatedAt = new Date();
    const rows = stateWriter(strapi, uid);
    // Only what changed: a renewal rewrites half its fields with the values they have (valid, no error).
    const changed = changedFields(row, data);
    // The compare-and-swap: the refresh token the row was read with is still the one stored.
    const startedFrom = compare ? { refreshToken: row.refreshToken ?? null } : {};
    if (lease?.held) {
      // The renewal's lease goes with its result, in the same UPDATE — as long as it is still ours.
      const update = { id: row.id, when: { leaseOwner: lease.owner, ...startedFrom }, data: { ...changed, updatedAt, ...RELEASED } };
      const written =
        compare && changed.accessToken !== undefined
          ? await writeGrouped(update, changed.accessToken, lease.byJob)
          : (await rows.updateRows([update])) === 1;
      if (written) {
        lease.held = false;
        return { ...row, ...data, updatedAt, ...RELEASED } as TokenRow;
      }
      // The lease ran out and another instance may hold it now (its release is then left to it),
      // or the row changed under it: store the result only where it started from.
    }
    const count = await rows.updateRows([{ id: row.id, when: startedFrom, data: { ...changed, updatedAt } }]);
    return count === 1 ? ({ ...row, ...data, updatedAt } as TokenRow) : undefined;
  };

  return {
    find,
    write,

    page: <T>(query: PageQuery, where: Record<string, unknown>, view: (row: TokenRow) => T) =>
      findPage(db(), query, { where, orderBy: { name: 'asc' } }, view),

    create: async (data: Record<string, unknown>) => (await db().create({ data })) as TokenRow,

    /** Through Strapi's query layer (an admin's edit: relations, lifecycles), not the state writer. */
    update: async (id: number, data: Record<string, unknown>) => (await db().update({ where: { id }, data })) as TokenRow,

    /** The token and the sign-ins started for it. */
    remove: async (id: number) => {
      await db().delete({ where: { id } });
      await strapi.db.query(`plugin::${PLUGIN_ID}.oauth-authorization`).deleteMany({ where: { tokenId: id } });
    },

    assertNameFree: (name: string, exceptId?: number) => assertNameFree(db(), name, 'token', exceptId),

    /** The accounts (of any type) whose `oauthToken` relation points at this token. */
    usedBy: async (id: number): Promise<string[]> => {
      const names: string[] = [];
      for (const account of [`plugin::${PLUGIN_ID}.inbound-account`, `plugin::${PLUGIN_ID}.outbound-account`]) {
        if (!strapi.contentTypes[account as keyof typeof strapi.contentTypes]) continue;
        const rows = (await strapi.db.query(account as typeof uid).findMany({ where: { oauthToken: { id } }, select: ['name'] })) as { name: string }[];
        names.push(...rows.map((r) => r.name));
      }
      return names;
    },
  };
}

export type TokenStore = ReturnType<typeof tokenStore>;
