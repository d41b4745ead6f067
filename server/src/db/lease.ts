import type { Core, UID } from '@strapi/strapi';

/**
 * A row-level lease: a conditional UPDATE that succeeds for one caller at a time, on
 * SQLite, PostgreSQL and MariaDB alike. A holder that dies leaves a lease that simply
 * expires, after which another instance may take it.
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
  const { count } = await strapi.db.query(uid).updateMany({
    where: { id: { $in: ids }, $or: [{ leaseUntil: { $null: true } }, { leaseUntil: { $lt: now } }] },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + seconds * 1000) },
  });
  return count;
}

/** Extends a lease this owner holds; false when it ran out and another took it. */
export async function extendLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string, seconds: number): Promise<boolean> {
  const { count } = await strapi.db.query(uid).updateMany({
    where: { id, leaseOwner: owner },
    data: { leaseUntil: new Date(Date.now() + seconds * 1000) },
  });
  return count === 1;
}

export async function releaseLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string): Promise<void> {
  await strapi.db.query(uid).updateMany({
    where: { id, leaseOwner: owner },
    data: { leaseOwner: null, leaseUntil: null },
  });
}
