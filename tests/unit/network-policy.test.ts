import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cidrProblem, networkPolicy } from '../../server/src/net/network-policy';

test('no options: no policy, every host may be connected to', () => {
  assert.equal(networkPolicy({}), undefined);
  assert.equal(networkPolicy({ allowedHosts: [], deniedNetworks: [] }), undefined);
});

test('allowedHosts: exact names and *.domain (its sub-hosts, not the domain itself or look-alikes)', async () => {
  const policy = networkPolicy({ allowedHosts: ['imap.example.com', '*.mail.example.org'] })!;
  assert.equal(await policy.problem('imap.example.com'), undefined);
  assert.equal(await policy.problem('IMAP.Example.com'), undefined);
  assert.equal(await policy.problem('a.mail.example.org'), undefined);
  for (const host of ['mail.example.org', 'evilmail.example.org', 'imap.example.com.evil.example', '10.0.0.1']) {
    assert.match(String(await policy.problem(host)), /is not among the plugin's allowedHosts/, host);
  }
});

test('deniedNetworks: private covers loopback, RFC 1918, link-local (metadata), CGNAT, ULA; IPv4 written as IPv6 too', async () => {
  const policy = networkPolicy({ deniedNetworks: ['private'] })!;
  for (const host of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', '[::1]', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', 'localhost']) {
    assert.match(String(await policy.problem(host)), /in the plugin's deniedNetworks/, host);
  }
  for (const host of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) assert.equal(await policy.problem(host), undefined, host);
  const own = networkPolicy({ deniedNetworks: ['203.0.113.0/24'] })!;
  assert.match(String(await own.problem('203.0.113.9')), /deniedNetworks/);
  assert.equal(await own.problem('10.0.0.1'), undefined);
});

test('cidrProblem names what is wrong', () => {
  for (const ok of ['10.0.0.0/8', 'fd00::/8', 'private', '0.0.0.0/0']) assert.equal(cidrProblem(ok), undefined, ok);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'example.com/8', '10.0.0.0/8/1']) assert.match(String(cidrProblem(bad)), /is not a network/, bad);
});
