import { MailAuthError } from '../errors';
import { StepRecorder } from '../inbound/step-recorder';
import type { AccountError, OutboundAccountRow } from '../outbound/account';
import { SendError } from '../outbound/send-error';
import type { ComposedMessage, MailSink, OutboundMessage, SendObserver, SendResult } from '../outbound/types';

/** What the test needs of the `outbound` service: the account's sink and its composer. */
export interface OutboundSending {
  sinkFor(row: OutboundAccountRow): MailSink;
  compose(row: OutboundAccountRow, message: OutboundMessage): Promise<ComposedMessage>;
}

/**
 * Test & confirm for an outbound account: sends a short message to `to`, step by step (token,
 * connect, TLS, authenticate, send) without retries, so that the person sees the server's
 * real answer. Throws what failed; `testFailure` says what to store and show of it.
 */
export async function sendTestMessage(outbound: OutboundSending, row: OutboundAccountRow, to: string, at: Date, recorder: StepRecorder): Promise<SendResult> {
  const sink = outbound.sinkFor(row);
  const composed = await outbound.compose(row, {
    to,
    subject: `Test message from Strapi: outbound account "${row.name}"`,
    text: `This message was sent by Strapi (mail-auth plugin) to test the outbound account "${row.name}" at ${at.toISOString()}.\r\nIf it arrived, the account works; nothing needs to be done.\r\n`,
  });
  const observer: SendObserver = { step: (name, work, describe) => recorder.run(name, work, describe) };
  return sink.send(composed, observer);
}

export interface OutboundTestFailure {
  error: MailAuthError;
  /** The SMTP reason where there is one (SendError), else the provider's code or the plugin's. */
  code: string;
  lastError: AccountError;
}

/**
 * A failed test as the account stores and the admin shows it. An invalid configuration caught
 * before any step ran is the request's own error and is thrown on; a failure before the first
 * step is shown as a failed `configuration` step.
 */
export function testFailure(e: unknown, recorder: StepRecorder): OutboundTestFailure {
  const error = e instanceof MailAuthError ? e : new MailAuthError('SEND_REFUSED', (e as Error).message, { cause: e });
  if (error.code === 'VALIDATION' && !recorder.steps.length) throw error;
  const code = error instanceof SendError ? error.reason : (error.providerCode ?? error.code);
  const lastError: AccountError = { code, reason: error instanceof SendError ? error.reason : undefined, message: error.message, advice: error.advice ?? null, at: new Date().toISOString() };
  if (!recorder.steps.length) recorder.steps.push({ name: 'configuration', ok: false, ms: 0, detail: error.message });
  return { error, code, lastError };
}
