// Databases: sqlite. Discovery asks DNS and web servers and stores nothing.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { actionId } from '../../server/src/permissions';
import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { autoconfigXml, startAutoconfigServer, type AutoconfigServer } from '../servers/autoconfig-server';
import { startDnsServer, type LocalDnsServer } from '../servers/dns-server';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';

const TENANT = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
/** Each lookup's timeout in these tests, seconds. */
const TIMEOUT = 1;

describe('mailbox discovery: POST /mail-auth/discover against local DNS, autoconfig and Microsoft stand-ins', () => {
  let app: TestStrapi;
  let dns: LocalDnsServer;
  let web: AutoconfigServer;
  let ms: MicrosoftIdentityServer;
  let admin: AdminClient;
  let outsider: AdminClient;

  before(async () => {
    dns = await startDnsServer();
    web = await startAutoconfigServer();
    ms = await startMicrosoftIdentity({ tenantId: TENANT, domains: ['contoso.test', 'filtered.test'] });
    app = await startStrapi({
      env: {
        MAIL_AUTH_DISCOVERY_DNS_SERVERS: dns.address,
        MAIL_AUTH_DISCOVERY_AUTOCONFIG_URLS: web.templates.join(','),
        MAIL_AUTH_DISCOVERY_MICROSOFT_LOGIN_BASE_URL: ms.url,
        MAIL_AUTH_DISCOVERY_TIMEOUT: String(TIMEOUT),
        MAIL_AUTH_DISCOVERY_CACHE_SECONDS: '600',
      },
    });
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
    await Promise.all([dns?.stop(), web?.stop(), ms?.stop()]);
  });
  beforeEach(() => {
    dns.reset();
    web.reset();
    app.strapi.plugin('mail-auth').service('discovery').clearCache();
  });

  const discover = async (address: string) => {
    const res = await admin.post('/mail-auth/discover', { address });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const hosts = (list: { type: string; host?: string; port?: number }[]) => list.map((s) => `${s.type} ${s.host ?? '-'}:${s.port ?? '-'}`);
  const errorCodes = (body: { errors: { lookup: string; code: string }[] }) => body.errors.map((e) => `${e.lookup} ${e.code}`).sort();

  test('known domains: Gmail and Outlook.com from the presets, without a single lookup', async () => {
    const gmail = await discover('alice@gmail.com');
    assert.equal(gmail.provider, 'google');
    assert.deepEqual(hosts(gmail.inbound), ['imaps imap.gmail.com:993', 'gmail-api -:443']);
    assert.deepEqual(hosts(gmail.outbound), ['smtp smtp.gmail.com:465', 'gmail-api -:-']);
    assert.deepEqual(gmail.inbound[0], {
      type: 'imaps', host: 'imap.gmail.com', port: 993, security: 'tls', auth: ['oauth2'], username: 'alice@gmail.com', preset: 'gmail-imap', found: 'known-domain',
    });
    assert.equal(gmail.oauth.template, 'google');
    assert.equal(gmail.oauth.tokenEndpoint, 'https://oauth2.googleapis.com/token');
    assert.deepEqual(gmail.found[0], { what: 'provider', how: 'known-domain', detail: 'gmail.com' });
    assert.deepEqual([gmail.errors, gmail.checked], [[], []]);

    const outlook = await discover('bob@hotmail.com');
    assert.equal(outlook.provider, 'microsoft');
    assert.deepEqual(hosts(outlook.inbound), ['imaps outlook.office365.com:993', 'microsoft-graph -:443']);
    assert.deepEqual(hosts(outlook.outbound), ['smtp smtp.office365.com:587', 'microsoft-graph -:-']);
    assert.equal(outlook.outbound[0].security, 'starttls');
    assert.equal(outlook.oauth.tenant, 'consumers');
    assert.equal(outlook.tenantId, undefined);
    assert.deepEqual(dns.queries, [], 'no DNS query');
    assert.deepEqual(web.requests, [], 'no request');
  });

  test('MX of Google Workspace: Google, found by MX', async () => {
    dns.mx('workspace.test', [{ exchange: 'alt1.aspmx.l.google.com', priority: 5 }, { exchange: 'aspmx.l.google.com', priority: 1 }]);
    const body = await discover('agent@workspace.test');
    assert.equal(body.provider, 'google');
    assert.deepEqual(body.found[0], { what: 'provider', how: 'mx', detail: 'aspmx.l.google.com' });
    assert.deepEqual(hosts(body.inbound), ['imaps imap.gmail.com:993', 'gmail-api -:443']);
    assert.equal(body.inbound[0].found, 'mx');
    assert.equal(body.inbound[0].username, 'agent@workspace.test');
    assert.deepEqual(body.errors, []);
    assert.ok(dns.queries.includes('MX workspace.test'), dns.queries.join(', '));
  });

  test("MX of Microsoft 365: Microsoft, with the tenant id and endpoints from the domain's OpenID configuration", async () => {
    dns.mx('contoso.test', [{ exchange: 'contoso-test.mail.protection.outlook.com', priority: 0 }]);
    const body = await discover('helpdesk@contoso.test');
    assert.equal(body.provider, 'microsoft');
    assert.equal(body.tenantId, TENANT);
    const configUrl = `${ms.url}/contoso.test/v2.0/.well-known/openid-configuration`;
    assert.deepEqual(body.found, [
      { what: 'provider', how: 'mx', detail: 'contoso-test.mail.protection.outlook.com' },
      { what: 'tenant', how: 'openid-configuration', detail: configUrl },
      { what: 'inbound', how: 'mx', detail: 'contoso-test.mail.protection.outlook.com' },
      { what: 'outbound', how: 'mx', detail: 'contoso-test.mail.protection.outlook.com' },
      { what: 'oauth', how: 'openid-configuration', detail: configUrl },
    ]);
    assert.deepEqual(body.oauth, {
      template: 'microsoft',
      tenant: TENANT,
      issuer: `${ms.url}/${TENANT}/v2.0`,
      authorizationEndpoint: ms.authorizeEndpoint(TENANT),
      tokenEndpoint: ms.tokenEndpoint(TENANT),
      // Sign in with a code: the tenant's OpenID configuration names it.
      deviceAuthorizationEndpoint: ms.deviceCodeEndpoint(TENANT),
      scopes: body.oauth.scopes,
      found: 'openid-configuration',
    });
    assert.ok(body.oauth.scopes.includes('offline_access'));
    assert.deepEqual(hosts(body.inbound), ['imaps outlook.office365.com:993', 'microsoft-graph -:443']);
    assert.equal(body.inbound[0].preset, 'microsoft-365-imap');
    assert.deepEqual(body.errors, []);
  });

  test("Outlook.com's MX on a domain not in the known list: Microsoft, personal accounts (the consumers tenant)", async () => {
    dns.mx('outlook.test', [{ exchange: 'outlook-com.olc.protection.outlook.com', priority: 5 }]);
    const body = await discover('nina@outlook.test');
    assert.equal(body.provider, 'microsoft');
    assert.equal(body.tenantId, undefined);
    assert.equal(body.oauth.tenant, 'consumers');
    assert.match(body.oauth.tokenEndpoint, /\/consumers\/oauth2\/v2\.0\/token$/);
  });

  test('a Microsoft 365 tenant behind a mail filter: the MX is not Microsoft, the OpenID configuration says the tenant', async () => {
    dns.mx('filtered.test', [{ exchange: 'mx1.filter.example', priority: 10 }]);
    const body = await discover('sales@filtered.test');
    assert.equal(body.provider, 'microsoft');
    assert.equal(body.tenantId, TENANT);
    assert.deepEqual(body.found[0], { what: 'provider', how: 'openid-configuration', detail: `${ms.url}/filtered.test/v2.0/.well-known/openid-configuration` });
  });

  test('autoconfig: servers, authentication, the user name for this address and the OAuth2 entries; the address goes to the autoconfig host', async () => {
    dns.mx('acme.test', [{ exchange: 'mx.acme.test', priority: 10 }]);
    // SRV says the same IMAP server once more: it is listed once, as autoconfig says it
    dns.srv('_imaps._tcp.acme.test', [{ target: 'imap.acme.test', port: 993 }]);
    web.publish('acme.test', autoconfigXml({
      domain: 'acme.test',
      incoming: [{ type: 'imap', host: 'imap.%EMAILDOMAIN%', port: 993, socketType: 'SSL', auth: ['OAuth2', 'password-cleartext'], username: '%EMAILLOCALPART%' }],
      outgoing: [{ host: 'smtp.acme.test', port: 587, socketType: 'STARTTLS', auth: ['OAuth2'] }],
      oauth2: { issuer: 'login.acme.test', scope: 'mail offline_access', authURL: 'https://login.acme.test/authorize', tokenURL: 'https://login.acme.test/token' },
    }));
    const body = await discover('carol@acme.test');
    assert.equal(body.provider, 'other');
    assert.deepEqual(body.inbound, [
      { type: 'imaps', host: 'imap.acme.test', port: 993, security: 'tls', auth: ['oauth2', 'password'], username: 'carol', found: 'autoconfig' },
    ]);
    assert.deepEqual(body.outbound, [
      { type: 'smtp', host: 'smtp.acme.test', port: 587, security: 'starttls', auth: ['oauth2'], username: 'carol@acme.test', found: 'autoconfig' },
    ]);
    assert.deepEqual(body.oauth, {
      template: 'generic', issuer: 'login.acme.test', authorizationEndpoint: 'https://login.acme.test/authorize', tokenEndpoint: 'https://login.acme.test/token',
      scopes: ['mail', 'offline_access'], found: 'autoconfig',
    });
    const fileUrl = web.templates[0].replace('{domain}', 'acme.test');
    assert.deepEqual(body.found, [
      { what: 'inbound', how: 'autoconfig', detail: fileUrl },
      { what: 'outbound', how: 'autoconfig', detail: fileUrl },
      { what: 'oauth', how: 'autoconfig', detail: fileUrl },
    ]);
    assert.ok(web.requests.includes('/autoconfig/acme.test/mail/config-v1.1.xml'), `the address stays here: ${web.requests.join(', ')}`);
    assert.ok(web.requests.includes('/well-known/acme.test/.well-known/autoconfig/mail/config-v1.1.xml'), 'both places are asked at once');
    assert.deepEqual(body.errors, []);
    assert.equal(body.cached, false);

    // within cacheSeconds the domain's answers are reused: nothing is asked again, and the user name is this address's
    const asked = [dns.queries.length, web.requests.length];
    const again = await discover('dave@acme.test');
    assert.equal(again.cached, true);
    assert.equal(again.inbound[0].username, 'dave');
    assert.deepEqual([dns.queries.length, web.requests.length], asked);
  });

  test('an autoconfig URL with {address}, as Thunderbird asks: the address is sent, and answers are kept per address', async () => {
    const key = 'plugin::mail-auth.discovery';
    const options = app.strapi.config.get(key) as Record<string, unknown>;
    app.strapi.config.set(key, { ...options, autoconfigUrls: [`${web.templates[0]}?emailaddress={address}`] });
    try {
      dns.mx('perperson.test', [{ exchange: 'mx.perperson.test', priority: 10 }]);
      web.publish('perperson.test', autoconfigXml({ domain: 'perperson.test', incoming: [{ type: 'imap', host: 'imap.perperson.test', port: 993, socketType: 'SSL' }] }));
      assert.equal((await discover('mia+help@perperson.test')).inbound[0].host, 'imap.perperson.test');
      assert.deepEqual(web.requests, ['/autoconfig/perperson.test/mail/config-v1.1.xml?emailaddress=mia%2Bhelp%40perperson.test']);
      assert.equal((await discover('mia+help@perperson.test')).cached, true);
      assert.equal((await discover('noah@perperson.test')).cached, false, "another address: its own request");
      assert.equal(web.requests.length, 2);
    } finally {
      app.strapi.config.set(key, options);
    }
  });

  test("autoconfig at the domain's own .well-known place", async () => {
    dns.mx('wellknown.test', [{ exchange: 'mx.wellknown.test', priority: 10 }]);
    web.publish('wellknown.test', autoconfigXml({ domain: 'wellknown.test', incoming: [{ type: 'pop3', host: 'pop.wellknown.test', port: 995, socketType: 'SSL' }] }), 'well-known');
    const body = await discover('erin@wellknown.test');
    assert.deepEqual(hosts(body.inbound), ['pop3s pop.wellknown.test:995']);
    assert.equal(body.found[0].detail, web.templates[1].replace('{domain}', 'wellknown.test'));
  });

  test('SRV records (RFC 6186, RFC 8314): IMAP, POP3 and submission servers, best first', async () => {
    dns.mx('srv.test', [{ exchange: 'mx.srv.test', priority: 10 }]);
    dns.srv('_imaps._tcp.srv.test', [{ target: 'imap2.srv.test', port: 993, priority: 20 }, { target: 'imap.srv.test', port: 993, priority: 10 }]);
    dns.srv('_imap._tcp.srv.test', [{ target: '.', port: 0 }]); // "not offered"
    dns.srv('_pop3s._tcp.srv.test', [{ target: 'pop.srv.test', port: 995 }]);
    dns.srv('_submission._tcp.srv.test', [{ target: 'smtp.srv.test', port: 587 }]);
    const body = await discover('frank@srv.test');
    assert.equal(body.provider, 'other');
    assert.deepEqual(hosts(body.inbound), ['imaps imap.srv.test:993', 'imaps imap2.srv.test:993', 'pop3s pop.srv.test:995']);
    assert.deepEqual(body.outbound, [{ type: 'smtp', host: 'smtp.srv.test', port: 587, security: 'starttls', auth: ['password'], found: 'srv' }]);
    assert.deepEqual(body.found, [
      { what: 'inbound', how: 'srv', detail: '_imaps._tcp.srv.test, _pop3s._tcp.srv.test' },
      { what: 'outbound', how: 'srv', detail: '_submission._tcp.srv.test' },
    ]);
    assert.equal(body.oauth, undefined);
    assert.deepEqual(body.errors, []);
  });

  test('nothing found: an answer with empty lists and no errors, and what was asked', async () => {
    dns.mx('plain.test', [{ exchange: 'mx.plain.test', priority: 10 }]);
    const body = await discover('grace@plain.test');
    assert.equal(body.provider, 'other');
    assert.deepEqual([body.inbound, body.outbound, body.found, body.errors], [[], [], [], []]);
    assert.equal(body.oauth, undefined);
    const asked = body.checked.map((c: { lookup: string; result: string }) => `${c.lookup} ${c.result}`);
    assert.deepEqual(asked, ['mx nothing', 'microsoft-tenant nothing', 'autoconfig nothing', 'autoconfig nothing', ...Array(6).fill('srv nothing')]);
  });

  test('a DNS server and a web server that do not answer: timeouts reported per lookup, the answer within the timeout, and not cached', async () => {
    dns.silence('slow.test');
    web.hold('slow.test');
    const started = Date.now();
    const body = await discover('heidi@slow.test');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < TIMEOUT * 1000 + 1500, `the lookups run at once, each within ${TIMEOUT} s: ${elapsed} ms`);
    assert.ok(elapsed >= TIMEOUT * 1000 - 100, `${elapsed} ms`);
    assert.equal(body.provider, 'other');
    assert.deepEqual(errorCodes(body), ['autoconfig TIMEOUT', 'mx TIMEOUT', 'srv TIMEOUT']);
    assert.match(body.errors.find((e: { lookup: string }) => e.lookup === 'mx').message, /DNS gave no answer for slow\.test in time/);
    const asked = dns.queries.length;
    const again = await discover('heidi@slow.test');
    assert.equal(again.cached, false, 'a timeout is not kept');
    assert.ok(dns.queries.length > asked);
  });

  test('NXDOMAIN: the domain does not exist', async () => {
    const body = await discover('ivan@nowhere.test');
    assert.deepEqual(errorCodes(body), ['mx NXDOMAIN']);
    assert.match(body.errors[0].message, /nowhere\.test does not exist in DNS \(NXDOMAIN\)/);
    assert.deepEqual([body.inbound, body.outbound], [[], []]);
  });

  test('a malformed autoconfig file is reported; SRV records still count', async () => {
    dns.mx('broken.test', [{ exchange: 'mx.broken.test', priority: 10 }]);
    dns.srv('_imaps._tcp.broken.test', [{ target: 'imap.broken.test', port: 993 }]);
    web.publish('broken.test', '<?xml version="1.0"?>\n<clientConfig>\n  <emailProvider id="broken.test">\n    <incomingServer type="imap">\n</clientConfig>\n');
    const body = await discover('judy@broken.test');
    assert.deepEqual(errorCodes(body), ['autoconfig MALFORMED']);
    assert.match(body.errors[0].message, /is not well-formed XML \(line \d+/);
    assert.deepEqual(hosts(body.inbound), ['imaps imap.broken.test:993']);
  });

  test('an autoconfig answer over 1 MB is refused, by its Content-Length or as it grows', async () => {
    for (const declared of [true, false]) {
      const domain = declared ? 'big.test' : 'chunked.test';
      dns.mx(domain, [{ exchange: `mx.${domain}`, priority: 10 }]);
      web.large(domain, 5 * 1024 * 1024, { declared });
      const started = Date.now();
      const body = await discover(`kim@${domain}`);
      assert.deepEqual(errorCodes(body), ['autoconfig TOO_LARGE'], domain);
      assert.match(body.errors[0].message, declared ? /is 5242880 bytes, more than the 1048576 allowed/ : /is more than the 1048576 bytes allowed/);
      assert.ok(Date.now() - started < 3000);
    }
  });

  test('IDN: the domain is asked in punycode and shown in Unicode', async () => {
    dns.mx('xn--bcher-kva.test', [{ exchange: 'aspmx.l.google.com', priority: 1 }]);
    const body = await discover('leo@bücher.test');
    assert.equal(body.domain, 'xn--bcher-kva.test');
    assert.equal(body.displayDomain, 'bücher.test');
    assert.equal(body.address, 'leo@xn--bcher-kva.test');
    assert.equal(body.provider, 'google');
    assert.ok(dns.queries.includes('MX xn--bcher-kva.test'), dns.queries.join(', '));
    assert.ok(web.requests.some((r) => r.startsWith('/autoconfig/xn--bcher-kva.test/')), web.requests.join(', '));
  });

  test('bad input: 400 naming the address field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ address: 'no-at-sign.example' }, /there is no @/],
      [{ address: 'alice@' }, /domain after the @, it is empty/],
      [{ address: `${'garbage'.repeat(1463)}!` }, /at most 320 characters/],
      [{}, /is required/],
    ];
    for (const [body, message] of cases) {
      const res = await admin.post('/mail-auth/discover', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.name, 'ValidationError');
      assert.deepEqual(res.body.error.details.errors.map((e: { path: string[] }) => e.path.join('.')), ['address']);
      assert.match(res.body.error.details.errors[0].message, message);
    }
    assert.deepEqual(dns.queries, [], 'nothing was asked');
  });

  test('403 without the create permission', async () => {
    assert.equal((await outsider.post('/mail-auth/discover', { address: 'alice@gmail.com' })).status, 403);
    const readOnly = await createRole(app.strapi, `mail-auth read ${Date.now()}`, [actionId('read')]);
    const reader = await AdminClient.login(app.url, await createAdmin(app.strapi, [readOnly]));
    assert.equal((await reader.post('/mail-auth/discover', { address: 'alice@gmail.com' })).status, 403);
    const creatorRole = await createRole(app.strapi, `mail-auth create ${Date.now()}`, [actionId('create')]);
    const creator = await AdminClient.login(app.url, await createAdmin(app.strapi, [creatorRole]));
    assert.equal((await creator.post('/mail-auth/discover', { address: 'alice@gmail.com' })).status, 200);
  });
});
