/** One field's error, as Strapi's validation errors name them (`details.errors`). */
export interface FieldError {
  path: string[];
  message: string;
}

/** What went wrong, in a form callers (controllers, jobs, the host app) can act on. */
export type ErrorCode =
  | 'VALIDATION'
  | 'CONFIGURATION_REQUIRED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'ENCRYPTION_KEY_MISSING'
  | 'DECRYPTION_FAILED'
  | 'TOKEN_INACTIVE'
  | 'NOT_AUTHORIZED'
  | 'REAUTHORIZATION_REQUIRED'
  | 'PROVIDER_ERROR'
  | 'NETWORK_ERROR'
  | 'STATE_INVALID'
  | 'LEASE_TIMEOUT'
  // mail accounts (inbound and outbound)
  | 'ACCOUNT_INACTIVE'
  | 'CONNECTION_FAILED'
  | 'TLS_FAILED'
  | 'AUTH_FAILED'
  | 'SEND_REFUSED'
  | 'SEND_DEFERRED'
  | 'TIMEOUT'
  | 'TLS_MISMATCH'
  | 'CERT_UNTRUSTED'
  | 'MAILBOX_ACCESS_DENIED'
  | 'FOLDER_MISSING'
  | 'PROTOCOL_ERROR'
  | 'THROTTLED'
  | 'HAND_ON_FAILED'
  | 'BUSY'
  | 'IDLE_UNSUPPORTED';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  CONFIGURATION_REQUIRED: 409,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  ENCRYPTION_KEY_MISSING: 500,
  DECRYPTION_FAILED: 500,
  TOKEN_INACTIVE: 409,
  NOT_AUTHORIZED: 409,
  REAUTHORIZATION_REQUIRED: 409,
  PROVIDER_ERROR: 502,
  NETWORK_ERROR: 502,
  STATE_INVALID: 400,
  LEASE_TIMEOUT: 503,
  ACCOUNT_INACTIVE: 409,
  CONNECTION_FAILED: 502,
  TLS_FAILED: 502,
  AUTH_FAILED: 502,
  SEND_REFUSED: 502,
  SEND_DEFERRED: 503,
  TIMEOUT: 504,
  TLS_MISMATCH: 502,
  CERT_UNTRUSTED: 502,
  MAILBOX_ACCESS_DENIED: 502,
  FOLDER_MISSING: 502,
  PROTOCOL_ERROR: 502,
  THROTTLED: 503,
  HAND_ON_FAILED: 500,
  BUSY: 409,
  IDLE_UNSUPPORTED: 501,
};

export interface MailAuthErrorOptions {
  /** What a person can do about it. */
  advice?: string;
  /** Field errors, for VALIDATION. */
  errors?: FieldError[];
  /** The provider's own error code (e.g. invalid_grant, AADSTS70008). */
  providerCode?: string;
  cause?: unknown;
}

export class MailAuthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly advice?: string;
  readonly errors?: FieldError[];
  readonly providerCode?: string;

  constructor(code: ErrorCode, message: string, options: MailAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailAuthError';
    this.code = code;
    this.status = STATUS[code];
    this.advice = options.advice;
    this.errors = options.errors;
    this.providerCode = options.providerCode;
  }
}

export const validationError = (errors: FieldError[], message = 'Invalid input') =>
  new MailAuthError('VALIDATION', message, { errors });

export const fieldError = (path: string, message: string) => validationError([{ path: path.split('.'), message }], `${path}: ${message}`);
