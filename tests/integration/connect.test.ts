// On every database: "all or nothing" rests on each one's transactions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { fetchNow } from '../helpers/inbound';
import { ALICE } from '../helpers/outbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { generateTokens } from '../helpers/tokens';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { skipSuiteWithout } from '../servers/require-binary';
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp';

const CLIENT_ID = 'connect-client';
const CLIENT_SECRET = 'connect-client-secret-5e1b';

/**
 * POST /connect: from an address and what discovery cannot find, one OAuth2 token and an
 * inbound and an outbound account linked to it, all or nothing; after the one consent both
 * accounts pass Test & confirm, a message is fetched and one is sent.
 */
describe(`connect a mailbox in one step (${process.env.TEST_DB ?? 'sqlite'})`, { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  let admin: AdminClient;

  const servers = () => ({
    inbound: { type: 'imap', host: '127.0.0.1', port: dovecot.ports.imap },
    outbound: { type: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none' },
  });
  const oauth = () => ({
    template: 'generic',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    issuer: op.issuer,
    authorizationEndpoint: op.authorizationEndpoint,
    tokenEndpoint: op.tokenEndpoint,
    scope: 'openid email offline_access mail',
  });
  const counts = async () => {
    const total = async (path: string) => (await admin.get(path)).body.pagination.total as number;
    return [await total('/mail-auth/tokens'), await total('/mail-auth/inbound-accounts'), await total('/mail-auth/outbound-accounts')];
  };
  const paths = (res: { body: { error: { details: { errors: Array<{ path: string[] }> } } } }) =>
    res.body.error.details.errors.map((e) => e.path.join('.'));

  before(async () => {
    op = await startOAuthServer();
    const introspection = { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient };
    [dovecot, smtp] = await Promise.all([startDovecot({ oauth: introspection }), startSmtpServer({ security: 'none', introspect: (t) => op.introspect(t) })]);
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '5', MAIL_AUTH_SMTP_TIMEOUT: '5' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    await op.addClient({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${app.url}/mail-auth/oauth/callback`],
      tokenEndpointAuthMethod: 'client_secret_post',
    });
  });
  after(async () => {
    await app?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
    await op?.stop();
  });

  test('OAuth 2.0: one token and both accounts, one consent, both confirmed, a message fetched and one sent', async () => {
    const res = await admin.post('/mail-auth/connect', { address: ALICE, oauth: oauth(), ...servers() });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.next, 'consent');
    const { token, inbound, outbound } = res.body;
    assert.equal(token.name, ALICE);
    assert.equal(inbound.name, `${ALICE} (inbound)`);
    assert.equal(outbound.name, `${ALICE} (outbound)`);
    // Ordinary entries, linked to the token.
    const inboundView = (await admin.get(`/mail-auth/inbound-accounts/${inbound.id}`)).body;
    assert.deepEqual([inboundView.authentication, inboundView.oauthToken.id, inboundView.login], ['oauth2', token.id, ALICE]);
    const outboundView = (await admin.get(`/mail-auth/outbound-accounts/${outbound.id}`)).body;
    assert.deepEqual([outboundView.authentication, outboundView.oauthToken.id, outboundView.fromAddress], ['oauth2', token.id, ALICE]);

    const flow = await generateTokens(admin, token.id);
    assert.equal(flow.status, 200, flow.html);
    assert.equal((await admin.get(`/mail-auth/tokens/${token.id}`)).body.status, 'valid');

    const inTest = await admin.post(`/mail-auth/inbound-accounts/${inbound.id}/test`);
    assert.equal(inTest.body.ok, true, JSON.stringify(inTest.body));
    const outTest = await admin.post(`/mail-auth/outbound-accounts/${outbound.id}/test`, { to: 'customer@example.test' });
    assert.equal(outTest.body.ok, true, JSON.stringify(outTest.body));
    assert.equal((await admin.get(`/mail-auth/inbound-accounts/${inbound.id}`)).body.confirmed, true);
    assert.equal((await admin.get(`/mail-auth/outbound-accounts/${outbound.id}`)).body.confirmed, true);

    await dovecot.deliver(ALICE, `From: customer@example.test\r\nTo: ${ALICE}\r\nSubject: connected\r\nMessage-ID: <connected@example.test>\r\n\r\nHello.\r\n`);
    assert.equal((await fetchNow(admin, inbound.id)).fetched, 1);
    const sent = smtp.received.find((m) => m.envelope.to.includes('customer@example.test'));
    assert.ok(sent, 'the test message reached the SMTP server');
    assert.equal(sent!.authMethod, 'XOAUTH2');
    assert.equal(sent!.user, ALICE);
  });

  test('a password mailbox: no token, both accounts confirmed', async () => {
    const res = await admin.post('/mail-auth/connect', { address: 'bob@example.test', password: 'bobpass', ...servers() });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.token, null);
    assert.equal(res.body.next, 'test');
    assert.equal((await admin.post(`/mail-auth/inbound-accounts/${res.body.inbound.id}/test`)).body.ok, true);
    const outTest = await admin.post(`/mail-auth/outbound-accounts/${res.body.outbound.id}/test`, { to: 'customer@example.test' });
    assert.equal(outTest.body.ok, true, JSON.stringify(outTest.body));
  });

  test('a name already taken is refused, naming it; nothing is created or overwritten', async () => {
    const before = await counts();
    const res = await admin.post('/mail-auth/connect', { address: ALICE, oauth: oauth(), ...servers() });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.deepEqual(paths(res), ['names.token', 'names.inbound', 'names.outbound']);
    assert.match(res.body.error.details.errors[1].message, /already the name of an inbound account/);
    assert.deepEqual(await counts(), before);
    // Other names: created beside the first ones.
    const renamed = await admin.post('/mail-auth/connect', {
      address: ALICE,
      names: { token: 'alice again', inbound: 'alice in', outbound: 'alice out' },
      oauth: oauth(),
      ...servers(),
    });
    assert.equal(renamed.status, 201, JSON.stringify(renamed.body));
  });

  test('a failure half-way leaves nothing behind, and names the field under its part', async () => {
    const before = await counts();
    const res = await admin.post('/mail-auth/connect', {
      address: 'carol@example.test',
      oauth: oauth(),
      inbound: servers().inbound,
      outbound: { type: 'smtp', security: 'none' }, // no host: the outbound account is refused after the token and the inbound account were made
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(paths(res), ['outbound.host']);
    assert.deepEqual(await counts(), before, 'the token and the inbound account were rolled back');
  });

  test('bad input: 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ address: 'no-at-sign', password: 'x', ...servers() }, 'address'],
      [{ address: 'someone@', password: 'x', ...servers() }, 'address'],
      [{ address: 'x'.repeat(10_000), password: 'x', ...servers() }, 'address'],
      [{ address: 'dave@example.test', ...servers() }, 'password'],
      [{ address: 'dave@example.test', password: 'x', inbound: { type: 'imap4', host: 'h', port: 1 }, outbound: servers().outbound }, 'inbound.type'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/mail-auth/connect', body);
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
      assert.ok(paths(res).includes(field), `${field}: ${JSON.stringify(paths(res))}`);
    }
    const garbage = await admin.post('/mail-auth/connect', { [`${'g'.repeat(50)}`]: 'x'.repeat(10_000) });
    assert.equal(garbage.status, 400);
  });
});
