import { createHash, generateKeyPair, randomBytes, randomInt, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { promisify } from 'node:util';

/**
 * Small pieces shared by the local stand-ins for Microsoft, Google, Graph and Gmail:
 * request bodies, answers, bearer/basic credentials, the 429 switch, requests held open
 * to simulate a timeout, RS256 ID tokens, and just enough MIME header parsing to assert on.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

export function readBody(req: IncomingMessage, limit = 35 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { reject(new Error('request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

/** The parsed JSON body, or `undefined` when it is not JSON (callers answer 400 themselves). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  try { return JSON.parse(text); } catch { return undefined; }
}

export function send(
  res: ServerResponse, status: number, body: string | Buffer, contentType: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, headers);
  res.end();
}

export function redirect(res: ServerResponse, location: string): void {
  sendEmpty(res, 302, { location, 'cache-control': 'no-store' });
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** `Authorization: Basic` credentials, URL-decoded as RFC 6749 §2.3.1 asks of OAuth clients. */
export function basicCredentials(req: IncomingMessage): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
  return { user: dec(decoded.slice(0, i)), pass: dec(decoded.slice(i + 1)) };
}

/** `throttleNext(n, retryAfter)`: the next n requests that ask `take()` are to be answered 429. */
export class Throttle {
  private left = 0;
  private retryAfter = 1;
  next(count: number, retryAfterSeconds: number): void {
    this.left = count;
    this.retryAfter = retryAfterSeconds;
  }
  /** Seconds for `Retry-After` when this request is throttled, otherwise undefined. */
  take(): number | undefined {
    if (this.left <= 0) return undefined;
    this.left--;
    return this.retryAfter;
  }
}

/**
 * Hostile answers, for the clients' limits: `hugeNext(bytes)` answers the next request 200 with
 * a JSON body of that many bytes, written as the client reads it (backpressure, so this server's
 * own memory stays small); `slowNext(bytesPerSecond)` starts a JSON answer and then trickles it,
 * never ending. `bytesSent` tells how much of the last one the client let through before it
 * hung up.
 */
export class HostileAnswers {
  private readonly queue: ('huge' | 'slow')[] = [];
  private size = 0;
  private rate = 1;
  bytesSent = 0;
  hugeNext(bytes: number): void {
    this.size = bytes;
    this.queue.push('huge');
  }
  slowNext(bytesPerSecond = 10): void {
    this.rate = bytesPerSecond;
    this.queue.push('slow');
  }
  /** Answers this request with the next hostile answer, if one is due; true when it did. */
  take(res: ServerResponse): boolean {
    const kind = this.queue.shift();
    if (!kind) return false;
    this.bytesSent = 0;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    const write = (chunk: string) => {
      this.bytesSent += chunk.length;
      return res.write(chunk);
    };
    write('{"value":["');
    if (kind === 'slow') {
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : write('x')), 1000 / this.rate);
      res.on('close', () => clearInterval(timer));
      return true;
    }
    const block = 'x'.repeat(64 * 1024);
    const pump = () => {
      while (!res.destroyed && this.bytesSent < this.size) if (!write(block)) return void res.once('drain', pump);
      if (!res.destroyed) res.end('"]}');
    };
    pump();
    return true;
  }
}

/**
 * Requests held open to simulate a server that does not answer: `hold` resolves when the
 * client gives up (socket closed) or after `maxMs`; `releaseAll` ends every hold (on stop).
 */
export class Holds {
  private readonly waiting = new Set<() => void>();
  /** True when the client is still there (the caller may still answer). */
  async hold(res: ServerResponse, maxMs = 60_000): Promise<boolean> {
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); this.waiting.delete(done); resolve(); };
      const timer = setTimeout(done, maxMs);
      this.waiting.add(done);
      res.once('close', done);
    });
    return !res.destroyed && !res.writableEnded;
  }
  releaseAll(): void {
    for (const done of [...this.waiting]) done();
  }
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

export async function close(server: Server, holds?: Holds): Promise<void> {
  holds?.releaseAll();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** Wraps an async handler so that a thrown error becomes a 500 instead of a hung request. */
export function handler(fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    fn(req, res).catch((err: unknown) => {
      console.error('test server: unhandled error', err);
      sendJson(res, 500, { error: 'test_server_bug', error_description: String(err) });
    });
  };
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** A device flow's user code in groups of letters a person types easily, e.g. "BKRT-WQXP". */
export const randomUserCode = (groups = 2, size = 4): string =>
  Array.from({ length: groups }, () => Array.from({ length: size }, () => 'BCDFGHJKLMNPQRSTVWXZ'[randomInt(20)]).join('')).join('-');

export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** base64 as RFC 4648 §4 with nothing else in it (Graph refuses MIME bodies that are not). */
export function strictBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  if (!compact || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

export interface RsaSigner {
  kid: string;
  jwks: { keys: Record<string, unknown>[] };
  /** A compact RS256 JWS of `claims`. */
  sign(claims: Record<string, unknown>): string;
}

/** An RSA key for signing ID tokens, and its public half as a JWKS. */
export async function rsaSigner(kid: string): Promise<RsaSigner> {
  const { privateKey, publicKey } = (await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })) as {
    privateKey: KeyObject; publicKey: KeyObject;
  };
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig', kty: 'RSA' };
  return {
    kid,
    jwks: { keys: [jwk] },
    sign(claims) {
      const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const sig = sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
      return `${head}.${body}.${sig}`;
    },
  };
}

export interface Address { name: string; address: string }

export interface ParsedMime {
  /** Header names lower-cased; repeated headers keep their last value. */
  headers: Record<string, string>;
  subject: string;
  from?: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  date?: Date;
  /** Everything after the header block, undecoded (enough to assert on text bodies). */
  body: string;
}

function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=\s*(?==\?)|=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g,
    (_m, c1, e1, t1, c2, e2, t2) => {
      const charset = String(c1 ?? c2).toLowerCase();
      const enc = String(e1 ?? e2).toUpperCase();
      const text = String(t1 ?? t2);
      const bytes = enc === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return charset === 'utf-8' || charset === 'utf8' ? bytes.toString('utf8') : bytes.toString('latin1');
    });
}

export function parseAddresses(value: string | undefined): Address[] {
  if (!value) return [];
  const out: Address[] = [];
  // split on commas outside quotes and angle brackets
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '<') angle++;
    if (!quoted && ch === '>') angle--;
    if (ch === ',' && !quoted && angle === 0) { out.push(one(cur)); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(one(cur));
  return out.filter((a) => a.address);
  function one(part: string): Address {
    const m = /^\s*(.*?)\s*<([^>]*)>\s*$/.exec(part);
    if (m) return { name: decodeWords(m[1].replace(/^"|"$/g, '')), address: m[2].trim() };
    return { name: '', address: part.trim() };
  }
}

export function parseMime(raw: string | Buffer): ParsedMime {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const date = headers.date ? new Date(headers.date) : undefined;
  return {
    headers,
    subject: decodeWords(headers.subject ?? ''),
    from: parseAddresses(headers.from)[0],
    to: parseAddresses(headers.to),
    cc: parseAddresses(headers.cc),
    bcc: parseAddresses(headers.bcc),
    messageId: headers['message-id'],
    inReplyTo: headers['in-reply-to'],
    references: (headers.references ?? '').split(/\s+/).filter(Boolean),
    date: date && !Number.isNaN(date.getTime()) ? date : undefined,
    body,
  };
}
