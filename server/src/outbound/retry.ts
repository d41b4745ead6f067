import { SendError } from './send-error';

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff, in ms; doubled each time, with jitter. */
  baseDelayMs: number;
  /** The longest wait; a longer Retry-After fails at once instead of holding the caller. */
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `retry` (0-based): the server's Retry-After, else exponential backoff with jitter. */
export function delayBefore(retry: number, error: SendError, policy: RetryPolicy): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  const base = policy.baseDelayMs * 2 ** retry;
  return Math.min(policy.maxDelayMs, Math.round(base / 2 + Math.random() * (base / 2)));
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are used up. Only a
 * SendError marked transient (SMTP 4xx, HTTP 429/5xx, a dropped connection) is tried again;
 * everything else — a 5xx refusal, a token that cannot be renewed — is final at once.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy): Promise<{ result: T; attempts: number }> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let n = 1; ; n += 1) {
    try {
      return { result: await attempt(n), attempts: n };
    } catch (e) {
      if (!(e instanceof SendError) || !e.transient || n > policy.retries) throw e;
      const wait = delayBefore(n - 1, e, policy);
      if (wait > policy.maxDelayMs) throw e;
      await sleep(wait);
    }
  }
}
