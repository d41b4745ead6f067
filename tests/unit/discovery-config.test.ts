import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultsDeep } from 'lodash/fp';

import config from '../../server/src/config';
import { DEFAULT_AUTOCONFIG_URLS } from '../../server/src/config/discovery';
import { pluginConfigSchema } from '../../server/src/config/schema';

test('discovery options: real defaults (system DNS, the real URLs, 3 s, 10 minutes)', () => {
  // the autoconfig URLs' default is applied by the service (DEFAULT_AUTOCONFIG_URLS), see below
  assert.deepEqual(config.default.discovery, {
    microsoftLoginBaseUrl: 'https://login.microsoftonline.com',
    timeout: 3,
    cacheSeconds: 600,
  });
  assert.deepEqual(DEFAULT_AUTOCONFIG_URLS, [
    'https://autoconfig.{domain}/mail/config-v1.1.xml',
    'https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml',
  ]);
});

test('discovery options are validated, each error naming its option', () => {
  const errors = (discovery: unknown, allowHttpLoopback = false) => {
    try {
      config.validator({ discovery, allowHttpLoopback });
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(errors({ dnsServers: ['127.0.0.1:5353', '[::1]:53', '192.0.2.1', '2001:db8::1'], timeout: 0.5 }), '');
  assert.match(errors({ dnsServers: ['dns.example:53'] }), /discovery\.dnsServers\.0: must be an IP address, optionally with a port/);
  assert.match(errors({ dnsServers: ['127.0.0.1:99999'] }), /discovery\.dnsServers\.0/);
  assert.match(errors({ autoconfigUrls: ['https://autoconfig.example.com/config.xml'] }), /discovery\.autoconfigUrls\.0: must contain \{domain\}/);
  assert.match(errors({ autoconfigUrls: ['http://autoconfig.{domain}/mail/config-v1.1.xml'] }), /discovery\.autoconfigUrls\.0: must be an https URL/);
  assert.match(errors({ autoconfigUrls: ['http://127.0.0.1:8080/{domain}'] }), /discovery\.autoconfigUrls\.0: must be an https URL/, 'loopback http only when allowed');
  assert.match(errors({ autoconfigUrls: ['https://{domain}', 'https://exa mple.{domain}/x'] }), /discovery\.autoconfigUrls\.1: must be an https URL/);
  assert.equal(errors({ autoconfigUrls: ['http://127.0.0.1:8080/{domain}'], microsoftLoginBaseUrl: 'http://127.0.0.1:9/' }, true), '');
  assert.match(errors({ microsoftLoginBaseUrl: 'http://login.example' }, true), /discovery\.microsoftLoginBaseUrl: must be an https URL/);
  const google = { issuer: 'http://127.0.0.1:9', authorizationEndpoint: 'http://127.0.0.1:9/auth', tokenEndpoint: 'http://127.0.0.1:9/token' };
  assert.equal(errors({ googleOAuth: google }, true), '');
  assert.match(errors({ googleOAuth: google }), /discovery\.googleOAuth\.issuer: must be an https URL/);
  assert.match(errors({ googleOAuth: { ...google, tokenEndpoint: 'http://oauth2.example/token' } }, true), /discovery\.googleOAuth\.tokenEndpoint: must be an https URL/);
  assert.match(errors({ googleOAuth: { issuer: 'https://accounts.example' } }), /discovery\.googleOAuth\.authorizationEndpoint/);
  assert.match(errors({ timeout: 0 }), /discovery\.timeout: must be more than 0 seconds/);
  assert.match(errors({ cacheSeconds: -1 }), /discovery\.cacheSeconds/);
  assert.match(errors({ dnsServer: ['127.0.0.1'] }), /discovery\.dnsServer: is not a known field/);
  assert.deepEqual(pluginConfigSchema.parse({ discovery: { autoconfigUrls: [] } }).discovery.autoconfigUrls, [], '[] switches autoconfig off');
});

test("a list of autoconfig URLs replaces the default list under Strapi's merge of plugin config with its defaults", () => {
  // what @strapi/core does with config/plugins.ts: fp.defaultsDeep(plugin.config.default, userConfig)
  const merged = (discovery: Record<string, unknown>) => defaultsDeep(config.default, { discovery }).discovery as Record<string, unknown>;
  assert.deepEqual(merged({ autoconfigUrls: ['https://mail.example/{domain}.xml'] }).autoconfigUrls, ['https://mail.example/{domain}.xml']);
  assert.deepEqual(merged({ autoconfigUrls: [] }).autoconfigUrls, []);
  assert.equal(merged({ timeout: 1 }).autoconfigUrls, undefined, 'unset: the service uses DEFAULT_AUTOCONFIG_URLS');
  assert.equal(merged({ timeout: 1 }).cacheSeconds, 600);
});
