import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { obtainTokens } from './headless';
import { startOAuthServer, type OAuthTestServer } from './oauth-server';
import { startSmtpServer, type SmtpTestServer } from './smtp';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = 'alice@example.test';

describe('SMTP test server', () => {
  let op: OAuthTestServer;
  let starttls: SmtpTestServer;
  let tls: SmtpTestServer;
  let aliceToken: string;

  type Auth = { type: 'OAuth2'; user: string; accessToken: string } | { user: string; pass: string };
  async function send(srv: SmtpTestServer, auth: Auth, o: { trustCA?: boolean; ignoreTLS?: boolean; subject?: string } = {}) {
    const transport = nodemailer.createTransport({
      host: srv.host,
      port: srv.port,
      secure: srv.security === 'tls',
      requireTLS: srv.security === 'starttls' && !o.ignoreTLS,
      ignoreTLS: o.ignoreTLS ?? false,
      name: 'client.example.test',
      tls: o.trustCA === false ? {} : { ca: srv.caPem },
      auth,
    });
    try {
      return await transport.sendMail({ from: auth.user, to: ['bob@example.test', 'carol@example.test'], subject: o.subject ?? 'hello', text: 'body text' });
    } finally {
      transport.close();
    }
  }

  before(async () => {
    op = await startOAuthServer({ clients: [{ clientId: 'app', clientSecret: 'app-secret', redirectUris: [REDIRECT] }] });
    aliceToken = (await obtainTokens({ issuer: op.issuer, clientId: 'app', clientSecret: 'app-secret', redirectUri: REDIRECT, loginHint: ALICE })).access_token;
    starttls = await startSmtpServer({ security: 'starttls', introspect: op.introspect });
    tls = await startSmtpServer({ security: 'tls', introspect: op.introspect });
  });
  after(async () => {
    await starttls?.stop();
    await tls?.stop();
    await op?.stop();
  });

  for (const kind of ['starttls', 'tls'] as const) {
    it(`${kind}: XOAUTH2 and PLAIN, recorded with envelope and EHLO name`, async () => {
      const srv = kind === 'tls' ? tls : starttls;
      const before = srv.received.length;
      op.resetCounters();
      const info = await send(srv, { type: 'OAuth2', user: ALICE, accessToken: aliceToken }, { subject: `oauth over ${kind}` });
      assert.deepEqual(info.accepted, ['bob@example.test', 'carol@example.test']);
      assert.equal(op.counters.introspection, 1);
      await send(srv, { user: 'bob@example.test', pass: 'bobpass' }, { subject: `password over ${kind}` });

      const [viaToken, viaPassword] = (await srv.waitFor(before + 2)).slice(before);
      assert.deepEqual(viaToken.envelope, { from: ALICE, to: ['bob@example.test', 'carol@example.test'] });
      assert.equal(viaToken.user, ALICE);
      assert.equal(viaToken.authMethod, 'XOAUTH2');
      assert.equal(viaToken.clientHostname, 'client.example.test');
      assert.equal(viaToken.secure, true);
      assert.match(viaToken.raw.toString(), new RegExp(`^Subject: oauth over ${kind}\\r$`, 'm'));
      assert.equal(viaPassword.user, 'bob@example.test');
      assert.equal(viaPassword.authMethod, 'PLAIN');
      assert.match(viaPassword.raw.toString(), /^Subject: password over/m);
    });
  }

  it('refuses a bad token, a token of another user and a wrong password with 535', async () => {
    const count = starttls.received.length;
    await assert.rejects(send(starttls, { type: 'OAuth2', user: ALICE, accessToken: 'not-a-token' }), { code: 'EAUTH', responseCode: 535 });
    await assert.rejects(send(starttls, { type: 'OAuth2', user: 'bob@example.test', accessToken: aliceToken }), { code: 'EAUTH', responseCode: 535 });
    await assert.rejects(send(tls, { user: ALICE, pass: 'wrong' }), { code: 'EAUTH', responseCode: 535 });
    assert.equal(starttls.received.length, count);
  });

  it('starttls refuses AUTH before the upgrade; TLS needs the test CA', async () => {
    await assert.rejects(send(starttls, { user: ALICE, pass: 'alicepass' }, { ignoreTLS: true }), { code: 'EAUTH', responseCode: 538 });
    await assert.rejects(send(tls, { user: ALICE, pass: 'alicepass' }, { trustCA: false }), (e: any) => /certificate/i.test(`${e.code} ${e.message}`));
    await assert.rejects(send(starttls, { user: ALICE, pass: 'alicepass' }, { trustCA: false }), (e: any) => /certificate/i.test(`${e.code} ${e.message}`));
  });

  it('security none + authOptional accepts mail without AUTH', async () => {
    const open = await startSmtpServer({ security: 'none', authOptional: true });
    try {
      const transport = nodemailer.createTransport({ host: open.host, port: open.port, secure: false, ignoreTLS: true, name: 'relay.example.test' });
      await transport.sendMail({ from: 'x@example.test', to: 'y@example.test', subject: 'open', text: 'x' });
      transport.close();
      const [m] = await open.waitFor(1);
      assert.equal(m.user, undefined);
      assert.equal(m.secure, false);
      assert.equal(m.clientHostname, 'relay.example.test');
      await assert.rejects(open.waitFor(2, 50), /waited 50 ms/);
    } finally {
      await open.stop();
    }
  });
});
