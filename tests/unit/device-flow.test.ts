import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { adviseProviderError } from '../../server/src/oauth/advice';
import { deviceFetch } from '../../server/src/oauth/device-fetch';
import { PollLoop } from '../../server/src/oauth/poll-loop';

describe('device flow advice', () => {
  const device = { flow: 'device' as const };

  test('the endings of a device grant say to get a new code', () => {
    assert.match(adviseProviderError({ error: 'expired_token' }, device).advice, /Sign in with a code again/);
    for (const error of ['access_denied', 'authorization_declined']) {
      const a = adviseProviderError({ error }, { ...device, template: 'microsoft' });
      assert.match(a.advice, /refused at the provider/);
      assert.equal(a.reauthorize, false, 'the token keeps the grant it had');
    }
  });

  test('a client that may not use the device grant: what to change, per provider', () => {
    assert.match(adviseProviderError({ error: 'invalid_client' }, { ...device, template: 'google' }).advice, /TVs and Limited Input devices/);
    assert.match(adviseProviderError({ error: 'unauthorized_client' }, { ...device, template: 'microsoft' }).advice, /Allow public client flows/);
    assert.match(adviseProviderError({ error: 'unauthorized_client' }, { ...device, template: 'generic' }).advice, /device_code/);
    assert.match(adviseProviderError({ error: 'invalid_scope' }, { ...device, template: 'google' }).advice, /never a Gmail scope/);
  });

  test('outside the device flow the usual advice stands', () => {
    assert.match(adviseProviderError({ error: 'access_denied' }).advice, /Generate tokens/);
    assert.match(adviseProviderError({ error: 'invalid_client' }, { template: 'google' }).advice, /client id or secret/);
  });

  test('Microsoft: the AADSTS number is the code, the device advice the text', () => {
    const a = adviseProviderError({ error: 'expired_token', error_codes: [70019], error_description: 'AADSTS70019: Verification code expired.' }, device);
    assert.equal(a.code, 'AADSTS70019');
    assert.match(a.advice, /Sign in with a code again/);
  });
});

describe('deviceFetch', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/missing' ? 400 : 200, { 'content-type': 'application/json' });
      if (req.url === '/google') res.end(JSON.stringify({ device_code: 'd', user_code: 'U', verification_url: 'https://www.google.com/device', expires_in: 1800 }));
      else if (req.url === '/standard') res.end(JSON.stringify({ device_code: 'd', user_code: 'U', verification_uri: 'https://idp/device', verification_url: 'x' }));
      else res.end(JSON.stringify({ error: 'invalid_client' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const post = (endpoint: string, url = endpoint) => deviceFetch(endpoint)(url, { method: 'POST', headers: {}, body: 'client_id=c', redirect: 'manual' } as never);

  test("Google's verification_url becomes verification_uri", async () => {
    const body = await (await post(`${base}/google`)).json();
    assert.equal(body.verification_uri, 'https://www.google.com/device');
    assert.equal('verification_url' in body, false);
  });

  test('a standard answer, another endpoint or an error pass unchanged', async () => {
    assert.equal((await (await post(`${base}/standard`)).json()).verification_uri, 'https://idp/device');
    assert.equal((await (await post(`${base}/elsewhere`, `${base}/google`)).json()).verification_url, 'https://www.google.com/device');
    const refused = await post(`${base}/missing`);
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error, 'invalid_client');
  });
});

describe('PollLoop', () => {
  test('ticks again after the delay each tick answers, until undefined; one run per id', async () => {
    const ticks: number[] = [];
    const loop = new PollLoop(
      async (id) => {
        ticks.push(id);
        return ticks.filter((t) => t === id).length < 3 ? 10 : undefined;
      },
      10,
      () => undefined
    );
    loop.watch(1);
    loop.watch(1);
    loop.watch(2, 5);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(ticks.filter((t) => t === 1).length, 3);
    assert.deepEqual(ticks.filter((t) => t === 2).length, 3);
    assert.equal(loop.isWatching(1), false);
    await loop.stop();
  });

  test('a tick that throws is retried; stop() ends everything and waits for a running tick', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let release: () => void = () => undefined;
    const loop = new PollLoop(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
        await new Promise<void>((r) => (release = r));
        return 10;
      },
      5,
      (_id, e) => errors.push(e)
    );
    loop.watch(7);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(errors.length, 1);
    assert.equal(calls, 2, 'retried after the error');
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(stopped, false, 'waits for the tick under way');
    release();
    await stopping;
    loop.watch(7);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls, 2, 'nothing runs after stop()');
  });
});
