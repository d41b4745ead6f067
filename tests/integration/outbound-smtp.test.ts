// Databases: sqlite. This file tests the SMTP matrix (security modes × authentication) and SMTP replies; what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type AddressObject } from 'mailparser';

import { AdminClient, adminClients } from '../helpers/admin';
import { ALICE, authorizedToken, expireAccessToken, outbound, rejection, storeUnusableAccessToken } from '../helpers/outbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp';

const EHLO = 'helpdesk.example.test';
type Security = 'none' | 'starttls' | 'tls';
type Auth = 'none' | 'password' | 'oauth2';

describe(`Outbound SMTP accounts (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  let outsider: AdminClient;
  let tokenId: number;
  const smtp = {} as Record<Security, SmtpTestServer>;
  const output: string[] = [];
  const restore: Array<() => void> = [];

  const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address));

  /** An SMTP account on the test server of that security mode, created through the admin API. */
  const account = async (name: string, security: Security, auth: Auth, extra: Record<string, unknown> = {}) => {
    const res = await admin.post('/mail-auth/outbound-accounts', {
      name,
      type: 'smtp',
      host: '127.0.0.1',
      port: smtp[security].port,
      security,
      verifyCertificate: true,
      trustedCertificate: security === 'none' ? null : smtp[security].caPem,
      domain: EHLO,
      useAuthentication: auth !== 'none',
      ...(auth === 'password' ? { authentication: 'password', username: ALICE, password: 'alicepass' } : {}),
      ...(auth === 'oauth2' ? { authentication: 'oauth2', username: ALICE, oauthToken: tokenId } : {}),
      fromAddress: ALICE,
      fromName: 'Helpdesk',
      ...extra,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; name: string };
  };

  before(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    op = await startOAuthServer();
    for (const security of ['none', 'starttls', 'tls'] as const) {
      smtp[security] = await startSmtpServer({ security, introspect: op.introspect, authOptional: true });
    }
    app = await startStrapi({ env: { MAIL_AUTH_SMTP_TIMEOUT: '2', MAIL_AUTH_SEND_RETRY_MAX_WAIT: '5' } });
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
    tokenId = await authorizedToken(admin, op, app.url, 'smtp-alice');
  });
  after(async () => {
    restore.forEach((r) => r());
    await app?.stop();
    for (const server of Object.values(smtp)) await server?.stop();
    await op?.stop();
  });

  for (const security of ['none', 'starttls', 'tls'] as const) {
    for (const auth of ['none', 'password', 'oauth2'] as const) {
      test(`${security} × ${auth}: the server receives the message with its headers, EHLO name and body`, async () => {
        const server = smtp[security];
        const { name } = await account(`${security}-${auth}`, security, auth);
        const count = server.received.length;
        const result = await outbound(app.strapi).send(name, {
          to: ['Bob <bob@example.test>'],
          cc: 'carol@example.test',
          bcc: 'dave@example.test',
          subject: `Ticket #42 – ${security}/${auth} – Grüße`,
          text: 'Hello Bob,\nyour ticket is solved.\n',
          html: '<p>Hello Bob,<br>your ticket is <b>solved</b>.</p>',
          headers: { 'X-Ticket-Id': '42' },
        });
        assert.deepEqual(result.accepted.sort(), ['bob@example.test', 'carol@example.test', 'dave@example.test']);
        assert.equal(result.attempts, 1);

        const [got] = (await server.waitFor(count + 1)).slice(count);
        assert.deepEqual(got.envelope, { from: ALICE, to: ['bob@example.test', 'carol@example.test', 'dave@example.test'] });
        assert.equal(got.clientHostname, EHLO);
        assert.equal(got.secure, security !== 'none');
        assert.equal(got.authMethod, { none: undefined, password: 'PLAIN', oauth2: 'XOAUTH2' }[auth]);
        assert.equal(got.user, auth === 'none' ? undefined : ALICE);

        const mail = await simpleParser(got.raw);
        assert.equal(mail.from?.value[0].address, ALICE);
        assert.equal(mail.from?.value[0].name, 'Helpdesk');
        assert.deepEqual(addresses(mail.to), ['bob@example.test']);
        assert.deepEqual(addresses(mail.cc), ['carol@example.test']);
        assert.equal(mail.bcc, undefined, 'Bcc goes in the envelope only');
        assert.doesNotMatch(got.raw.toString(), /dave@example\.test/);
        assert.equal(mail.subject, `Ticket #42 – ${security}/${auth} – Grüße`);
        assert.equal(mail.text, 'Hello Bob,\nyour ticket is solved.\n');
        assert.match(String(mail.html), /your ticket is <b>solved<\/b>/);
        assert.equal(mail.messageId, result.messageId);
        assert.equal(mail.headers.get('x-ticket-id'), '42');
      });
    }
  }

  test('certificate validation on refuses the test CA unless it is trusted; off accepts it', async () => {
    for (const security of ['tls', 'starttls'] as const) {
      const server = smtp[security];
      const count = server.received.length;
      const untrusted = await account(`untrusted-${security}`, security, 'password', { trustedCertificate: null });
      const error = await rejection(outbound(app.strapi).send(untrusted.name, { to: 'bob@example.test', subject: 'x', text: 'x' }));
      assert.equal(error.code, 'TLS_FAILED', error.message);
      assert.equal(error.reason, 'CERT_UNTRUSTED');
      assert.match(error.advice, /Trusted certificate/);
      assert.equal(server.received.length, count, 'nothing was sent');

      const unchecked = await account(`unchecked-${security}`, security, 'password', { trustedCertificate: null, verifyCertificate: false });
      await outbound(app.strapi).send(unchecked.name, { to: 'bob@example.test', subject: 'validation off', text: 'x' });
      assert.equal(server.received.length, count + 1);
    }
  });

  test('an expired access token is refreshed once and the send succeeds', async () => {
    const { name } = await account('expired-token', 'starttls', 'oauth2');
    await expireAccessToken(app.strapi, tokenId);
    op.resetCounters();
    const attempts = smtp.starttls.authAttempts.length;
    await outbound(app.strapi).send(name, { to: 'bob@example.test', subject: 'after refresh', text: 'x' });
    assert.equal(op.counters.token.refresh_token, 1);
    assert.deepEqual(smtp.starttls.authAttempts.slice(attempts).map((a) => a.ok), [true], 'one login, with the new token');
  });

  test('a token the server refuses is renewed once and the login tried once more', async () => {
    const { name } = await account('refused-token', 'tls', 'oauth2');
    await storeUnusableAccessToken(app.strapi, tokenId);
    op.resetCounters();
    const attempts = smtp.tls.authAttempts.length;
    const result = await outbound(app.strapi).send(name, { to: 'bob@example.test', subject: 'renewed in the login', text: 'x' });
    assert.equal(result.accepted.length, 1);
    assert.equal(op.counters.token.refresh_token, 1);
    assert.deepEqual(smtp.tls.authAttempts.slice(attempts).map((a) => [a.method, a.ok]), [['XOAUTH2', false], ['XOAUTH2', true]]);
  });

  test('a plain 535 to the token (no XOAUTH2 challenge) renews it once and retries once, then reports', async () => {
    const { id } = await account('plain-535', 'starttls', 'oauth2');
    const disabled = { code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.' };
    smtp.starttls.failNext('AUTH', disabled, 2);
    op.resetCounters();
    const res = await admin.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'bob@example.test' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'SMTP_AUTH_DISABLED');
    assert.match(res.body.advice, /Authenticated SMTP/);
    assert.match(res.body.advice, /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/);
    assert.equal(op.counters.token.refresh_token, 1, 'renewed exactly once');
    assert.deepEqual(
      res.body.steps.map((s: { name: string; ok: boolean }) => `${s.name}:${s.ok}`),
      ['access token:true', 'connect:true', 'greeting and STARTTLS:true', 'authenticate:false', 'access token (renewed):true', 'connect:true', 'greeting and STARTTLS:true', 'authenticate:false']
    );
  });

  test('a refused refresh gives a clear error and sends nothing', async () => {
    const refusedToken = await authorizedToken(admin, op, app.url, 'smtp-refused');
    const { name } = await account('refused-refresh', 'starttls', 'oauth2', { oauthToken: refusedToken });
    await expireAccessToken(app.strapi, refusedToken);
    op.failTokenEndpoint('invalid_grant', 1);
    const count = smtp.starttls.received.length;
    const attempts = smtp.starttls.authAttempts.length;
    const error = await rejection(outbound(app.strapi).send(name, { to: 'bob@example.test', subject: 'never sent', text: 'x' }));
    assert.equal(error.code, 'REAUTHORIZATION_REQUIRED', error.message);
    assert.match(error.advice, /Generate tokens/);
    assert.equal(smtp.starttls.received.length, count, 'nothing was sent');
    assert.equal(smtp.starttls.authAttempts.length, attempts, 'not even a login was tried');
    await app.strapi.plugin('mail-auth').service('activity').flush();
    const failed = await admin.get(`/mail-auth/activity?subjectType=outbound-account&kind=outbound.failed`);
    assert.ok(failed.body.results.some((r: { subjectName: string; code: string }) => r.subjectName === name && r.code === 'REAUTHORIZATION_REQUIRED'));
  });

  test('a 4xx reply is retried with backoff; a 5xx is reported with the server\'s reply at once', async () => {
    const { name } = await account('retries', 'starttls', 'password');
    const server = smtp.starttls;
    const count = server.received.length;
    server.failNext('MAIL', { code: 451, message: '4.3.0 Mail server temporarily rejected message' });
    const retried = await outbound(app.strapi).send(name, { to: 'bob@example.test', subject: 'after a 451', text: 'x' });
    assert.equal(retried.attempts, 2);
    assert.equal(server.received.length, count + 1);

    const logins = server.authAttempts.length;
    server.failNext('RCPT', { code: 550, message: '5.1.1 <nobody@example.test>: Recipient address rejected: User unknown' });
    const error = await rejection(outbound(app.strapi).send(name, { to: 'nobody@example.test', subject: 'refused', text: 'x' }));
    assert.equal(error.code, 'SEND_REFUSED');
    assert.match(error.reply, /^550 5\.1\.1 <nobody@example\.test>: Recipient address rejected/);
    assert.equal(error.transient, false);
    assert.equal(server.authAttempts.length, logins + 1, 'no retry');
    assert.equal(server.received.length, count + 1);
  });

  test('the activity log has recipient count, Message-ID and result, never the content', async () => {
    const { id, name } = await account('logged', 'tls', 'password');
    const result = await outbound(app.strapi).send(name, { to: ['bob@example.test', 'carol@example.test'], subject: 'Secret subject line', text: 'Confidential body text' });
    // entries are written in batches, within a second
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const res = await admin.get(`/mail-auth/activity?subjectType=outbound-account&subjectId=${id}`);
    const sent = res.body.results.find((r: { kind: string }) => r.kind === 'outbound.sent');
    assert.equal(sent.outcome, 'success');
    assert.equal(sent.details.recipients, 2);
    assert.equal(sent.details.messageId, result.messageId);
    assert.doesNotMatch(JSON.stringify(res.body), /Secret subject|Confidential body/);
    const view = (await admin.get(`/mail-auth/outbound-accounts/${id}`)).body;
    assert.ok(view.lastSentAt, 'lastSentAt is set');
  });

  test('Test & confirm: steps with timings, the message arrives, the account is confirmed', async () => {
    const { id } = await account('confirm-me', 'starttls', 'oauth2');
    const count = smtp.starttls.received.length;
    const res = await admin.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'bob@example.test' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.deepEqual(res.body.steps.map((s: { name: string }) => s.name), ['access token', 'connect', 'greeting and STARTTLS', 'authenticate', 'send']);
    for (const step of res.body.steps) {
      assert.equal(step.ok, true);
      assert.equal(typeof step.ms, 'number');
    }
    assert.match(res.body.steps[2].detail, /TLSv1\.[23], certificate verified: localhost issued by mail-auth test CA/);
    assert.equal(res.body.advice, null);
    const [got] = (await smtp.starttls.waitFor(count + 1)).slice(count);
    assert.deepEqual(got.envelope.to, ['bob@example.test']);
    assert.equal((await simpleParser(got.raw)).messageId, res.body.messageId);
    const view = (await admin.get(`/mail-auth/outbound-accounts/${id}`)).body;
    assert.equal(view.confirmed, true);
    assert.ok(view.confirmedAt);

    // editing the connection takes the confirmation back
    const edited = await admin.put(`/mail-auth/outbound-accounts/${id}`, { domain: 'other.example.test' });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.confirmed, false);
  });

  test('Test & confirm advises on the wrong security mode for the port', async () => {
    // TLS to a port that greets in plain text (STARTTLS)
    const tlsOnStarttls = await account('tls-on-587', 'starttls', 'password', { security: 'tls', port: smtp.starttls.port });
    let res = await admin.post(`/mail-auth/outbound-accounts/${tlsOnStarttls.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'TLS_MISMATCH');
    assert.match(res.body.advice, /STARTTLS/);
    assert.deepEqual(res.body.steps.map((s: { name: string; ok: boolean }) => `${s.name}:${s.ok}`), ['connect:true', 'TLS:false']);

    // STARTTLS to the implicit-TLS port: no greeting comes (smtpTimeout is 2 s here)
    const starttlsOnTls = await account('starttls-on-465', 'tls', 'password', { security: 'starttls', port: smtp.tls.port });
    res = await admin.post(`/mail-auth/outbound-accounts/${starttlsOnTls.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'TLS_MISMATCH');
    assert.match(res.body.advice, /security mode to TLS/);
    const view = (await admin.get(`/mail-auth/outbound-accounts/${starttlsOnTls.id}`)).body;
    assert.equal(view.confirmed, false);
    assert.equal(view.lastError.code, 'TLS_MISMATCH');
  });

  test('Test & confirm advises on certificates, SMTP AUTH disabled for a mailbox and missing SendAs rights', async () => {
    const untrusted = await account('confirm-untrusted', 'tls', 'password', { trustedCertificate: null });
    let res = await admin.post(`/mail-auth/outbound-accounts/${untrusted.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.code, 'CERT_UNTRUSTED');
    assert.match(res.body.advice, /Trusted certificate/);

    const password = await account('confirm-535', 'starttls', 'password');
    smtp.starttls.failNext('AUTH', { code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.' });
    res = await admin.post(`/mail-auth/outbound-accounts/${password.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.code, 'SMTP_AUTH_DISABLED');
    assert.match(res.body.advice, /Manage email apps/);
    assert.match(res.body.error.message, /535 5\.7\.139/);

    smtp.starttls.failNext('AUTH', { code: 535, message: '5.7.3 Authentication unsuccessful [BN0PR04CA0182.namprd04.prod.outlook.com]' });
    res = await admin.post(`/mail-auth/outbound-accounts/${password.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.code, 'SMTP_AUTH_DISABLED');
    assert.match(res.body.advice, /Authenticated SMTP is off/);

    smtp.starttls.failNext('DATA', { code: 554, message: '5.2.252 SendAsDenied; alice@example.test not allowed to send as helpdesk@example.test; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied' });
    res = await admin.post(`/mail-auth/outbound-accounts/${password.id}/test`, { to: 'bob@example.test' });
    assert.equal(res.body.code, 'SEND_AS_DENIED');
    assert.match(res.body.advice, /Send As/);
    assert.equal(res.body.steps.at(-1).name, 'send');
    assert.equal(res.body.steps.at(-1).ok, false);
  });

  test('Test & confirm needs the test permission and a recipient', async () => {
    const { id } = await account('permissions', 'none', 'none');
    assert.equal((await outsider.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'bob@example.test' })).status, 403);
    const res = await admin.post(`/mail-auth/outbound-accounts/${id}/test`, { to: 'not an address' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error.details.errors[0].path, ['to']);
  });

  test('no password or token ever reaches the log', () => {
    const printed = output.join('');
    assert.doesNotMatch(printed, /alicepass/);
    assert.doesNotMatch(printed, /revoked-at-the-provider/);
  });
});
