import { MailAuthError, type ErrorCode } from '../errors';

/**
 * Why a send failed, specific enough to advise on: the test report shows it as its code.
 * (The ErrorCode says which stage failed; the reason says what about it.)
 */
export type SendFailureReason =
  | 'CONNECTION_REFUSED'
  | 'HOST_NOT_FOUND'
  | 'TIMEOUT'
  | 'TLS_MISMATCH'
  | 'STARTTLS_UNAVAILABLE'
  | 'STARTTLS_REQUIRED'
  | 'CERT_UNTRUSTED'
  | 'CERT_INVALID'
  | 'AUTH_REJECTED'
  | 'AUTH_REQUIRED'
  | 'AUTH_UNSUPPORTED'
  | 'SMTP_AUTH_DISABLED'
  | 'OAUTH_REQUIRED'
  | 'SCOPE_MISSING'
  | 'SEND_AS_DENIED'
  | 'RECIPIENT_REJECTED'
  | 'MESSAGE_REJECTED'
  | 'THROTTLED'
  | 'SERVER_UNAVAILABLE'
  | 'TOKEN_UNAVAILABLE'
  | 'UNKNOWN';

export interface SendErrorOptions {
  reason: SendFailureReason;
  advice?: string;
  /** Worth trying the same message again later. */
  transient?: boolean;
  /** How long the server asked to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The server's own answer: an SMTP reply line, or an HTTP status and error code. */
  reply?: string;
  /** The server's error code (SMTP enhanced status 5.7.139, Graph ErrorSendAsDenied …). */
  providerCode?: string;
  cause?: unknown;
}

export class SendError extends MailAuthError {
  readonly reason: SendFailureReason;
  readonly transient: boolean;
  readonly retryAfterMs?: number;
  readonly reply?: string;

  constructor(code: ErrorCode, message: string, options: SendErrorOptions) {
    super(code, message, { advice: options.advice, providerCode: options.providerCode, cause: options.cause });
    this.name = 'SendError';
    this.reason = options.reason;
    this.transient = options.transient ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.reply = options.reply;
  }
}

/** Errors of `tokens` (refresh refused, not authorized …) pass through as they are: they already advise. */
export const isTokenError = (e: unknown): e is MailAuthError =>
  e instanceof MailAuthError &&
  !(e instanceof SendError) &&
  ['TOKEN_INACTIVE', 'NOT_AUTHORIZED', 'REAUTHORIZATION_REQUIRED', 'PROVIDER_ERROR', 'NETWORK_ERROR', 'LEASE_TIMEOUT', 'DECRYPTION_FAILED', 'ENCRYPTION_KEY_MISSING', 'NOT_FOUND'].includes(e.code);
