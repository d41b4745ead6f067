import type { Core, UID } from '@strapi/strapi';

/**
 * A row-level lease: a conditional UPDATE that succeeds for one caller at a time, on
 * SQLite, PostgreSQL and MariaDB alike. A holder that dies leaves a lease that simply
 * expires, after which another instance may take it.
 */
export async function acquireLease(
  strapi: Core.Strapi,
  uid: UID.Schema,
  id: number,
  owner: string,
  seconds: number
): Promise<boolean> {
  const now = new Date();
  const { count } = await strapi.db.query(uid).updateMany({
    where: { id, $or: [{ leaseUntil: { $null: true } }, { leaseUntil: { $lt: now } }] },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + seconds * 1000) },
  });
  return count === 1;
}

export async function releaseLease(strapi: Core.Strapi, uid: UID.Schema, id: number, owner: string): Promise<void> {
  await strapi.db.query(uid).updateMany({
    where: { id, leaseOwner: owner },
    data: { leaseOwner: null, leaseUntil: null },
  });
}
