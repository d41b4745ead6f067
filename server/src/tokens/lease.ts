import { randomUUID } from 'node:crypto';

import type { LeaseMark } from '../db/lease';
import type { StateWriter } from '../db/state-writer';
import type { TokenRow } from './row';

const INSTANCE = randomUUID();

/** A new lease owner: this process, and one renewal (or one batch of the job) in it. */
export const newLeaseOwner = () => `${INSTANCE}:${randomUUID()}`;

/** A renewal's hold on the token's lease; the write that stores the result releases it. */
export interface Lease {
  owner: string;
  held: boolean;
  /** When it was taken (ms). */
  since: number;
  /** Taken by the refresh job, which writes its activity entries in batches. */
  byJob?: boolean;
}

/** A token the refresh job leased, as read right after. */
export interface LeasedToken {
  row: TokenRow;
  lease: Lease;
}

/**
 * The "refresh sent" mark, written by the UPDATE that takes a renewal's lease (no round trip of
 * its own) and cleared by the one that stores the answer. A mark left by an older owner means
 * that a refresh was sent with the stored refresh token and its answer never stored: the
 * instance died, or the answer did not arrive. COALESCE keeps such a mark when a new lease is
 * taken, so that the next renewal knows it is a retry.
 */
export const sentMark =
  (owner: string): LeaseMark =>
  (rows: StateWriter, knex) => ({
    refreshSentBy: knex.raw('COALESCE(??, ?)', [rows.column('refreshSentBy'), owner]),
    refreshSentAt: knex.raw('COALESCE(??, ?)', [rows.column('refreshSentAt'), new Date()]),
  });

/** The mark cleared: written with an answer. */
export const NO_MARK = { refreshSentBy: null, refreshSentAt: null } as const;

/** When an earlier owner sent a refresh of this row whose answer was never stored. */
export const interruptedSend = (row: TokenRow, lease?: Lease): Date | undefined =>
  row.refreshSentBy && row.refreshSentBy !== lease?.owner ? new Date(row.refreshSentAt ?? Date.now()) : undefined;

/** What releasing the lease without an answer writes: this lease's own mark goes, an older one stays. */
export const ownMarkCleared = (row: TokenRow | undefined, lease: Lease) => (row?.refreshSentBy === lease.owner ? NO_MARK : {});
