import type { Readable } from 'node:stream';

/** An address as the host app may give it: "a@example.com", "Name <a@example.com>" or an object. */
export type AddressInput = string | { name?: string; address: string };

export interface OutboundAttachment {
  filename?: string;
  content: string | Buffer | Readable;
  contentType?: string;
  /** Content-ID, to reference the attachment from HTML as cid:… */
  cid?: string;
  encoding?: string;
}

/** A message to send; the account supplies From unless the message names one it may use. */
export interface OutboundMessage {
  from?: AddressInput;
  replyTo?: AddressInput | AddressInput[];
  to?: AddressInput | AddressInput[];
  cc?: AddressInput | AddressInput[];
  bcc?: AddressInput | AddressInput[];
  subject?: string;
  text?: string;
  html?: string;
  attachments?: OutboundAttachment[];
  /** Extra headers (never From/To/Cc/Bcc/Message-ID, which have their own fields). */
  headers?: Record<string, string>;
  /** For threading replies: the Message-ID this one answers, and the thread's ids. */
  inReplyTo?: string;
  references?: string | string[];
  /** Set to keep a Message-ID the caller made; one is generated otherwise. */
  messageId?: string;
}

/** The message as it goes on the wire: MIME plus the envelope. */
export interface ComposedMessage {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's final answer (SMTP reply, HTTP status and id). */
  response: string;
  /** How many attempts the send took (1 without retries). */
  attempts: number;
}

/**
 * Hooks through which Test & confirm sees each stage of a send; sending for real passes none.
 * `step` runs a stage and records its name, duration and outcome.
 */
export interface SendObserver {
  step<T>(name: string, work: () => Promise<T>, describe?: (result: T) => string | undefined): Promise<T>;
}

export const passThrough: SendObserver = { step: (_name, work) => work() };

/** One way out for mail: an SMTP server, Graph sendMail, the Gmail API. */
export interface MailSink {
  send(message: ComposedMessage, observer?: SendObserver): Promise<SendResult>;
}

/** Where a sink gets an access token: `tokens.getAccessToken`, bound to the account's token. */
export type AccessTokenSource = (options: { forceRefresh: boolean }) => Promise<string>;
