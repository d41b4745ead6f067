import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';

import { readBounded, readBoundedJson } from '../../server/src/net/bounded-body';
import { urlOnOrigin } from '../../server/src/net/origin';

const GRAPH = 'https://graph.microsoft.com';

test('urlOnOrigin: paths and links on the base origin pass', () => {
  assert.equal(urlOnOrigin(GRAPH, '/v1.0/me/messages').href, `${GRAPH}/v1.0/me/messages`);
  assert.equal(urlOnOrigin(`${GRAPH}/`, '/v1.0/me').href, `${GRAPH}/v1.0/me`);
  assert.equal(urlOnOrigin(GRAPH, `${GRAPH}/v1.0/me/messages?$skiptoken=abc`).href, `${GRAPH}/v1.0/me/messages?$skiptoken=abc`);
  // the default port is the same origin
  assert.equal(urlOnOrigin(GRAPH, 'https://graph.microsoft.com:443/v1.0/me').origin, GRAPH);
  assert.equal(urlOnOrigin('HTTPS://Graph.Microsoft.com', `${GRAPH}/v1.0/me`).origin, GRAPH);
  // a path is always under the base, never a scheme-relative link elsewhere
  assert.equal(urlOnOrigin(GRAPH, '//evil.example/v1.0/me').origin, GRAPH);
});

test('urlOnOrigin: links that only start like the base are refused, naming the origin they lead to', () => {
  const hostile = [
    'https://graph.microsoft.com.evil.example/v1.0/me/messages',
    'https://graph.microsoft.com@evil.example/v1.0/me/messages',
    'https://graph.microsoft.com:8443/v1.0/me/messages',
    'http://graph.microsoft.com/v1.0/me/messages',
    'https://user:pass@graph.microsoft.com/v1.0/me',
    'https://evil.example/v1.0/me',
    'javascript:alert(1)',
  ];
  for (const link of hostile) {
    assert.throws(() => urlOnOrigin(GRAPH, link), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PROTOCOL_ERROR', link);
      assert.match(e.message, /not followed/, link);
      return true;
    }, link);
  }
  assert.throws(() => urlOnOrigin(GRAPH, 'https://graph.microsoft.com.evil.example/x'), /another origin \(https:\/\/graph\.microsoft\.com\.evil\.example, expected https:\/\/graph\.microsoft\.com\)/);
});

test('readBounded: reads up to the limit, refuses more and stops reading', async () => {
  assert.equal((await readBounded(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4, 'x')).toString(), 'abcd');
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield new Uint8Array(1024);
    }
  }
  await assert.rejects(readBounded(endless(), 10 * 1024, 'The answer'), /The answer is larger than 10240 bytes/);
  assert.equal(pulled, 11, 'stopped at the first chunk over the limit');
  assert.deepEqual(await readBoundedJson(Readable.from([Buffer.from('{"a":1}')]), 100, 'x'), { a: 1 });
  await assert.rejects(readBoundedJson(Readable.from([Buffer.from('{"a"')]), 100, 'The answer'), /The answer is not valid JSON/);
});
