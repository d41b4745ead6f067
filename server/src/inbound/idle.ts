import type { MailSource } from './types';

/** What a fetch triggered by the watch came to: all done, more left (the per-fetch limit), or another fetch of the account was under way. */
export type FetchOutcome = 'done' | 'more' | 'busy';

/** What a watch needs from the plugin: the account's IDLE hold, its source, and the PostMaster's fetch. */
export interface WatchDeps {
  /** Takes the account's IDLE hold (a lease); false when another instance holds it. */
  hold(): Promise<boolean>;
  /** Keeps the hold alive; false when it was lost (it ran out and another instance took it). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
  /** A connected source for the account, with its current settings. */
  connect(): Promise<MailSource>;
  /** The PostMaster's fetch of the account: the one path that stores messages. */
  fetch(): Promise<FetchOutcome>;
  /** Milliseconds between two extensions of the hold. */
  heartbeatMs: number;
  log(message: string): void;
}

/** Milliseconds before the n-th attempt to reconnect in a row (n ≥ 1): 1 s, 2 s, 4 s … 5 min, ± 20 %. */
export function reconnectDelay(attempt: number, random = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A server without IDLE is asked again after an hour (it may be upgraded); meanwhile the account is polled. */
const UNSUPPORTED_RETRY_MS = 3_600_000;
/** A connection that lasted this long was fine: the next drop starts the backoff from 1 s again. */
const STABLE_MS = 60_000;
/** Another fetch of the account was under way: look again this much later. */
const BUSY_RETRY_MS = 500;

export type WatchState = 'connecting' | 'watching' | 'waiting' | 'stopped';

/**
 * One account held in IMAP IDLE. Holds the account's IDLE lease while it connects and watches
 * (the poll job leaves a held account to it), fetches through the PostMaster when the folder
 * opens and whenever the server reports new mail (one fetch at a time; news during a fetch
 * makes one more), and, when the connection drops, gives the hold back — so the account is
 * polled meanwhile — and reconnects with exponential backoff. Every message goes through the
 * PostMaster's fetch, which records it once under its unique key: whether IDLE or the poll job
 * (or both, one after the other) fetch an account, nothing is lost or repeated.
 */
export class AccountWatch {
  state: WatchState = 'connecting';
  /** Connections made, fetches started: what tests and the bench look at. */
  readonly stats = { connections: 0, drops: 0, fetches: 0 };
  /** Settles when the watch has ended (stopped, or its hold was taken by another instance). */
  readonly ended: Promise<void>;
  private stopper?: AbortController;
  private fetching?: Promise<void>;
  private again = false;
  private attempts = 0;
  private heartbeat?: NodeJS.Timeout;
  private readonly sleeps = new Set<() => void>();

  constructor(
    readonly accountId: number,
    private readonly deps: WatchDeps
  ) {
    this.ended = this.run();
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Waits `ms`, or less when the watch stops meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let connectedAt: number | undefined;
      let unsupported = false;
      try {
        this.state = 'connecting';
        if (!(await this.deps.hold())) {
          this.deps.log('held in IDLE by another instance');
          this.state = 'stopped';
          break;
        }
        if (this.stopped) break;
        this.startHeartbeat();
        const source = await this.deps.connect();
        try {
          if (this.stopped) break;
          if (!source.watch) throw Object.assign(new Error(`${source.protocol} sources cannot wait in IDLE`), { code: 'IDLE_UNSUPPORTED' });
          this.stopper = new AbortController();
          this.state = 'watching';
          this.stats.connections++;
          connectedAt = Date.now();
          await source.watch(() => this.fetchSoon(), this.stopper.signal);
        } finally {
          await source.close();
        }
      } catch (e) {
        if (this.stopped) break;
        unsupported = (e as { code?: string }).code === 'IDLE_UNSUPPORTED';
        this.deps.log(`IDLE connection ${connectedAt ? 'lost' : 'failed'}: ${(e as Error).message}`);
      }
      if (this.stopped) break;
      // Polled meanwhile: the poll job takes an account whose hold is free.
      this.stopHeartbeat();
      await this.deps.release().catch(() => {});
      if (connectedAt) this.stats.drops++;
      if (connectedAt && Date.now() - connectedAt >= STABLE_MS) this.attempts = 0;
      this.attempts++;
      this.state = 'waiting';
      await this.sleep(unsupported ? UNSUPPORTED_RETRY_MS : reconnectDelay(this.attempts));
    }
    this.stopHeartbeat();
    await this.fetching;
    await this.deps.release().catch(() => {});
  }

  private startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      void this.deps.extend().then(
        (kept) => {
          // lost only if it is still meant to be held (a release may have crossed this extension)
          if (!kept && (this.state === 'connecting' || this.state === 'watching') && this.heartbeat) {
            this.deps.log('IDLE hold lost to another instance');
            void this.stop();
          }
        },
        () => {} // the database is away: the next beat tries again, before the hold runs out
      );
    }, this.deps.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** New mail may be there: fetch now, or once more after the fetch under way. */
  private fetchSoon(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = this.fetchWhileNeeded().finally(() => (this.fetching = undefined));
  }

  private async fetchWhileNeeded(): Promise<void> {
    do {
      this.again = false;
      this.stats.fetches++;
      let outcome: FetchOutcome;
      try {
        outcome = await this.deps.fetch();
      } catch (e) {
        // the fetch stores its own failures on the account; this is the database or the like
        this.deps.log(`fetch failed: ${(e as Error).message}`);
        outcome = 'done';
      }
      if (outcome === 'more') this.again = true;
      if (outcome === 'busy') {
        // that fetch may have started before the news: look again once it is over
        this.again = true;
        await this.sleep(BUSY_RETRY_MS);
      }
    } while (this.again && !this.stopped);
  }

  /** Ends the watch: closes the connection, waits for a fetch under way, gives the hold back. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.state = 'stopped';
      this.stopper?.abort();
      for (const wake of [...this.sleeps]) wake();
    }
    await this.ended;
  }
}
