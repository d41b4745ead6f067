import type { Core, UID } from '@strapi/strapi';
import type { Knex } from 'knex';

import { stateWriter, type StateWriter } from './state-writer';

/** Where the row's lease is still this owner's: the condition of every write that extends or ends it. */
export const heldBy = (rows: StateWriter, id: number, owner: string) => (qb: Knex.QueryBuilder) => qb.where('id', id).andWhere(rows.column('leaseOwner'), owner);

/** The columns that end a lease. */
export const RELEASED = { leaseOwner: null, leaseUntil: null } as const;

/**
 * A row-level lease: a conditional UPDATE that succeeds for one caller at a time, on
 * SQLite, PostgreSQL and MariaDB alike. A holder that dies leaves a lease that simply
 * expires, after which another instance may take it. (Jobs take and give back thousands of
 * leases: they are written straight through knex, see state-writer.ts.)
 */
export async function acquireLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string, seconds: number): Promise<boolean> {
  return (await acquireLeases(strapi, uid, [id], owner, seconds)) === 1;
}

/**
 * Leases of several rows in one UPDATE, for a job that works through many: returns how many it
 * got; the caller reads back which (those held by others are left to them).
 */
export async function acquireLeases(strapi: Core.Strapi, uid: UID.Schema, ids: number[], owner: string, seconds: number): Promise<number> {
  const now = new Date();
  const rows = stateWriter(strapi, uid);
  const until = rows.column('leaseUntil');
  return rows.update((qb) => qb.whereIn('id', ids).andWhere((free) => free.whereNull(until).orWhere(until, '<', now)), {
    leaseOwner: owner,
    leaseUntil: new Date(now.getTime() + seconds * 1000),
  });
}

/** Extends a lease this owner holds; false when it ran out and another took it. */
export async function extendLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string, seconds: number): Promise<boolean> {
  const rows = stateWriter(strapi, uid);
  return (await rows.update(heldBy(rows, id, owner), { leaseUntil: new Date(Date.now() + seconds * 1000) })) === 1;
}

export async function releaseLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string): Promise<void> {
  const rows = stateWriter(strapi, uid);
  await rows.update(heldBy(rows, id, owner), RELEASED);
}
