import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type * as client from 'openid-client';
import { request, type Dispatcher } from 'undici';

import { MAX_SMALL_BODY_BYTES, readBounded } from '../net/bounded-body';

/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

type FetchBody = Parameters<client.CustomFetch>[1]['body'];

function bodyOf(body: FetchBody): string | Uint8Array | Readable | undefined {
  if (body == null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return Readable.fromWeb(body as unknown as WebReadableStream);
}

/**
 * openid-client's requests (discovery, token endpoint) through undici's `request()` instead of
 * `fetch()`: the same HTTP client on the same dispatcher (the global one, so that Strapi's
 * proxy settings apply), without fetch's WHATWG streams and headers around each request, which
 * cost two to three times the CPU time of the request itself (bench/refresh: the refresh job makes
 * one request per token). Failures look as fetch's do, which openid-client and the advice expect:
 * the signal's reason when aborted (a timeout), otherwise a TypeError with the network error as
 * its cause. No redirect is followed, as openid-client asks (`redirect: 'manual'`). An answer
 * body larger than MAX_SMALL_BODY_BYTES is a failure (its cause says so).
 */
export const oauthFetch: client.CustomFetch = async (url, options) => {
  try {
    const answer = await request(url, {
      method: options.method as Dispatcher.HttpMethod,
      headers: options.headers,
      body: bodyOf(options.body),
      signal: options.signal,
    });
    // A token or discovery answer is a few KB: a larger one is cut off, not read into memory.
    const data = await readBounded(answer.body, MAX_SMALL_BODY_BYTES, `The answer of ${new URL(String(url)).host}`);
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
    }
    return new Response(NULL_BODY.has(answer.statusCode) ? null : data, { status: answer.statusCode, headers });
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new TypeError('fetch failed', { cause: e });
  }
};
