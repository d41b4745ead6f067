import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ConfigurationCache } from '../../server/src/oauth/configuration-cache';
import type { OAuthSettings } from '../../server/src/oauth/settings';
import { findTemplate } from '../../server/src/providers';

const settings = (over: Partial<OAuthSettings> = {}): OAuthSettings => ({
  template: findTemplate('generic')!,
  grantType: 'authorization_code',
  clientId: 'client',
  clientSecret: 'secret',
  clientAuthMethod: 'client_secret_post',
  issuer: 'https://idp.example',
  tokenEndpoint: 'https://idp.example/token',
  scope: 'openid',
  extraAuthorizationParams: {},
  pkce: true,
  timeoutSeconds: 30,
  allowHttpLoopback: false,
  ...over,
});

test('one configuration per settings; another secret, endpoint or timeout builds another', async () => {
  const cache = new ConfigurationCache<number>();
  let builds = 0;
  const build = async () => ++builds;
  assert.equal(await cache.get(settings(), build), 1);
  assert.equal(await cache.get(settings({ scope: 'openid email' }), build), 1, 'the scope is sent per grant, not part of the configuration');
  assert.equal(await cache.get(settings({ clientSecret: 'rotated' }), build), 2);
  assert.equal(await cache.get(settings({ tokenEndpoint: 'https://idp.example/v2/token' }), build), 3);
  assert.equal(await cache.get(settings({ timeoutSeconds: 5 }), build), 4);
  assert.equal(await cache.get(settings(), build), 1);
});

test('a failed build is not kept: the next grant tries again', async () => {
  const cache = new ConfigurationCache<string>();
  await assert.rejects(cache.get(settings(), async () => Promise.reject(new Error('discovery failed'))), /discovery failed/);
  assert.equal(await cache.get(settings(), async () => 'second try'), 'second try');
});

test('entries expire after the ttl, and the oldest goes when the cache is full', async () => {
  const cache = new ConfigurationCache<string>({ ttlMs: 30, maxEntries: 2 });
  assert.equal(await cache.get(settings(), async () => 'a'), 'a');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await cache.get(settings(), async () => 'a again'), 'a again', 'expired');

  const full = new ConfigurationCache<string>({ ttlMs: 60_000, maxEntries: 2 });
  await full.get(settings({ clientId: '1' }), async () => 'one');
  await full.get(settings({ clientId: '2' }), async () => 'two');
  await full.get(settings({ clientId: '3' }), async () => 'three');
  assert.equal(await full.get(settings({ clientId: '1' }), async () => 'one, built again'), 'one, built again');
  assert.equal(await full.get(settings({ clientId: '3' }), async () => 'not built'), 'three');
});
