import { MailAuthError } from '../errors';
import {
  authFailed,
  certificateUntrusted,
  connectionFailed,
  folderMissing,
  protocolError,
  timedOut,
  tlsMismatch,
  type FailureContext,
} from './advice';

const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ESOCKETTIMEDOUT']);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'NoConnection', 'EConnectionClosed']);

interface RawError {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  mailboxMissing?: boolean;
  responseText?: string;
  response?: unknown;
  serverResponseCode?: string;
  cause?: unknown;
  _err?: unknown;
}

/** Follows `cause` / imapflow's `_err` to the error that started it. */
function chain(e: unknown): RawError[] {
  const out: RawError[] = [];
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && out.length < 6) {
    out.push(cur as RawError);
    cur = (cur as RawError).cause ?? (cur as RawError)._err;
  }
  return out;
}

/**
 * Turns whatever a mail library, socket or TLS stack threw into a MailAuthError with a code
 * and advice for this account. Errors that are already MailAuthErrors pass unchanged.
 */
export function classifyMailError(e: unknown, c: FailureContext): MailAuthError {
  if (e instanceof MailAuthError) return e;
  const errors = chain(e);
  const codes = errors.map((x) => x.code).filter((x): x is string => Boolean(x));
  const text = errors.map((x) => x.message ?? '').join(' | ');
  const first = errors[0] ?? {};
  const detail = first.message ?? String(e);

  const certCode = codes.find((x) => CERT_CODES.has(x));
  if (certCode) return certificateUntrusted(c, `${certCode}: ${errors.find((x) => x.code === certCode)?.message ?? ''}`.trim());
  if (/self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer|certificate has expired|altnames/i.test(text)) {
    return certificateUntrusted(c, detail);
  }
  if (codes.some((x) => /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER|UNKNOWN_PROTOCOL/.test(x)) || /wrong version number|packet length too long|unknown protocol|ClosedAfterConnectTLS/i.test(text)) {
    return tlsMismatch(c, 'TLS handshake failed: the server did not answer in TLS');
  }
  if (errors.some((x) => x.authenticationFailed)) {
    const said = (first.responseText ?? (typeof first.response === 'string' ? first.response : '') ?? '').trim();
    return authFailed(c, said);
  }
  if (errors.some((x) => x.mailboxMissing) || first.serverResponseCode === 'NONEXISTENT') {
    return folderMissing(c, c.folder);
  }
  const timeout = codes.find((x) => TIMEOUT_CODES.has(x));
  if (timeout === 'GREETING_TIMEOUT' && c.security !== 'tls') {
    return tlsMismatch(c, 'the server sent no plain-text greeting');
  }
  if (timeout) return timedOut(c, timeout === 'GREETING_TIMEOUT' ? 'waiting for its greeting' : 'waiting for an answer');
  const conn = codes.find((x) => CONNECTION_CODES.has(x));
  if (conn) return connectionFailed(c, detail, conn);
  if (/timed? ?out/i.test(text)) return timedOut(c, 'waiting for an answer');
  return protocolError(c, detail);
}
