import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import { after, before, describe, it } from 'node:test';

import '../helpers/loopback-guard.cjs';
import { autoconfigXml, startAutoconfigServer, type AutoconfigServer } from './autoconfig-server';
import { startDnsServer, type LocalDnsServer } from './dns-server';
import { startMicrosoftIdentity } from './microsoft-identity';

const codeOf = async (p: Promise<unknown>) => p.then(() => 'answered', (e: { code?: string }) => e.code);

describe('the stand-ins of discovery: DNS, autoconfig web server, Microsoft for a verified domain', () => {
  let dns: LocalDnsServer;
  let web: AutoconfigServer;
  let resolver: InstanceType<typeof dnsPromises.Resolver>;

  before(async () => {
    dns = await startDnsServer();
    web = await startAutoconfigServer();
    resolver = new dnsPromises.Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([dns.address]);
  });
  after(async () => {
    await dns?.stop();
    await web?.stop();
  });

  it("DNS answers MX and SRV as Node's resolver reads them; NXDOMAIN for unknown names, NODATA for names that only have names below them", async () => {
    dns.mx('example.test', [{ exchange: 'aspmx.l.google.com', priority: 1 }]);
    dns.srv('_imaps._tcp.srv.test', [{ target: 'imap.srv.test', port: 993, priority: 5, weight: 10 }]);
    assert.deepEqual(await resolver.resolveMx('EXAMPLE.test'), [{ exchange: 'aspmx.l.google.com', priority: 1 }]);
    assert.deepEqual(await resolver.resolveSrv('_imaps._tcp.srv.test'), [{ name: 'imap.srv.test', port: 993, priority: 5, weight: 10 }]);
    assert.equal(await codeOf(resolver.resolveMx('srv.test')), 'ENODATA');
    assert.equal(await codeOf(resolver.resolveMx('nowhere.test')), 'ENOTFOUND');
    assert.deepEqual(dns.queries, ['MX example.test', 'SRV _imaps._tcp.srv.test', 'MX srv.test', 'MX nowhere.test']);
  });

  it('DNS leaves silenced names and the names below them unanswered: the resolver times out', async () => {
    dns.silence('slow.test');
    const started = Date.now();
    assert.equal(await codeOf(resolver.resolveSrv('_imaps._tcp.slow.test')), 'ETIMEOUT');
    assert.ok(Date.now() - started >= 250);
  });

  it('the loopback guard refuses DNS servers off loopback', async () => {
    const outside = new dnsPromises.Resolver();
    outside.setServers(['192.0.2.53']);
    assert.equal(await codeOf(outside.resolveMx('example.com')), 'EREFUSED');
  });

  it('autoconfig: the file at either place, 404 elsewhere, big bodies with and without Content-Length', async () => {
    const xml = autoconfigXml({ domain: 'acme.test', incoming: [{ type: 'imap', host: 'imap.acme.test', port: 993, socketType: 'SSL' }] });
    web.publish('acme.test', xml);
    web.publish('other.test', xml, 'well-known');
    const get = (template: string, domain: string) => fetch(template.replace('{domain}', domain));
    assert.equal(await (await get(web.templates[0], 'acme.test')).text(), xml);
    assert.equal((await get(web.templates[1], 'acme.test')).status, 404);
    assert.equal((await get(web.templates[1], 'other.test')).status, 200);
    web.large('big.test', 200_000, { declared: true });
    const declared = await get(web.templates[0], 'big.test');
    assert.equal(declared.headers.get('content-length'), '200000');
    assert.equal((await declared.arrayBuffer()).byteLength, 200_000);
    web.large('chunked.test', 200_000, { declared: false });
    const chunked = await get(web.templates[0], 'chunked.test');
    assert.equal(chunked.headers.get('content-length'), null);
    assert.equal((await chunked.arrayBuffer()).byteLength, 200_000);
  });

  it("Microsoft answers a verified domain's OpenID configuration with its tenant's issuer, and 400 AADSTS90002 for another", async () => {
    const tenantId = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const ms = await startMicrosoftIdentity({ tenantId, domains: ['contoso.test'] });
    try {
      const doc = await (await fetch(`${ms.url}/contoso.test/v2.0/.well-known/openid-configuration`)).json();
      assert.equal(doc.issuer, `${ms.url}/${tenantId}/v2.0`);
      assert.equal(doc.token_endpoint, ms.tokenEndpoint(tenantId));
      const unknown = await fetch(`${ms.url}/fabrikam.test/v2.0/.well-known/openid-configuration`);
      assert.equal(unknown.status, 400);
      assert.match((await unknown.json()).error_description, /^AADSTS90002/);
    } finally {
      await ms.stop();
    }
  });
});
