import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import { oauthFetch } from '../../server/src/oauth/http';
import { freePort } from '../servers/ports';

/** A local HTTP server that answers as the path says, and tells what it received. */
let server: Server;
let base: string;
let hugeSent = 0;
const received: { method?: string; headers?: IncomingMessage['headers']; body?: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/json') {
        res.writeHead(200, [
          ['content-type', 'application/json'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ]);
        res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer' }));
      } else if (req.url === '/error') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant' }));
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/json' });
        res.end();
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const block = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < 64 * 1024 * 1024) {
            sent += block.length;
            hugeSent = sent;
            if (!res.write(block)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const post = (path: string, init: Partial<Parameters<typeof oauthFetch>[1]> = {}) =>
  oauthFetch(`${base}${path}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r t' }),
    redirect: 'manual',
    ...init,
  } as Parameters<typeof oauthFetch>[1]);

test('a form POST arrives as sent; the answer is a Response with its status, headers and body', async () => {
  received.length = 0;
  const res = await post('/json');
  assert.ok(res instanceof Response);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { access_token: 'at', token_type: 'Bearer' });
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(received[0].method, 'POST');
  assert.equal(received[0].body, 'grant_type=refresh_token&refresh_token=r+t');
  assert.equal(received[0].headers?.['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
});

test('an error status is an answer, not a failure; 204 has no body; a redirect is not followed', async () => {
  const error = await post('/error');
  assert.equal(error.status, 400);
  assert.deepEqual(await error.json(), { error: 'invalid_grant' });
  const empty = await post('/empty');
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
  const redirect = await post('/redirect', { method: 'GET', body: undefined });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/json');
});

test('failures look as fetch() reports them: the timeout as the signal gives it, a refused connection as a TypeError with its cause', async () => {
  await assert.rejects(post('/slow', { signal: AbortSignal.timeout(200) }), (e: Error) => e.name === 'TimeoutError');
  const closed = await freePort();
  await assert.rejects(
    oauthFetch(`http://127.0.0.1:${closed}/token`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' } as Parameters<typeof oauthFetch>[1]),
    (e: Error & { cause?: { code?: string } }) => e instanceof TypeError && e.cause?.code === 'ECONNREFUSED',
  );
});

test('an answer larger than 1 MiB is cut off: a failure whose cause says so, and the rest is not read', async () => {
  await assert.rejects(post('/huge'), (e: Error & { cause?: Error }) => {
    assert.ok(e instanceof TypeError);
    assert.match(String(e.cause?.message), /The answer of 127\.0\.0\.1:\d+ is larger than 1048576 bytes/);
    return true;
  });
  assert.ok(hugeSent < 16 * 1024 * 1024, `the server wrote ${hugeSent} bytes of 64 MiB`);
});
