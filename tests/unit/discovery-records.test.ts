import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TtlCache } from '../../server/src/discovery/cache';
import { MICROSOFT_CONSUMERS_TENANT_ID, tenantFromConfiguration } from '../../server/src/discovery/microsoft-tenant';
import { classifyMx, isMicrosoftConsumerMx } from '../../server/src/discovery/mx';
import { srvSettings } from '../../server/src/discovery/srv';
import { LookupTimeout, withTimeout } from '../../server/src/discovery/timeout';
import { knownProvider } from '../../server/src/discovery/known-domains';

test('MX: Google Workspace and Microsoft 365 by their hosts, the most preferred first; a null MX; anything else is no provider', () => {
  assert.deepEqual(classifyMx([{ exchange: 'alt1.aspmx.l.google.com', priority: 5 }, { exchange: 'ASPMX.L.GOOGLE.COM.', priority: 1 }]), {
    provider: 'google', host: 'aspmx.l.google.com', nullMx: false,
  });
  assert.equal(classifyMx([{ exchange: 'smtp.google.com', priority: 1 }]).provider, 'google');
  assert.equal(classifyMx([{ exchange: 'aspmx2.googlemail.com', priority: 10 }]).provider, 'google');
  assert.deepEqual(classifyMx([{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }]), {
    provider: 'microsoft', host: 'contoso-com.mail.protection.outlook.com', nullMx: false,
  });
  // a filter in front: the first host that belongs to a provider says where mail ends up
  assert.equal(classifyMx([{ exchange: 'mx1.filter.example', priority: 1 }, { exchange: 'contoso-com.mail.protection.outlook.com', priority: 50 }]).provider, 'microsoft');
  assert.deepEqual(classifyMx([{ exchange: 'outlook-com.olc.protection.outlook.com', priority: 5 }]), {
    provider: 'microsoft', host: 'outlook-com.olc.protection.outlook.com', nullMx: false,
  });
  assert.equal(isMicrosoftConsumerMx('outlook-com.olc.protection.outlook.com'), true, "Outlook.com's");
  assert.equal(isMicrosoftConsumerMx('contoso-com.mail.protection.outlook.com'), false);
  assert.deepEqual(classifyMx([{ exchange: 'mx.example.org', priority: 10 }]), { nullMx: false });
  assert.deepEqual(classifyMx([{ exchange: 'google.com.evil.example', priority: 10 }]), { nullMx: false }, 'a suffix, not a substring');
  assert.deepEqual(classifyMx([{ exchange: '', priority: 0 }]), { nullMx: true });
});

test('SRV: best first (priority, then weight), "." and bad ports dropped, password assumed', () => {
  const imaps = { service: '_imaps._tcp', direction: 'inbound', type: 'imaps', security: 'tls' } as const;
  assert.deepEqual(
    srvSettings(imaps, [
      { name: 'backup.example.org', port: 993, priority: 20, weight: 0 },
      { name: 'light.example.org', port: 993, priority: 10, weight: 1 },
      { name: 'heavy.example.org.', port: 9993, priority: 10, weight: 60 },
      { name: '.', port: 0, priority: 0, weight: 0 },
      { name: 'zero.example.org', port: 0, priority: 0, weight: 0 },
    ]).map((s) => `${s.host}:${s.port}`),
    ['heavy.example.org:9993', 'light.example.org:993', 'backup.example.org:993']
  );
  assert.deepEqual(srvSettings(imaps, [{ name: 'imap.example.org', port: 993, priority: 0, weight: 0 }])[0], {
    type: 'imaps', host: 'imap.example.org', port: 993, security: 'tls', auth: ['password'], found: 'srv',
  });
});

