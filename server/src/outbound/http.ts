import { MAX_SMALL_BODY_BYTES, readBounded } from '../net/bounded-body';
import { SendError, type SendErrorOptions } from './send-error';
import type { AccessTokenSource, SendObserver } from './types';

/** An HTTP answer that is not a success, as the REST sinks classify it. */
export interface HttpFailure {
  status: number;
  /** The parsed JSON error body, when there was one. */
  body: unknown;
  text: string;
  retryAfterMs?: number;
}

export interface HttpSendOptions {
  url: string;
  contentType: string;
  body: string | Buffer;
  timeoutMs: number;
  token: AccessTokenSource;
  observer: SendObserver;
  /** Turns a failed answer into a SendError (transient or not, with advice). */
  classify: (failure: HttpFailure) => SendError;
  /** For the step's detail: what the success answer means. */
  describe: (status: number, body: unknown) => string;
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const parseJson = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * POSTs with the account's bearer token. A 401 renews the token once and posts once more
 * (the token may have been revoked or rotated since it was stored); anything else that is not
 * 2xx goes to `classify`.
 */
export async function postWithToken(options: HttpSendOptions): Promise<{ status: number; body: unknown }> {
  const { observer } = options;
  let token = await observer.step('access token', () => options.token({ forceRefresh: false }), () => 'valid');
  for (let renewed = false; ; renewed = true) {
    try {
      return await observer.step(renewed ? 'send (with the renewed token)' : 'send', async () => {
        let res: Response;
        try {
          res = await fetch(options.url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': options.contentType },
            body: options.body as RequestInit['body'],
            signal: AbortSignal.timeout(options.timeoutMs),
          });
        } catch (cause) {
          throw networkError(options.url, cause);
        }
        let text: string;
        try {
          // A send's answer is empty or a few hundred bytes: more is not read into memory.
          text = (await readBounded(res.body, MAX_SMALL_BODY_BYTES, `The answer of ${new URL(options.url).host}`)).toString('utf8');
        } catch (cause) {
          throw networkError(options.url, cause);
        }
        const body = parseJson(text);
        if (res.ok) return { status: res.status, body };
        const failure: HttpFailure = { status: res.status, body, text, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
        if (res.status === 401 && !renewed) throw new TokenRefused(failure);
        throw options.classify(failure);
      }, (a) => options.describe(a.status, a.body));
    } catch (e) {
      if (!(e instanceof TokenRefused)) throw e;
    }
    token = await observer.step('access token (renewed)', () => options.token({ forceRefresh: true }), () => 'renewed after the server refused the previous one');
  }
}

/** A 401 on the first try: renew the token and post again. */
class TokenRefused extends Error {
  constructor(readonly failure: HttpFailure) {
    super(`${failure.status}: the server refused the access token; renewing it`);
  }
}

function networkError(url: string, cause: unknown): SendError {
  const e = cause as Error & { cause?: Error & { code?: string } };
  const timeout = e?.name === 'TimeoutError' || e?.name === 'AbortError';
  const detail = e?.cause?.message ?? e?.message ?? String(cause);
  const host = new URL(url).host;
  const options: SendErrorOptions = {
    reason: timeout ? 'TIMEOUT' : e?.cause?.code === 'ENOTFOUND' ? 'HOST_NOT_FOUND' : 'SERVER_UNAVAILABLE',
    transient: true,
    advice: 'A network problem or an outage at the provider; the send is retried automatically. If it persists, check that this server can reach ' + host + ' (proxy, firewall).',
    providerCode: e?.cause?.code,
    cause,
  };
  return new SendError('CONNECTION_FAILED', timeout ? `No answer from ${host} in time` : `Cannot reach ${host}: ${detail}`, options);
}

/** For an HTTP status that says nothing more specific: 429 and 5xx are worth retrying, the rest is final. */
export function genericHttpFailure(service: string, failure: HttpFailure, code: string | undefined, message: string): SendError {
  const { status } = failure;
  const reply = `${status}${code ? ` ${code}` : ''}: ${message}`;
  if (status === 429) {
    return new SendError('SEND_DEFERRED', `${service} is throttling: ${reply}`, {
      reason: 'THROTTLED',
      transient: true,
      retryAfterMs: failure.retryAfterMs,
      reply,
      providerCode: code ?? String(status),
      advice: `${service} limits how fast a mailbox may send. The send is retried after the time the service asks for; if it happens often, send less at once.`,
    });
  }
  if (status >= 500) {
    return new SendError('SEND_DEFERRED', `${service} had a passing failure: ${reply}`, {
      reason: 'SERVER_UNAVAILABLE',
      transient: true,
      retryAfterMs: failure.retryAfterMs,
      reply,
      providerCode: code ?? String(status),
      advice: 'A passing failure at the provider; the send is retried automatically.',
    });
  }
  return new SendError('SEND_REFUSED', `${service} refused the message: ${reply}`, {
    reason: 'MESSAGE_REJECTED',
    reply,
    providerCode: code ?? String(status),
    advice: `${service} refused the request; its answer says why.`,
  });
}
