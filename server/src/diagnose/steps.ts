/**
 * Test & confirm answers step by step (connect, TLS, authenticate, folder / send), each with
 * its duration, so that a person sees where it stopped. Shared by inbound and outbound.
 */
export interface Step {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface TestReport {
  ok: boolean;
  steps: Step[];
  /** What to do about the failure, when there is one. */
  advice?: string;
  /** A code a caller can act on (e.g. AUTH_FAILED, TLS_MISMATCH, CERT_UNTRUSTED). */
  code?: string;
}

export class StepRecorder {
  readonly steps: Step[] = [];

  /** Runs one step; a failure is recorded with its message and thrown on. */
  async run<T>(name: string, work: () => Promise<T>, describe?: (result: T) => string | undefined): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.steps.push({ name, ok: true, ms: Math.round(performance.now() - started), detail: describe?.(result) });
      return result;
    } catch (e) {
      this.steps.push({ name, ok: false, ms: Math.round(performance.now() - started), detail: (e as Error).message });
      throw e;
    }
  }
}
