import type { RowUpdate, StateWriter } from '../db/state-writer';

/** One result waiting to be written, and the value by which its row is known to hold it. */
interface Pending {
  update: RowUpdate;
  /** A value only this write stores (a new access token's ciphertext: its IV is random). */
  marker: unknown;
  done(written: boolean): void;
  fail(error: unknown): void;
}

/**
 * Group commit of renewal results: a result is written at once when no write is out; results
 * that arrive while one is out wait for it and then go together, in one UPDATE (each row's own
 * values, each under its own lease and compare-and-swap condition).
 * On PostgreSQL and MariaDB a statement is a round trip and a commit (a WAL flush) of its own, and
 * its CPU time (the driver's send over the socket, the server's backend) is paid on the machine
 * of the instance or of its database: the refresh job, which renews tokens by the thousand, writes
 * several results with one.
 *
 * `storedMarker(ids)`: each row's marker column as stored, read only when an UPDATE wrote some
 * of its rows and not others (a lease that ran out, a row changed meanwhile), to tell which.
 * `lingerMs`: how long a result that may wait (the job's: nobody is waiting for that token) waits
 * for others before its UPDATE goes out.
 */
export function groupedWrites(rows: StateWriter, storedMarker: (ids: number[]) => Promise<Map<number, unknown>>, lingerMs = 0) {
  let queue: Pending[] = [];
  let writing = false;
  /** The flush waiting for more of the job's results, if one is. */
  let lingering: NodeJS.Timeout | undefined;

  // Started (with `writing` set) by the first write that finds none out.
  const flush = async () => {
    lingering = undefined;
    try {
      while (queue.length) {
        // One write a row in a statement (its CASE takes the first); a second waits for the next.
        const ids = new Set<number>();
        const batch = queue.filter((p) => !ids.has(p.update.id) && Boolean(ids.add(p.update.id)));
        queue = queue.filter((p) => !batch.includes(p));
        try {
          const count = await rows.updateRows(batch.map((p) => p.update));
          if (count === batch.length || count === 0) {
            for (const p of batch) p.done(count > 0);
          } else {
            const stored = await storedMarker(batch.map((p) => p.update.id));
            for (const p of batch) p.done(stored.get(p.update.id) === p.marker);
          }
        } catch (e) {
          for (const p of batch) p.fail(e);
        }
      }
    } finally {
      writing = false;
    }
  };

  /**
   * Writes `update` (alone or with others); true when its row was written. The first write waits
   * for the end of this turn of the event loop (setImmediate): answers that arrived together
   * (several sockets readable at once) then go in one UPDATE. On SQLite, whose driver answers
   * synchronously, no write is ever "out" while another result arrives: this is the only grouping
   * it gets. A write that `mayWait` (the job's) waits `lingerMs` instead, unless a write that may
   * not wait comes meanwhile: then they all go at once.
   */
  return (update: RowUpdate, marker: unknown, mayWait = false): Promise<boolean> =>
    new Promise<boolean>((done, fail) => {
      queue.push({ update, marker, done, fail });
      if (lingering && !mayWait) {
        clearTimeout(lingering);
        lingering = undefined;
        setImmediate(() => void flush());
      } else if (!writing) {
        writing = true;
        if (mayWait && lingerMs > 0) lingering = setTimeout(() => void flush(), lingerMs);
        else setImmediate(() => void flush());
      }
    });
}
