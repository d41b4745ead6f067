import type { ActivityEntry } from './entry';

export interface ActivityBatchOptions {
  /** Write at once when this many entries wait. */
  maxEntries: number;
  /** Write at the latest this long after the first entry came in. */
  maxDelayMs: number;
}

/**
 * Collects activity entries written at a high rate (sends, scheduled refreshes) and writes them
 * in batches. A committed row costs an fsync (10–25 ms on SQLite or PostgreSQL here), as much as
 * a fifth of a whole SMTP conversation or of a token refresh: a batch pays it once for many. Entries wait at most `maxDelayMs`; `flush()` writes
 * them now (on shutdown, and for readers that need them at once).
 */
export class ActivityBatch {
  private pending: ActivityEntry[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (entries: ActivityEntry[]) => Promise<void>,
    private readonly options: ActivityBatchOptions = { maxEntries: 500, maxDelayMs: 1000 }
  ) {}

  add(entry: ActivityEntry): void {
    // Stamped now: the log orders by when a thing happened, not by when its batch was written.
    this.pending.push({ createdAt: new Date(), ...entry });
    if (this.pending.length >= this.options.maxEntries) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.maxDelayMs);
      this.timer.unref();
    }
  }

  /** Writes what waits; resolves when everything added so far is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => (batch.length ? this.write(batch) : undefined)).catch(() => undefined);
    return this.writing;
  }
}
