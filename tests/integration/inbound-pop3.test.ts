// Databases: sqlite. This file tests the POP3 protocol matrix; what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Pop3Command from 'node-pop3';

import { adminClients, type AdminClient } from '../helpers/admin';
import { assertParsedLike, authorizedToken, createAccount, fetchNow, storedMessages } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { fixtureMessages } from '../fixtures/messages';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { skipSuiteWithout } from '../servers/require-binary';
import { startTcpProxy, type TcpProxy } from '../servers/tcp-proxy';

const TYPES = ['pop3', 'pop3s', 'pop3-starttls'] as const;
const AUTHS = ['password', 'XOAUTH2', 'OAUTHBEARER'] as const;
const user = (type: string, auth: string) => `${type}-${auth}`.toLowerCase() + '@example.test';

describe(`POP3 inbound accounts against Dovecot (${process.env.TEST_DB ?? 'sqlite'})`, { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer; // offers XOAUTH2 and OAUTHBEARER: the plugin takes XOAUTH2 for POP3
  let dcb: DovecotServer; // offers OAUTHBEARER only
  let proxy: TcpProxy; // in front of dc's plain POP3 port, to see the AUTH lines
  let admin: AdminClient;
  const tokens: Record<string, number> = {};

  before(async () => {
    op = await startOAuthServer();
    const oauth = { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient };
    const users: Record<string, string> = {};
    for (const t of TYPES) users[user(t, 'password')] = 'pop-pass';
    users['delete@example.test'] = 'pop-pass';
    users['keep@example.test'] = 'pop-pass';
    [dc, dcb] = await Promise.all([startDovecot({ oauth, users }), startDovecot({ oauth, users, oauthMechanisms: ['OAUTHBEARER'] })]);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: dc.ports.pop3 });
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '5' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    for (const t of TYPES) {
      for (const a of ['XOAUTH2', 'OAUTHBEARER']) {
        op.addUser(user(t, a));
        tokens[user(t, a)] = await authorizedToken(admin, app.url, op, `token-${t}-${a}`, user(t, a));
      }
    }
  });
  after(async () => {
    await app?.stop();
    await proxy?.stop();
    await Promise.all([dc?.stop(), dcb?.stop()]);
    await op?.stop();
  });

  const logins = (server: DovecotServer, who: string) =>
    server
      .log()
      .split('\n')
      .filter((l) => l.includes(`pop3-login: Info: Login: user=<${who}>`))
      .map((l) => ({ method: /method=([A-Z0-9-]+)/.exec(l)?.[1], tls: /, TLS,/.test(l) }));

  const stat = async (server: DovecotServer, who: string) => {
    const pop3 = new Pop3Command({ host: server.host, port: server.ports.pop3, user: who, password: 'pop-pass' });
    const [count] = (await pop3.STAT()).split(' ').map(Number);
    await pop3.QUIT();
    return count;
  };

  for (const type of TYPES) {
    for (const auth of AUTHS) {
      test(`${type} × ${auth}: fetches the test messages and stores them correctly; nothing twice`, async () => {
        const server = auth === 'OAUTHBEARER' ? dcb : dc;
        const who = user(type, auth);
        const fixtures = fixtureMessages(`${type}-${auth}`);
        for (const f of fixtures) await server.deliver(who, f.raw);
        const account = await createAccount(admin, {
          name: `pop ${type} ${auth}`,
          type,
          host: '127.0.0.1',
          port: type === 'pop3s' ? server.ports.pop3s : server.ports.pop3,
          login: who,
          actionAfterFetch: 'keep',
          trusted: true,
          trustedCertificate: server.caPem,
          ...(auth === 'password' ? { password: 'pop-pass' } : { authentication: 'oauth2', oauthToken: tokens[who] }),
        });
        const report = await fetchNow(admin, account.id);
        assert.deepEqual(report, { fetched: 4, skipped: 0, errors: [] });
        const stored = await storedMessages(app.strapi, account.name);
        assert.equal(stored.length, 4);
        stored.forEach((m, i) => assertParsedLike(m, fixtures[i].expect, { trusted: true }));

        const login = logins(server, who);
        assert.equal(login.length, 1);
        assert.equal(login[0].method, auth === 'password' ? 'PLAIN' : auth);
        assert.equal(login[0].tls, type !== 'pop3', `TLS used: ${type}`);

        const again = await fetchNow(admin, account.id);
        assert.deepEqual(again, { fetched: 0, skipped: 4, errors: [] }, 'kept messages are recognised by UIDL');
      });
    }
  }

  test('action delete: DELE + QUIT leave the mailbox empty; keep leaves it as it was', async () => {
    for (const f of fixtureMessages('delete').slice(0, 3)) await dc.deliver('delete@example.test', f.raw);
    for (const f of fixtureMessages('keep').slice(0, 2)) await dc.deliver('keep@example.test', f.raw);
    const del = await createAccount(admin, { name: 'pop delete', type: 'pop3', host: '127.0.0.1', port: dc.ports.pop3, login: 'delete@example.test', password: 'pop-pass', actionAfterFetch: 'delete' });
    const keep = await createAccount(admin, { name: 'pop keep', type: 'pop3', host: '127.0.0.1', port: dc.ports.pop3, login: 'keep@example.test', password: 'pop-pass', actionAfterFetch: 'keep' });
    assert.equal((await fetchNow(admin, del.id)).fetched, 3);
    assert.equal((await fetchNow(admin, keep.id)).fetched, 2);
    assert.equal(await stat(dc, 'delete@example.test'), 0);
    assert.equal(await stat(dc, 'keep@example.test'), 2);
    await dc.deliver('delete@example.test', 'From: a@example.org\r\nSubject: after delete\r\n\r\nx\r\n');
    assert.equal((await fetchNow(admin, del.id)).fetched, 1);
    assert.equal((await storedMessages(app.strapi, 'pop delete')).at(-1).subject, 'after delete');
  });

  test('XOAUTH2 goes on the AUTH line when it fits 255 octets, and on a line of its own when told to (or when longer)', async () => {
    const who = user('pop3', 'XOAUTH2');
    const account = await createAccount(admin, {
      name: 'pop via proxy',
      type: 'pop3',
      host: '127.0.0.1',
      port: proxy.port,
      login: who,
      authentication: 'oauth2',
      oauthToken: tokens[who],
      actionAfterFetch: 'keep',
    });
    const authLines = () => Buffer.concat(proxy.sent.at(-1)!).toString('latin1').split('\r\n').filter((l, i, all) => l.startsWith('AUTH') || all[i - 1]?.startsWith('AUTH'));
    assert.deepEqual((await fetchNow(admin, account.id)).errors, []);
    const oneLine = authLines();
    assert.match(oneLine[0], /^AUTH XOAUTH2 [A-Za-z0-9+/=]{40,}$/, 'initial response on the AUTH line');
    assert.ok(Buffer.from(oneLine[0].split(' ')[2], 'base64').toString().startsWith(`user=${who}\x01auth=Bearer `));

    app.strapi.config.set('plugin::mail-auth.pop3SaslInitialResponse', 'never');
    try {
      assert.deepEqual((await fetchNow(admin, account.id)).errors, []);
      const twoLines = authLines();
      assert.equal(twoLines[0], 'AUTH XOAUTH2', 'method alone');
      assert.match(twoLines[1], /^[A-Za-z0-9+/=]{40,}$/, 'token on the next line');
    } finally {
      app.strapi.config.set('plugin::mail-auth.pop3SaslInitialResponse', 'auto');
    }
  });
});
