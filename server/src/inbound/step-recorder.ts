/**
 * One step of Test & confirm (connect, TLS, authenticate, folder / send), with its duration, so
 * that a person sees where it stopped. Here beside the sources, which record their own steps
 * while connecting (MailSource.connect); the outbound test records its steps in one too.
 */
export interface Step {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
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
