import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';

import { AdminClient, adminClients } from '../helpers/admin';
import { ALICE, authorizedToken, outbound, rejection, storeUnusableAccessToken } from '../helpers/outbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startGmailServer, type GmailServer } from '../servers/gmail-server';
import { startGraphServer, type GraphServer } from '../servers/graph-server';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp';

/** The account Strapi's email plugin is configured to send through (MAIL_AUTH_EMAIL_ACCOUNT). */
const EMAIL_PLUGIN_ACCOUNT = 'Strapi email';

describe(`Outbound accounts: admin API, Graph, Gmail, Strapi's email plugin (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let graph: GraphServer;
  let gmail: GmailServer;
  let smtp: SmtpTestServer;
  let admin: AdminClient;
  let outsider: AdminClient;
  let tokenId: number;

  const smtpBody = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: 'smtp',
    host: '127.0.0.1',
    port: smtp.port,
    security: 'starttls',
    trustedCertificate: smtp.caPem,
    useAuthentication: true,
    authentication: 'password',
    username: ALICE,
    password: 'alicepass',
    fromAddress: ALICE,
    ...extra,
  });
  const create = async (body: Record<string, unknown>) => {
    const res = await admin.post('/mail-auth/outbound-accounts', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const fieldErrors = (body: { error: { details: { errors: { path: string[]; message: string }[] } } }) =>
    Object.fromEntries(body.error.details.errors.map((e) => [e.path.join('.'), e.message]));

  before(async () => {
    op = await startOAuthServer();
    graph = await startGraphServer({ verifyToken: op.introspect, mailboxes: [ALICE, 'shared@example.test'] });
    gmail = await startGmailServer({ verifyToken: op.introspect });
    smtp = await startSmtpServer({ security: 'starttls', introspect: op.introspect });
    app = await startStrapi({
      env: {
        MAIL_AUTH_GRAPH_BASE_URL: graph.url,
        MAIL_AUTH_GMAIL_BASE_URL: gmail.url,
        MAIL_AUTH_EMAIL_ACCOUNT: EMAIL_PLUGIN_ACCOUNT,
        MAIL_AUTH_SEND_RETRY_MAX_WAIT: '5',
      },
    });
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
    tokenId = await authorizedToken(admin, op, app.url, 'rest-alice');
  });
  after(async () => {
    await app?.stop();
    await smtp?.stop();
    await gmail?.stop();
    await graph?.stop();
    await op?.stop();
  });

  test('presets for the form', async () => {
    const res = await admin.get('/mail-auth/outbound-accounts/presets');
    assert.equal(res.status, 200);
    const byName = Object.fromEntries(res.body.map((p: { name: string; values: unknown }) => [p.name, p.values]));
    assert.deepEqual(byName['Microsoft 365 (SMTP, OAuth 2.0)'], { type: 'smtp', host: 'smtp.office365.com', port: 587, security: 'starttls', useAuthentication: true, authentication: 'oauth2' });
    assert.deepEqual(byName['Gmail (SMTP, OAuth 2.0)'], { type: 'smtp', host: 'smtp.gmail.com', port: 465, security: 'tls', useAuthentication: true, authentication: 'oauth2' });
    assert.equal(byName['Microsoft 365 (Graph sendMail)'].type, 'microsoft-graph');
    assert.equal(byName['Gmail (API)'].type, 'gmail-api');
    assert.equal(byName['SMTP (password)'].authentication, 'password');
    assert.equal(byName['SMTP (no authentication)'].useAuthentication, false);
  });

  test('bad input answers 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [smtpBody('no-host', { host: undefined }), 'host', /required for SMTP/],
      [smtpBody('port-range', { port: 70000 }), 'port', /between 1 and 65535/],
      [smtpBody('port-zero', { port: 0 }), 'port', /between 1 and 65535/],
      [smtpBody('oauth-no-token', { authentication: 'oauth2', password: undefined }), 'oauthToken', /required for OAuth 2\.0/],
      [smtpBody('bad-from', { fromAddress: 'helpdesk at example' }), 'fromAddress', /email address/],
      [smtpBody('no-password', { password: undefined }), 'password', /required for password authentication/],
      [smtpBody('unknown-token', { authentication: 'oauth2', oauthToken: 99999 }), 'oauthToken', /no OAuth2 token has the id 99999/],
      [{ name: 'graph-no-token', type: 'microsoft-graph', fromAddress: ALICE }, 'oauthToken', /OAuth 2\.0/],
      [smtpBody('bad-security', { security: 'ssl' }), 'security', /none, starttls or tls/],
      [smtpBody('bad-cert', { trustedCertificate: 'hello' }), 'trustedCertificate', /PEM/],
      [smtpBody('unknown-field', { smtpHost: 'x' }), 'smtpHost', /not a known field/],
    ];
    for (const [body, field, message] of cases) {
      const res = await admin.post('/mail-auth/outbound-accounts', body);
      assert.equal(res.status, 400, `${body.name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.name, 'ValidationError');
      const errors = fieldErrors(res.body);
      assert.match(errors[field] ?? '', message, `${body.name}: ${JSON.stringify(errors)}`);
    }
    const gmailToken = await admin.post('/mail-auth/tokens', { name: 'google-token', template: 'google', clientId: 'id.apps.googleusercontent.com', clientSecret: 's' });
    assert.equal(gmailToken.status, 201, JSON.stringify(gmailToken.body));
    const wrongTemplate = await admin.post('/mail-auth/outbound-accounts', { name: 'graph-google', type: 'microsoft-graph', fromAddress: ALICE, oauthToken: gmailToken.body.id });
    assert.equal(wrongTemplate.status, 400);
    assert.match(fieldErrors(wrongTemplate.body).oauthToken, /"google" template cannot send through microsoft-graph/);
    assert.equal((await admin.get('/mail-auth/outbound-accounts')).body.pagination.total, 0, 'nothing was stored');
  });

  test('CRUD: the password is write-only, the name unique, the token shown by name and status', async () => {
    const created = await create(smtpBody('crud', { port: undefined, oauthToken: undefined }));
    assert.equal(created.port, 587, 'the port follows the security mode');
    assert.equal(created.hasPassword, true);
    assert.equal('password' in created, false);
    assert.equal(created.confirmed, false);
    const stored = await app.strapi.db.query('plugin::mail-auth.outbound-account').findOne({ where: { id: created.id } });
    assert.notEqual(stored.password, 'alicepass', 'encrypted at rest');
    assert.doesNotMatch(JSON.stringify((await admin.get('/mail-auth/outbound-accounts')).body), /alicepass|ma1:/);

    const duplicate = await admin.post('/mail-auth/outbound-accounts', smtpBody('crud'));
    assert.equal(duplicate.status, 400);
    assert.match(fieldErrors(duplicate.body).name, /already used/);

    // switch to OAuth 2.0: the token is written as its id and read back with its name and status
    let res = await admin.put(`/mail-auth/outbound-accounts/${created.id}`, { authentication: 'oauth2', oauthToken: tokenId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual({ ...res.body.oauthToken, grantedBy: undefined }, { id: tokenId, name: 'rest-alice', template: 'generic', status: 'valid', grantedBy: undefined });
    assert.equal(res.body.hasPassword, true, 'an omitted password is kept');
    res = await admin.put(`/mail-auth/outbound-accounts/${created.id}`, { password: null });
    assert.equal(res.body.hasPassword, false, 'null removes it');
    res = await admin.put(`/mail-auth/outbound-accounts/${created.id}`, { authentication: 'password' });
    assert.equal(res.status, 400, 'password authentication without a password');
    assert.ok(fieldErrors(res.body).password);

    // a token in use cannot be deleted
    const tokenDelete = await admin.delete(`/mail-auth/tokens/${tokenId}`);
    assert.equal(tokenDelete.status, 409);
    assert.match(tokenDelete.body.error.message, /crud/);

    assert.equal((await outsider.get('/mail-auth/outbound-accounts')).status, 403);
    assert.equal((await outsider.post('/mail-auth/outbound-accounts', smtpBody('outsider'))).status, 403);
    assert.equal((await admin.delete(`/mail-auth/outbound-accounts/${created.id}`)).status, 200);
    assert.equal((await admin.get(`/mail-auth/outbound-accounts/${created.id}`)).status, 404);
  });

  test('Graph sendMail: the MIME message goes to /users/{from}/sendMail', async () => {
    const { id, name } = await create({ name: 'graph', type: 'microsoft-graph', fromAddress: ALICE, fromName: 'Helpdesk', oauthToken: tokenId });
    const count = graph.sent.length;
    const result = await outbound(app.strapi).send(name, { to: 'customer@example.org', bcc: 'archive@example.org', subject: 'Re: [#7] Printer', text: 'Fixed.', inReplyTo: '<original@example.org>' });
    const sent = graph.sent[count];
    assert.equal(sent.mailbox, ALICE);
    assert.equal(sent.format, 'mime');
    assert.equal(sent.subject, 'Re: [#7] Printer');
    assert.deepEqual(sent.to.map((a) => a.address), ['customer@example.org']);
    assert.deepEqual(sent.bcc.map((a) => a.address), ['archive@example.org'], 'Graph reads Bcc from the MIME');
    const mail = await simpleParser(sent.mime!);
    assert.equal(mail.messageId, result.messageId);
    assert.equal(mail.inReplyTo, '<original@example.org>');
    assert.equal(mail.from?.value[0].name, 'Helpdesk');

    const test = await admin.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'bob@example.test' });
    assert.equal(test.body.ok, true, JSON.stringify(test.body));
    assert.deepEqual(test.body.steps.map((s: { name: string }) => s.name), ['access token', 'send']);
    assert.equal((await admin.get(`/mail-auth/outbound-accounts/${id}`)).body.confirmed, true);
  });

  test('Graph: 429 with Retry-After is waited out; a refused token is renewed once', async () => {
    const name = 'graph';
    graph.throttleNext(1, 1);
    const started = Date.now();
    const result = await outbound(app.strapi).send(name, { to: 'customer@example.org', subject: 'after throttling', text: 'x' });
    assert.equal(result.attempts, 2);
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    assert.deepEqual(graph.requests.slice(-2).map((r) => r.status), [429, 202]);

    await storeUnusableAccessToken(app.strapi, tokenId);
    op.resetCounters();
    await outbound(app.strapi).send(name, { to: 'customer@example.org', subject: 'renewed', text: 'x' });
    assert.equal(op.counters.token.refresh_token, 1);
    assert.deepEqual(graph.requests.slice(-2).map((r) => r.status), [401, 202]);
  });

  test('Graph: sending as a mailbox the user has no rights on says so', async () => {
    const { id } = await create({ name: 'graph-shared', type: 'microsoft-graph', fromAddress: 'shared@example.test', oauthToken: tokenId });
    const res = await admin.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'SEND_AS_DENIED');
    assert.match(res.body.advice, /alice@example\.test "Send As"/);
    assert.match(res.body.error.message, /403 ErrorAccessDenied/);
  });

  test('Gmail API: users.messages.send with the raw MIME; 429 with Retry-After', async () => {
    const { name } = await create({ name: 'gmail', type: 'gmail-api', fromAddress: ALICE, oauthToken: tokenId });
    const count = gmail.sent.length;
    const result = await outbound(app.strapi).send(name, { to: 'customer@example.org', cc: 'boss@example.org', subject: 'Gmail answer', text: 'Body via Gmail' });
    const sent = gmail.sent[count];
    assert.equal(sent.user, ALICE);
    assert.equal(sent.via, 'json');
    assert.equal(sent.subject, 'Gmail answer');
    assert.deepEqual(sent.cc.map((a) => a.address), ['boss@example.org']);
    assert.equal((await simpleParser(sent.raw)).messageId, result.messageId);
    assert.match(result.response, /^200 OK id=/);

    gmail.throttleNext(1, 1);
    const started = Date.now();
    const retried = await outbound(app.strapi).send(name, { to: 'customer@example.org', subject: 'after 429', text: 'x' });
    assert.equal(retried.attempts, 2);
    assert.ok(Date.now() - started >= 950);
    assert.equal(gmail.sent.length, count + 2);

    gmail.throttleNext(1, 3600);
    const error = await rejection(outbound(app.strapi).send(name, { to: 'customer@example.org', subject: 'not waited for', text: 'x' }));
    assert.equal(error.code, 'SEND_DEFERRED');
    assert.equal(error.reason, 'THROTTLED');
    assert.equal(gmail.sent.length, count + 2, 'a Retry-After beyond the limit fails at once');
  });

  test("Strapi's email plugin sends through the configured account", async () => {
    await create(smtpBody(EMAIL_PLUGIN_ACCOUNT, { fromName: 'Helpdesk' }));
    const count = smtp.received.length;
    await app.strapi.plugin('email').service('email').send({
      from: 'Administration Panel <no-reply@strapi.io>',
      to: 'bob@example.test',
      subject: 'Reset password',
      text: 'Your code is 1234',
      html: '<p>Your code is 1234</p>',
    });
    const [got] = (await smtp.waitFor(count + 1)).slice(count);
    assert.equal(got.user, ALICE);
    assert.deepEqual(got.envelope, { from: ALICE, to: ['bob@example.test'] });
    const mail = await simpleParser(got.raw);
    assert.equal(mail.subject, 'Reset password');
    assert.equal(mail.text?.trim(), 'Your code is 1234');
    assert.equal(mail.from?.value[0].address, ALICE, "the account's from address, not the caller's");

    await app.strapi.plugin('email').service('email').sendTemplatedEmail(
      { to: 'carol@example.test' },
      { subject: 'Hello <%= user.name %>', text: 'Hi <%= user.name %>', html: '<p>Hi <%= user.name %></p>' },
      { user: { name: 'Carol' } }
    );
    const [templated] = (await smtp.waitFor(count + 2)).slice(count + 1);
    assert.equal((await simpleParser(templated.raw)).subject, 'Hello Carol');
  });

  test('an inactive account sends nothing', async () => {
    const { id, name } = await create(smtpBody('inactive', { active: false }));
    const error = await rejection(outbound(app.strapi).send(name, { to: 'bob@example.test', subject: 'x', text: 'x' }));
    assert.equal(error.code, 'ACCOUNT_INACTIVE');
    assert.equal((await admin.get(`/mail-auth/outbound-accounts/${id}`)).body.active, false);
  });
});
