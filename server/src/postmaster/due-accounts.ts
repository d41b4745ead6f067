import type { Core } from '@strapi/strapi';

import { INBOUND_ACCOUNT_UID as ACCOUNT_UID } from '../shared/content-type-uids';
import { markedIncomplete } from '../transfer/stored-entries';

/** How often an account held in IDLE is polled all the same (seconds), unless its poll interval is longer. */
export const IDLE_SAFETY_POLL_SECONDS = 900;

/** An account whose poll is due: it still is as long as its last poll is at or before `dueBy`. */
export interface DueAccount {
  id: number;
  name: string;
  dueBy: Date;
}

/**
 * The active accounts whose poll interval has passed since their last poll, longest waiting
 * first. An account held in IDLE (by any instance) is fetched as its mail arrives: it is polled
 * only at the safety interval, in case its server stopped telling.
 */
export async function dueAccounts(strapi: Core.Strapi, now = new Date()): Promise<DueAccount[]> {
  const rows = (await strapi.db.query(ACCOUNT_UID).findMany({
    where: { active: true },
    select: ['id', 'name', 'lastPollAt', 'pollInterval', 'lastError', 'idleUntil'],
    orderBy: { lastPollAt: 'asc' },
  })) as {
    id: number;
    name: string;
    lastPollAt: string | null;
    pollInterval: number | null;
    lastError: { code?: string } | null;
    idleUntil: string | null;
  }[];
  const interval = (r: (typeof rows)[number]) => {
    const seconds = r.pollInterval ?? 300;
    return r.idleUntil && new Date(r.idleUntil).getTime() > now.getTime() ? Math.max(seconds, IDLE_SAFETY_POLL_SECONDS) : seconds;
  };
  return rows
    .filter((r) => !markedIncomplete(r))
    .map((r) => ({ id: r.id, name: r.name, lastPollAt: r.lastPollAt, dueBy: new Date(now.getTime() - interval(r) * 1000) }))
    .filter((r) => !r.lastPollAt || new Date(r.lastPollAt).getTime() <= r.dueBy.getTime())
    .map(({ id, name, dueBy }) => ({ id, name, dueBy }));
}
