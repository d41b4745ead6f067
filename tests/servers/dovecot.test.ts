import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import Pop3Command from 'node-pop3';
import { DOVECOT, startDovecot, type DovecotServer } from './dovecot';
import { obtainTokens } from './headless';
import { startOAuthServer, type OAuthTestServer } from './oauth-server';
import { skipSuiteWithout } from './require-binary';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = 'alice@example.test';

describe('Dovecot test server', { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let op: OAuthTestServer;
  let dc: DovecotServer;
  let xoauth2Only: DovecotServer;
  let aliceToken: string;

  const tokenFor = async (loginHint: string) =>
    (await obtainTokens({ issuer: op.issuer, clientId: 'app', clientSecret: 'app-secret', redirectUri: REDIRECT, loginHint })).access_token;

  /** Connects, reads INBOX subjects, logs out. */
  async function imapSubjects(o: Partial<ImapFlowOptions> & Pick<ImapFlowOptions, 'auth'>, server = dc) {
    const client = new ImapFlow({ host: server.host, port: server.ports.imap, secure: false, doSTARTTLS: false, logger: false, ...o });
    client.on('error', () => {}); // failures surface through connect()
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      const subjects: string[] = [];
      try {
        for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      } finally {
        lock.release();
      }
      return { subjects, secure: client.secureConnection };
    } finally {
      await client.logout();
    }
  }

  async function pop3Xoauth2(user: string, token: string) {
    const pop3 = new Pop3Command({ host: dc.host, port: dc.ports.pop3, user, password: 'unused' });
    await pop3.connect();
    try {
      const [info] = await pop3.command('AUTH', 'XOAUTH2', Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64'));
      // a refusal arrives as a "+ <base64 json>" continuation, which node-pop3 resolves as success
      if (!/^Logged in/i.test(String(info))) {
        await assert.rejects(pop3.command(''), /Authentication failed/);
        return { ok: false as const, info: String(info) };
      }
      return { ok: true as const, stat: await pop3.STAT() };
    } finally {
      await pop3.QUIT().catch(() => {});
    }
  }

  before(async () => {
    op = await startOAuthServer({ clients: [{ clientId: 'app', clientSecret: 'app-secret', redirectUris: [REDIRECT] }] });
    dc = await startDovecot({
      oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient },
      users: { [ALICE]: 'alicepass', 'bob@example.test': 'bobpass', 'erin@example.test': 'erinpass' },
    });
    xoauth2Only = await startDovecot({
      oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient },
      oauthMechanisms: ['XOAUTH2'],
    });
    await xoauth2Only.deliver(ALICE, 'Subject: at the other server\r\n\r\nbody\r\n');
    await dc.deliver(ALICE, 'From: a@example.test\r\nTo: alice@example.test\r\nSubject: first\r\n\r\nbody\r\n');
    await dc.deliver(ALICE, 'From: a@example.test\r\nTo: alice@example.test\r\nSubject: second\r\n\r\nbody\r\n');
    aliceToken = await tokenFor(ALICE);
  });
  after(async () => {
    await Promise.all([dc?.stop(), xoauth2Only?.stop()]);
    await op?.stop();
  });

  it('IMAP password login sees the delivered messages', async () => {
    const { subjects } = await imapSubjects({ auth: { user: ALICE, pass: 'alicepass' } });
    assert.deepEqual(subjects, ['first', 'second']);
    await assert.rejects(imapSubjects({ auth: { user: ALICE, pass: 'wrong' } }), { authenticationFailed: true });
  });

  it('IMAP OAUTHBEARER and XOAUTH2 with a token from the OAuth server', async () => {
    const logins = (server: DovecotServer, method: string) => server.log().split('\n').filter((l) => l.includes(`Login: user=<${ALICE}>, method=${method},`)).length;
    // imapflow takes OAUTHBEARER whenever it is offered; the second server offers only XOAUTH2
    for (const [server, method, subject] of [[dc, 'OAUTHBEARER', 'first'], [xoauth2Only, 'XOAUTH2', 'at the other server']] as const) {
      op.resetCounters();
      const before = logins(server, method);
      const { subjects } = await imapSubjects({ auth: { user: ALICE, accessToken: aliceToken } }, server);
      assert.equal(subjects[0], subject, method);
      assert.equal(op.counters.introspection, 1, `${method}: Dovecot introspected the token`);
      assert.equal(logins(server, method), before + 1, `logged in with ${method}`);
    }
  });

  it('IMAP refuses a wrong token, a token of another user and a revoked token', async () => {
    const bobToken = await tokenFor('bob@example.test');
    await assert.rejects(imapSubjects({ auth: { user: ALICE, accessToken: 'not-a-token' } }), { authenticationFailed: true });
    await assert.rejects(imapSubjects({ auth: { user: ALICE, accessToken: bobToken } }, xoauth2Only), { authenticationFailed: true });

    op.addUser('carol@example.test'); // no password entry: the oauth2 passdb alone lets her in
    const carolToken = await tokenFor('carol@example.test');
    assert.deepEqual((await imapSubjects({ auth: { user: 'carol@example.test', accessToken: carolToken } })).subjects, []);
    assert.deepEqual((await imapSubjects({ auth: { user: 'carol@example.test', accessToken: carolToken } }, xoauth2Only)).subjects, []);
    op.revokeAll('carol@example.test');
    for (const server of [dc, xoauth2Only]) {
      await assert.rejects(imapSubjects({ auth: { user: 'carol@example.test', accessToken: carolToken } }, server), { authenticationFailed: true });
    }
  });

  it('IMAPS and STARTTLS validate against the test CA', async () => {
    const auth = { user: ALICE, pass: 'alicepass' };
    const imaps = await imapSubjects({ port: dc.ports.imaps, secure: true, tls: { ca: dc.caPem }, auth });
    assert.equal(imaps.secure, true);
    assert.deepEqual(imaps.subjects, ['first', 'second']);
    const starttls = await imapSubjects({ doSTARTTLS: true, tls: { ca: dc.caPem }, auth });
    assert.equal(starttls.secure, true);
    await assert.rejects(imapSubjects({ port: dc.ports.imaps, secure: true, auth }), (e: any) => /certificate/i.test(`${e.code} ${e.message}`));
    await assert.rejects(imapSubjects({ doSTARTTLS: true, auth }), (e: any) => /certificate/i.test(`${e.code} ${e.message}`));
  });

  it('POP3 with password (plain and POP3S) and with AUTH XOAUTH2', async () => {
    const plain = new Pop3Command({ host: dc.host, port: dc.ports.pop3, user: ALICE, password: 'alicepass' });
    assert.match(await plain.STAT(), /^2 \d+$/);
    await plain.QUIT();
    // servername: node-pop3 would otherwise send the IP as SNI (Node DEP0123 warning); the cert names localhost too
    const secure = new Pop3Command({ host: dc.host, port: dc.ports.pop3s, tls: true, tlsOptions: { ca: dc.caPem }, servername: 'localhost', user: ALICE, password: 'alicepass' });
    assert.match(await secure.STAT(), /^2 \d+$/);
    await secure.QUIT();
    const untrusted = new Pop3Command({ host: dc.host, port: dc.ports.pop3s, tls: true, servername: 'localhost', user: ALICE, password: 'alicepass' });
    await assert.rejects(untrusted.STAT(), /certificate/i);

    const ok = await pop3Xoauth2(ALICE, aliceToken);
    assert.equal(ok.ok, true);
    assert.match(ok.ok ? ok.stat : '', /^2 \d+$/);
    const bad = await pop3Xoauth2(ALICE, 'not-a-token');
    assert.equal(bad.ok, false);
  });

  it('deliverMany(200) shows up in POP3 STAT and IMAP in order', async () => {
    await dc.deliverMany('erin@example.test', 200);
    const pop3 = new Pop3Command({ host: dc.host, port: dc.ports.pop3, user: 'erin@example.test', password: 'erinpass' });
    assert.match(await pop3.STAT(), /^200 \d+$/);
    await pop3.QUIT();
    const { subjects } = await imapSubjects({ auth: { user: 'erin@example.test', pass: 'erinpass' } });
    assert.deepEqual(subjects, Array.from({ length: 200 }, (_, i) => `Message ${i + 1}`));
  });

  it('createFolder + deliver into it', async () => {
    await dc.createFolder('bob@example.test', 'Support');
    await dc.deliver('bob@example.test', 'Subject: filed\r\n\r\nx\r\n', 'Support');
    await dc.deliverMany('bob@example.test', 3, undefined, 'Support');
    const client = new ImapFlow({ host: dc.host, port: dc.ports.imap, secure: false, doSTARTTLS: false, logger: false, auth: { user: 'bob@example.test', pass: 'bobpass' } });
    await client.connect();
    const list = (await client.list()).map((m) => m.path);
    const status = await client.status('Support', { messages: true });
    await client.logout();
    assert.ok(list.includes('Support'), list.join(','));
    assert.equal(status && status.messages, 4);
  });
});
