/** A lookup that took longer than its share of time. */
export class LookupTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = 'LookupTimeout';
  }
}

/**
 * Runs `work` with a signal that aborts after `ms`, and gives up on it then even when it does
 * not listen to the signal (a DNS query of c-ares): a slow lookup never holds the answer up.
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new LookupTimeout(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
