import type { Step } from '../inbound/step-recorder';

/** What Test & confirm answers: the steps run, and on failure what to do about it. */
export interface TestReport {
  ok: boolean;
  steps: Step[];
  /** What to do about the failure, when there is one. */
  advice?: string;
  /** A code a caller can act on (e.g. AUTH_FAILED, TLS_MISMATCH, CERT_UNTRUSTED). */
  code?: string;
}