test("Microsoft's OpenID configuration: the tenant id from the issuer; the personal accounts' tenant is consumers; http endpoints only on loopback when allowed", () => {
  const doc = (tid: string) => ({
    issuer: `https://login.microsoftonline.com/${tid}/v2.0`,
    authorization_endpoint: `https://login.microsoftonline.com/${tid}/oauth2/v2.0/authorize`,
    token_endpoint: `https://login.microsoftonline.com/${tid}/oauth2/v2.0/token`,
    device_authorization_endpoint: `https://login.microsoftonline.com/${tid}/oauth2/v2.0/devicecode`,
  });
  const tid = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';
  assert.deepEqual(tenantFromConfiguration(doc(tid), 'https://x/doc', false), {
    tenantId: tid.toLowerCase(),
    issuer: doc(tid).issuer,
    authorizationEndpoint: doc(tid).authorization_endpoint,
    tokenEndpoint: doc(tid).token_endpoint,
    deviceAuthorizationEndpoint: doc(tid).device_authorization_endpoint,
    url: 'https://x/doc',
  });
  assert.equal(tenantFromConfiguration(doc(MICROSOFT_CONSUMERS_TENANT_ID), 'u', false)?.tenantId, 'consumers');
  assert.equal(tenantFromConfiguration({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }, 'u', false), undefined);
  assert.equal(tenantFromConfiguration({ issuer: 'https://sts.windows.net/not-a-guid/' }, 'u', false), undefined);
  assert.equal(tenantFromConfiguration('nope', 'u', false), undefined);
  const local = { ...doc(tid), token_endpoint: 'http://127.0.0.1:1/token', authorization_endpoint: 'http://evil.example/authorize' };
  assert.equal(tenantFromConfiguration(local, 'u', true)?.tokenEndpoint, 'http://127.0.0.1:1/token');
  assert.equal(tenantFromConfiguration(local, 'u', true)?.authorizationEndpoint, undefined, 'http off loopback is dropped');
  assert.equal(tenantFromConfiguration(local, 'u', false)?.tokenEndpoint, undefined);
});

test('known consumer domains', () => {
  assert.equal(knownProvider('gmail.com'), 'google');
  assert.equal(knownProvider('googlemail.com'), 'google');
  for (const d of ['outlook.com', 'hotmail.com', 'live.com', 'hotmail.co.uk']) assert.equal(knownProvider(d), 'microsoft', d);
  assert.equal(knownProvider('example.com'), undefined);
});

test('the cache shares a pending answer, keeps what `keep` accepts for its time, forgets failures and what it does not keep', async () => {
  const cache = new TtlCache<number>(2);
  let builds = 0;
  const build = async () => ++builds;
  const first = cache.get('a', 60_000, build, () => true);
  const second = cache.get('a', 60_000, build, () => true);
  assert.equal(first.hit, false);
  assert.equal(second.hit, true);
  assert.equal(await second.value, 1);
  const notKept = cache.get('b', 60_000, build, () => false);
  assert.equal(await notKept.value, 2);
  await new Promise((r) => setImmediate(r));
  assert.equal(cache.get('b', 60_000, build, () => false).hit, false, 'not kept');
  assert.equal(await cache.get('c', 0, build, () => true).value, 4);
  assert.equal(cache.get('c', 0, build, () => true).hit, false, 'a ttl of 0 keeps nothing');
  const failing = cache.get('d', 60_000, () => Promise.reject(new Error('x')), () => true);
  await assert.rejects(failing.value);
  await new Promise((r) => setImmediate(r));
  assert.equal(cache.get('d', 60_000, build, () => true).hit, false, 'a failure is not kept');
  await cache.get('e', 60_000, build, () => true).value;
  await cache.get('f', 60_000, build, () => true).value;
  assert.equal(cache.get('f', 60_000, build, () => true).hit, true);
  assert.equal(cache.get('a', 60_000, build, () => true).hit, false, 'two entries at most: the oldest went first');
});

test('withTimeout gives up on work that ignores its signal, and aborts the signal', async () => {
  let aborted: unknown;
  const started = Date.now();
  await assert.rejects(
    withTimeout(50, (signal) => {
      signal.addEventListener('abort', () => (aborted = signal.reason));
      return new Promise(() => {});
    }),
    (e: Error) => e instanceof LookupTimeout && e.message === 'no answer within 0.05 s'
  );
  assert.ok(Date.now() - started < 1000);
  assert.ok(aborted instanceof LookupTimeout);
  assert.equal(await withTimeout(1000, async () => 'quick'), 'quick');
});
