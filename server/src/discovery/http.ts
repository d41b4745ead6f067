import { request } from 'undici';

import { isLoopbackUrl } from '../oauth/settings';
import { LookupTimeout } from './timeout';
import type { LookupErrorCode } from './types';

/** Why a document could not be had; `absent` is no failure: the server has none. */
export class FetchProblem extends Error {
  constructor(
    readonly kind: 'absent' | 'too-large' | 'status' | 'network' | 'url',
    message: string,
    readonly status?: number
  ) {
    super(message);
    this.name = 'FetchProblem';
  }
}

export interface BoundedGetOptions {
  signal: AbortSignal;
  /** Refused beyond this: by Content-Length before reading, or as soon as the body grows past it. */
  maxBytes: number;
  accept: string;
  allowHttpLoopback: boolean;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The host has no such name, or nothing listens: what most domains without the document answer. */
const ABSENT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Stops reading a body and closes its connection; undici reports that as an error nobody needs to hear. */
const abandon = (body: NodeJS.ReadableStream & { destroy(): void }) => {
  body.on('error', () => {});
  body.destroy();
};

/** https only, and http on 127.0.0.1/::1 when the plugin allows loopback test servers. */
export const allowedUrl = (url: string, allowHttpLoopback: boolean) =>
  url.startsWith('https://') || (allowHttpLoopback && url.startsWith('http://') && isLoopbackUrl(url));

/**
 * GET of a small document from a server we do not control: bounded in size, in time (the
 * caller's signal) and in redirects (each target https as well). 404 and 410 and a host that
 * does not exist are `absent`; other answers that are not 200 are `status`.
 */
export async function boundedGet(url: string, options: BoundedGetOptions): Promise<{ body: Buffer; url: string }> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    if (!allowedUrl(current, options.allowHttpLoopback)) throw new FetchProblem('url', `${current} is not an https URL`);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(current, { method: 'GET', headers: { accept: options.accept }, signal: options.signal });
    } catch (e) {
      if (options.signal.aborted) throw options.signal.reason;
      const code = (e as { code?: string }).code ?? ((e as { cause?: { code?: string } }).cause?.code);
      if (code && ABSENT_CODES.has(code)) throw new FetchProblem('absent', `${new URL(current).host}: ${code}`);
      throw new FetchProblem('network', `${current}: ${(e as Error).message}${code ? ` (${code})` : ''}`);
    }
    const { statusCode, headers } = answer;
    if (REDIRECTS.has(statusCode) && typeof headers.location === 'string') {
      await answer.body.dump();
      if (redirects >= (options.maxRedirects ?? 3)) throw new FetchProblem('status', `${url}: too many redirects`, statusCode);
      current = new URL(headers.location, current).toString();
      continue;
    }
    if (statusCode !== 200) {
      await answer.body.dump();
      throw new FetchProblem(statusCode === 404 || statusCode === 410 ? 'absent' : 'status', `${current} answered HTTP ${statusCode}`, statusCode);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      abandon(answer.body);
      throw new FetchProblem('too-large', `${current} is ${declared} bytes, more than the ${options.maxBytes} allowed`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length;
      if (size > options.maxBytes) {
        abandon(answer.body);
        throw new FetchProblem('too-large', `${current} is more than the ${options.maxBytes} bytes allowed`);
      }
      chunks.push(chunk as Buffer);
    }
    return { body: Buffer.concat(chunks), url: current };
  }
}

/** A failed request as the answer's error: a timeout, a size over the bound, an unexpected status, the network. */
export function httpFailure(e: unknown, url: string): [LookupErrorCode, string] {
  if (e instanceof LookupTimeout) return ['TIMEOUT', `${url} gave no answer within ${e.ms / 1000} s`];
  if (e instanceof FetchProblem) return [e.kind === 'too-large' ? 'TOO_LARGE' : e.kind === 'status' ? 'HTTP_ERROR' : 'NETWORK_ERROR', e.message];
  return ['NETWORK_ERROR', (e as Error)?.message ?? String(e)];
}
