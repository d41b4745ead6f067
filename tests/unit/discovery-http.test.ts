import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';

import { boundedGet, FetchProblem, httpFailure } from '../../server/src/discovery/http';
import { LookupTimeout, withTimeout } from '../../server/src/discovery/timeout';
import { close, listen } from '../servers/http-util';

/** A local web server whose paths say how to answer. */
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const hops = /^\/hop\/(\d+)$/.exec(url);
    if (hops) {
      const left = Number(hops[1]);
      res.writeHead(302, { location: left ? `/hop/${left - 1}` : '/file' });
      return res.end();
    }
    if (url === '/to-http-elsewhere') {
      res.writeHead(301, { location: 'http://mail.example.com/file' });
      return res.end();
    }
    if (url === '/file') return res.end('<clientConfig/>');
    if (url === '/gone') res.writeHead(410);
    else if (url === '/error') res.writeHead(503);
    else if (url === '/slow') return; // never answers
    else res.writeHead(404);
    res.end();
  });
  base = await listen(server);
});
after(() => close(server));

const get = (path: string, options: Partial<Parameters<typeof boundedGet>[1]> = {}) =>
  boundedGet(`${base}${path}`, { signal: AbortSignal.timeout(2000), maxBytes: 1024, accept: 'application/xml', allowHttpLoopback: true, ...options });
const problem = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof FetchProblem) return `${e.kind}${e.status ? ` ${e.status}` : ''}`;
    throw e;
  }
  return 'answered';
};

test('a file is read; redirects are followed up to three, each to https (or loopback http when allowed)', async () => {
  assert.equal((await get('/file')).body.toString(), '<clientConfig/>');
  const followed = await get('/hop/2');
  assert.equal(followed.url, `${base}/file`);
  assert.equal(await problem(get('/hop/3')), 'status 302', 'a fourth redirect is too many');
  assert.equal(await problem(get('/to-http-elsewhere')), 'url');
  assert.equal(await problem(get('/file', { allowHttpLoopback: false })), 'url', 'http on loopback only when allowed');
});

test('404, 410 and a host that does not listen are "absent"; other statuses are "status"; a body over the bound is "too-large"', async () => {
  assert.equal(await problem(get('/missing')), 'absent 404');
  assert.equal(await problem(get('/gone')), 'absent 410');
  assert.equal(await problem(get('/error')), 'status 503');
  assert.equal(await problem(boundedGet('http://127.0.0.1:1/file', { signal: AbortSignal.timeout(2000), maxBytes: 10, accept: '*/*', allowHttpLoopback: true })), 'absent');
  assert.equal(await problem(get('/file', { maxBytes: 5 })), 'too-large');
  const [code, message] = httpFailure(new FetchProblem('status', `${base}/error answered HTTP 503`, 503), `${base}/error`);
  assert.deepEqual([code, message], ['HTTP_ERROR', `${base}/error answered HTTP 503`]);
});

test('a server that does not answer: the lookup gives up at its timeout', async () => {
  const started = Date.now();
  const url = `${base}/slow`;
  const failure = await withTimeout(200, (signal) => get('/slow', { signal })).then(
    () => undefined,
    (e: unknown) => e
  );
  assert.ok(failure instanceof LookupTimeout);
  assert.deepEqual(httpFailure(failure, url), ['TIMEOUT', `${url} gave no answer within 0.2 s`]);
  assert.ok(Date.now() - started < 1500);
});
