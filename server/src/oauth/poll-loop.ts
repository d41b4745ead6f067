/**
 * Runs `tick(id)` for each watched id, again after the delay it answers, until it answers
 * undefined (the thing polled ended) or the loop stops. One run per id at a time: watching an
 * id already watched does nothing. Timers are unref'd: a pending poll never keeps Node alive.
 */
export class PollLoop {
  private readonly timers = new Map<number, NodeJS.Timeout | 'running'>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly tick: (id: number) => Promise<number | undefined>,
    /** Delay after a tick that threw (the database away, say), in ms. */
    private readonly retryMs: number,
    private readonly onError: (id: number, error: unknown) => void
  ) {}

  watch(id: number, delayMs = 0): void {
    if (this.stopped || this.timers.has(id)) return;
    this.schedule(id, delayMs);
  }

  isWatching(id: number): boolean {
    return this.timers.has(id);
  }

  /** Stops every timer and waits for the ticks under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) if (timer !== 'running') clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private schedule(id: number, delayMs: number) {
    const timer = setTimeout(() => {
      this.timers.set(id, 'running');
      const run = this.run(id).finally(() => this.running.delete(run));
      this.running.add(run);
    }, Math.max(0, delayMs));
    timer.unref();
    this.timers.set(id, timer);
  }

  private async run(id: number) {
    let next: number | undefined;
    try {
      next = await this.tick(id);
    } catch (e) {
      this.onError(id, e);
      next = this.retryMs;
    }
    if (this.stopped) return;
    this.timers.delete(id);
    if (next !== undefined) this.schedule(id, next);
  }
}
