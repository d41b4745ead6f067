import type { Core, UID } from '@strapi/strapi';
import type { Knex } from 'knex';

import { stateWriter, type StateWriter } from './state-writer';

/**
 * The attributes a lease lives in. Most rows have one lease (leaseOwner, leaseUntil); an inbound
 * account also has the hold of its IDLE connection (idleOwner, idleUntil), which outlives many
 * fetches and so cannot be the fetch's own lease.
 */
export interface LeaseColumns {
  owner: string;
  until: string;
}

export const LEASE: LeaseColumns = { owner: 'leaseOwner', until: 'leaseUntil' };

/** Where the row's lease is still this owner's: the condition of every write that extends or ends it. */
export const heldBy =
  (rows: StateWriter, id: number, owner: string, columns: LeaseColumns = LEASE) =>
  (qb: Knex.QueryBuilder) =>
    qb.where('id', id).andWhere(rows.column(columns.owner), owner);

/** The columns that end a lease. */
export const RELEASED = { leaseOwner: null, leaseUntil: null } as const;

const released = (columns: LeaseColumns) => ({ [columns.owner]: null, [columns.until]: null });

/**
 * What a lease UPDATE writes besides the lease itself, for each row it takes: values, or
 * expressions of the row's own columns (a mark that must not overwrite an older one).
 */
export type LeaseMark = (rows: StateWriter, knex: Knex) => Record<string, unknown>;

/**
 * A row-level lease: a conditional UPDATE that succeeds for one caller at a time, on
 * SQLite, PostgreSQL and MariaDB alike. A holder that dies leaves a lease that simply
 * expires, after which another instance may take it; a live holder keeps it with a heartbeat
 * (keepLease). (Jobs take and give back thousands of leases: they are written straight through
 * knex, see state-writer.ts.)
 */
export async function acquireLease(
  strapi: Core.Strapi,
  uid: UID.Schema,
  id: number,
  owner: string,
  seconds: number,
  mark?: LeaseMark,
  columns: LeaseColumns = LEASE
): Promise<boolean> {
  return (await acquireLeases(strapi, uid, [id], owner, seconds, mark, columns)) === 1;
}

/** A condition the rows must still meet when the lease is taken (the UPDATE checks it). */
export type LeaseCondition = (qb: Knex.QueryBuilder, rows: StateWriter) => Knex.QueryBuilder;

/** The WHERE and SET of the UPDATE that leases `ids` (those free, and meeting `only` when given). */
function leaseUpdate(
  strapi: Core.Strapi,
  rows: StateWriter,
  ids: number[],
  owner: string,
  seconds: number,
  mark: LeaseMark | undefined,
  columns: LeaseColumns,
  only: LeaseCondition | undefined
) {
  const now = new Date();
  const until = rows.column(columns.until);
  const free = (qb: Knex.QueryBuilder) => qb.whereIn('id', ids).andWhere((q) => q.whereNull(until).orWhere(until, '<', now));
  return {
    where: (qb: Knex.QueryBuilder) => (only ? only(free(qb), rows) : free(qb)),
    values: {
      ...mark?.(rows, strapi.db.connection),
      [columns.owner]: owner,
      [columns.until]: new Date(now.getTime() + seconds * 1000),
    },
  };
}

/**
 * Leases of several rows in one UPDATE, for a job that works through many: returns how many it
 * got; the caller reads back which (those held by others are left to them). `mark` rides on the
 * same UPDATE; `only` leaves out rows that no longer need the work (another instance did it
 * since the job read its list).
 */
export async function acquireLeases(
  strapi: Core.Strapi,
  uid: UID.Schema,
  ids: number[],
  owner: string,
  seconds: number,
  mark?: LeaseMark,
  columns: LeaseColumns = LEASE,
  only?: LeaseCondition
): Promise<number> {
  const rows = stateWriter(strapi, uid);
  const { where, values } = leaseUpdate(strapi, rows, ids, owner, seconds, mark, columns, only);
  return rows.update(where, values);
}

/**
 * acquireLeases, returning the rows it leased as the query layer reads them (after the UPDATE:
 * with the lease and the mark): on PostgreSQL and SQLite the UPDATE itself returns them, a round
 * trip a batch fewer; on MariaDB, which has no UPDATE … RETURNING, a SELECT of the rows this owner
 * now holds follows.
 */
export async function leaseRows(
  strapi: Core.Strapi,
  uid: UID.Schema,
  ids: number[],
  owner: string,
  seconds: number,
  { mark, columns = LEASE, only }: { mark?: LeaseMark; columns?: LeaseColumns; only?: LeaseCondition } = {}
): Promise<Record<string, unknown>[]> {
  const rows = stateWriter(strapi, uid);
  const { where, values } = leaseUpdate(strapi, rows, ids, owner, seconds, mark, columns, only);
  const returned = await rows.updateReturning(where, values);
  if (returned) return returned;
  if (!(await rows.update(where, values))) return [];
  return rows.select((qb) => qb.whereIn('id', ids).andWhere(rows.column(columns.owner), owner));
}

/** A row's lease, taken only if the row meets `only` when the UPDATE runs (an account still due for its poll). */
export async function acquireLeaseIf(
  strapi: Core.Strapi,
  uid: UID.Schema,
  id: number,
  owner: string,
  seconds: number,
  only: LeaseCondition
): Promise<boolean> {
  return (await acquireLeases(strapi, uid, [id], owner, seconds, undefined, LEASE, only)) === 1;
}

/** Extends a lease this owner holds; false when it ran out and another took it. */
export async function extendLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string, seconds: number, columns: LeaseColumns = LEASE): Promise<boolean> {
  const rows = stateWriter(strapi, uid);
  return (await rows.update(heldBy(rows, id, owner, columns), { [columns.until]: new Date(Date.now() + seconds * 1000) })) === 1;
}

/** Ends a lease this owner holds, writing `data` with it (nothing when the lease is no longer its). */
export async function releaseLease(
  strapi: Core.Strapi,
  uid: UID.Schema,
  id: number,
  owner: string,
  data: Record<string, unknown> = {},
  columns: LeaseColumns = LEASE
): Promise<void> {
  const rows = stateWriter(strapi, uid);
  await rows.update(heldBy(rows, id, owner, columns), { ...data, ...released(columns) });
}

/** A heartbeat that keeps a lease alive; `lost` turns true once an extension found it taken. */
export interface LeaseHeartbeat {
  readonly lost: boolean;
  stop(): void;
}

/**
 * Keeps a held lease alive while its holder works (a long fetch, a refresh waiting for a slow
 * provider): extends it every third of its length, so that a live holder never loses it and a
 * dead one's runs out within `seconds`. Costs nothing until the first third has passed.
 */
export function keepLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string, seconds: number): LeaseHeartbeat {
  let lost = false;
  const timer = setInterval(() => {
    extendLease(strapi, uid, id, owner, seconds).then(
      (held) => void (lost ||= !held),
      () => {} // a failing database: the next beat tries again, and the lease's own end is the limit
    );
  }, Math.max(1000, (seconds * 1000) / 3));
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
