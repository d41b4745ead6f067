import { Readable } from 'node:stream';

import { MailAuthError } from '../errors';
import { MAX_JSON_BYTES, MAX_SMALL_BODY_BYTES, readBoundedJson } from '../net/bounded-body';
import { urlOnOrigin } from '../net/origin';
import type { FailureContext } from './advice';
import { authFailed, connectionFailed, throttled } from './advice';
import { classifyMailError } from './classify';
import type { AccessTokens, SourceSettings } from './types';

/** A non-2xx answer of a mail REST API, with the provider's own error code. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly providerCode: string,
    message: string,
    readonly retryAfter?: number
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface RestClientOptions {
  /** The API's root, e.g. https://graph.microsoft.com (no trailing slash). */
  base: string;
  tokens: AccessTokens;
  timeout: number;
  maxRetryAfter: number;
  context: FailureContext;
  /** Reads the provider's error code and message from an error body. */
  readError(body: unknown, status: number): { code: string; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Bearer-authenticated calls to Graph or Gmail: renews the token once after a 401 and tries
 * again once, waits out 429/503 Retry-After up to `maxRetryAfter`, and turns failures into
 * RestErrors (answers) or MailAuthErrors (network).
 */
export class RestClient {
  readonly base: string;

  constructor(private readonly o: RestClientOptions) {
    this.base = o.base.replace(/\/+$/, '');
  }

  /** The client of a Graph or Gmail mail source, which signs in with an OAuth2 token only. */
  static forSource(settings: SourceSettings, context: FailureContext, api: string, readError: RestClientOptions['readError']): RestClient {
    if (settings.credentials.kind !== 'token') throw new MailAuthError('VALIDATION', `${api} needs an OAuth2 token`);
    return new RestClient({
      base: settings.baseUrl!,
      tokens: settings.credentials.tokens as AccessTokens,
      timeout: settings.timeout,
      maxRetryAfter: settings.maxRetryAfter,
      context,
      readError,
    });
  }

  /**
   * A link the server gave (paging, delta), checked before it is stored as a cursor: on the
   * API's origin, or a PROTOCOL_ERROR. The token is never sent anywhere else.
   */
  checkLink(link: string): string {
    return urlOnOrigin(this.base, link).href;
  }

  /** The answer of a successful request (2xx); its body unread. */
  async request(method: string, pathOrUrl: string, init: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = urlOnOrigin(this.base, pathOrUrl).href;
    let token = await this.o.tokens.get();
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
            ...init.headers,
          },
          body: init.json === undefined ? undefined : JSON.stringify(init.json),
          signal: AbortSignal.timeout(this.o.timeout * 1000),
        });
      } catch (e) {
        throw this.networkFailure(e);
      }
      if (res.ok) return res;

      const retryAfter = Number(res.headers.get('retry-after')) || undefined;
      const body = await readBoundedJson(res.body, MAX_SMALL_BODY_BYTES, 'The error answer').catch(() => undefined);
      const { code, message } = this.o.readError(body, res.status);
      if (res.status === 401 && !renewed) {
        const fresh = await this.o.tokens.refreshOnce();
        if (fresh) {
          token = fresh;
          renewed = true;
          continue;
        }
      }
      if ((res.status === 429 || res.status === 503) && attempt < 3) {
        const wait = retryAfter ?? 2 ** attempt;
        if (wait <= this.o.maxRetryAfter) {
          await sleep(wait * 1000);
          continue;
        }
        throw throttled(this.o.context, retryAfter);
      }
      if (res.status === 429) throw throttled(this.o.context, retryAfter);
      if (res.status === 401) throw Object.assign(authFailed(this.o.context, `${code}: ${message}`), { providerCode: code });
      throw new RestError(res.status, code, message, retryAfter);
    }
  }

  /** The JSON answer, read up to `maxBytes` (MAX_JSON_BYTES unless said): a larger one is cut off with an error. */
  async json<T>(method: string, pathOrUrl: string, init: { json?: unknown; headers?: Record<string, string>; maxBytes?: number } = {}): Promise<T> {
    const res = await this.request(method, pathOrUrl, init);
    if (res.status === 204) {
      await res.body?.cancel();
      return undefined as T;
    }
    try {
      return await readBoundedJson<T>(res.body, init.maxBytes ?? MAX_JSON_BYTES, `The answer of ${new URL(res.url || this.base).host}`);
    } catch (e) {
      // The request's timeout covers the body too: a server that trickles it is cut off.
      throw e instanceof MailAuthError ? e : this.networkFailure(e);
    }
  }

  /** A failed request or body read as the advice knows it: a timeout, a network error code, or a connection failure. */
  private networkFailure(e: unknown): Error {
    const cause = (e as { cause?: { code?: string } }).cause;
    if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') {
      return classifyMailError(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' }), this.o.context);
    }
    if (cause?.code) return classifyMailError(Object.assign(new Error((e as Error).message), { code: cause.code, cause }), this.o.context);
    return connectionFailed(this.o.context, (e as Error).message, undefined);
  }

  /** The answer body as a Node stream (MIME of a message). */
  async stream(pathOrUrl: string): Promise<Readable> {
    const res = await this.request('GET', pathOrUrl, { headers: { accept: '*/*' } });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  }
}
