import { MailAuthError } from '../errors';

/** The largest JSON page of Graph or Gmail the plugin reads (a Gmail `format=raw` message has its own limit). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** The largest error answer or OAuth token/discovery answer read: real ones are a few KB. */
export const MAX_SMALL_BODY_BYTES = 1024 * 1024;

/**
 * An HTTP answer body read into memory, but at most `limit` bytes: a server that sends more
 * (by mistake or to exhaust memory) is cut off at once — the stream is cancelled, not drained —
 * and the caller gets an error that says so. Works on fetch's ReadableStream and undici's body,
 * both async iterables of bytes.
 */
export async function readBounded(body: AsyncIterable<Uint8Array> | null | undefined, limit: number, what: string): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      // Leaving the loop early cancels the stream (its iterator's return()).
      throw new MailAuthError('PROTOCOL_ERROR', `${what} is larger than ${limit} bytes; it was not read further`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The answer's JSON, read with `readBounded`. */
export async function readBoundedJson<T>(body: AsyncIterable<Uint8Array> | null | undefined, limit: number, what: string): Promise<T> {
  const bytes = await readBounded(body, limit, what);
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new MailAuthError('PROTOCOL_ERROR', `${what} is not valid JSON`);
  }
}
