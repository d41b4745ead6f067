// Databases: sqlite. This file tests the IMAP protocol matrix (TLS modes × password/XOAUTH2/OAUTHBEARER, actions); what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { ACCOUNT_UID, assertParsedLike, authorizedToken, createAccount, fetchNow, imapFlags, storedMessages } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { fixtureMessages } from '../fixtures/messages';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { skipSuiteWithout } from '../servers/require-binary';

const ALICE = 'alice@example.test';

describe(`IMAP inbound accounts against Dovecot (${process.env.TEST_DB ?? 'sqlite'})`, { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer; // offers XOAUTH2 and OAUTHBEARER: imapflow takes OAUTHBEARER
  let dcx: DovecotServer; // offers XOAUTH2 only, as Microsoft 365 does
  let dcm: DovecotServer; // lets a token's user open another mailbox (master users)
  let admin: AdminClient;
  let aliceToken: number;

  before(async () => {
    op = await startOAuthServer();
    const oauth = { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient };
    const started = await Promise.allSettled([
      startDovecot({ oauth }),
      startDovecot({ oauth, oauthMechanisms: ['XOAUTH2'] }),
      startDovecot({ oauth, oauthMechanisms: ['XOAUTH2'], oauthMasterUsers: true }),
    ]);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      // the ones that did start are stopped, then the failure is the test's
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      throw failed.reason;
    }
    [dc, dcx, dcm] = started.map((s) => (s as PromiseFulfilledResult<DovecotServer>).value);
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '5' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    aliceToken = await authorizedToken(admin, app.url, op, 'alice-imap', ALICE);
  });
  after(async () => {
    await app?.stop();
    await Promise.all([dc?.stop(), dcx?.stop(), dcm?.stop()]);
    await op?.stop();
  });

  /** Login lines of alice in a Dovecot log: method and whether the session was under TLS. */
  const logins = (server: DovecotServer) =>
    server
      .log()
      .split('\n')
      .filter((l) => l.includes('imap-login: Info: Login: user=<alice@example.test>'))
      // ", TLS," marks a TLS session (Dovecot calls plain text from loopback "secured")
      .map((l) => ({ method: /method=([A-Z0-9-]+)/.exec(l)?.[1], tls: /, TLS,/.test(l) }));

  const settings = (auth: string) =>
    auth === 'password' ? { authentication: 'password', password: 'alicepass' } : { authentication: 'oauth2', oauthToken: aliceToken };

  for (const type of ['imap', 'imaps', 'imap-starttls'] as const) {
    for (const auth of ['password', 'XOAUTH2', 'OAUTHBEARER'] as const) {
      test(`${type} × ${auth}: fetches plain, 8-bit, encoded, HTML and attachment messages and stores them correctly`, async () => {
        const server = auth === 'XOAUTH2' ? dcx : dc;
        const folder = `T-${type}-${auth}`;
        const fixtures = fixtureMessages(`${type}-${auth}`);
        await server.createFolder(ALICE, folder);
        for (const f of fixtures) await server.deliver(ALICE, f.raw, folder);
        const trusted = auth === 'password';
        const account = await createAccount(admin, {
          name: `imap ${type} ${auth}`,
          type,
          host: '127.0.0.1',
          port: type === 'imaps' ? server.ports.imaps : server.ports.imap,
          login: ALICE,
          folder,
          actionAfterFetch: 'keep',
          trusted,
          // the harness's CA, as an admin pastes a company CA
          trustedCertificate: server.caPem,
          queue: 'First level',
          ...settings(auth),
        });
        const loginsBefore = logins(server).length;

        const report = await fetchNow(admin, account.id);
        assert.deepEqual(report, { fetched: 4, skipped: 0, errors: [] });

        const stored = await storedMessages(app.strapi, account.name);
        assert.equal(stored.length, 4);
        stored.forEach((m, i) => assertParsedLike(m, fixtures[i].expect, { trusted }));
        assert.ok(stored.every((m) => m.queue === 'First level'));

        const login = logins(server).slice(loginsBefore);
        assert.equal(login.length, 1, 'one session');
        assert.equal(login[0].method, auth === 'password' ? 'PLAIN' : auth);
        assert.equal(login[0].tls, type !== 'imap', `TLS used: ${type}`);

        const again = await fetchNow(admin, account.id);
        assert.equal(again.fetched, 0, 'nothing is handed on twice');
        assert.deepEqual(again.errors, []);
        assert.equal((await storedMessages(app.strapi, account.name)).length, 4);
        const view = (await admin.get(`/mail-auth/inbound-accounts/${account.id}`)).body;
        assert.ok(view.lastPollAt);
        assert.equal(view.lastError, null);
        assert.ok(view.state.imapLastUid >= 4);
      });
    }
  }

  test('shared mailbox: alice\'s token opens bob\'s mailbox where the server allows it (Dovecot master users: bob*alice)', async () => {
    await dcm.deliver('bob@example.test', 'From: c@example.org\r\nSubject: for the shared mailbox\r\nMessage-ID: <shared@example.org>\r\n\r\nx\r\n');
    const base = { type: 'imap', host: '127.0.0.1', port: dcm.ports.imap, authentication: 'oauth2', oauthToken: aliceToken, actionAfterFetch: 'keep' };
    const shared = await createAccount(admin, { ...base, name: 'shared via master user', login: 'bob@example.test*alice@example.test' });
    assert.deepEqual(await fetchNow(admin, shared.id), { fetched: 1, skipped: 0, errors: [] });
    assert.equal((await storedMessages(app.strapi, shared.name))[0].subject, 'for the shared mailbox');
    assert.ok(dcm.log().includes('Login: user=<bob@example.test>, method=XOAUTH2'), 'logged in as bob');
    // Microsoft's form (XOAUTH2 user = the shared mailbox, token of the delegate) is not Dovecot's
    const refused = await createAccount(admin, { ...base, name: 'shared the Microsoft way', login: ALICE, mailbox: 'bob@example.test' });
    const report = await fetchNow(admin, refused.id);
    assert.equal(report.errors[0]?.code, 'AUTH_FAILED');
    assert.match(report.errors[0].advice!, /or a mailbox that user may open/);
  });

  /** A folder of its own with `n` messages, and an account on it with the given action. */
  const withAction = async (action: string, extra: Record<string, unknown> = {}, name = action) => {
    const folder = `A-${name}`;
    await dc.createFolder(ALICE, folder);
    for (const f of fixtureMessages(name).slice(0, 3)) await dc.deliver(ALICE, f.raw, folder);
    const account = await createAccount(admin, {
      name: `action ${name}`,
      type: 'imap',
      host: '127.0.0.1',
      port: dc.ports.imap,
      login: ALICE,
      password: 'alicepass',
      folder,
      actionAfterFetch: action,
      ...extra,
    });
    return { folder, account };
  };

  test('action keep: the messages stay, unread; a new one is the only one fetched next time', async () => {
    const { folder, account } = await withAction('keep');
    assert.equal((await fetchNow(admin, account.id)).fetched, 3);
    const flags = await imapFlags(dc, ALICE, 'alicepass', folder);
    assert.equal(flags.length, 3);
    assert.ok(flags.every((m) => !m.seen), 'fetching does not set \\Seen (BODY.PEEK)');
    await dc.deliver(ALICE, 'From: late@example.org\r\nSubject: late arrival\r\nMessage-ID: <late@example.org>\r\n\r\nhi\r\n', folder);
    const next = await fetchNow(admin, account.id);
    assert.equal(next.fetched, 1);
    assert.equal((await storedMessages(app.strapi, account.name)).at(-1).subject, 'late arrival');
  });

  test('action mark-seen: every fetched message is \\Seen', async () => {
    const { folder, account } = await withAction('mark-seen');
    assert.equal((await fetchNow(admin, account.id)).fetched, 3);
    const flags = await imapFlags(dc, ALICE, 'alicepass', folder);
    assert.equal(flags.length, 3);
    assert.ok(flags.every((m) => m.seen));
  });

  test('action delete: the folder is empty afterwards', async () => {
    const { folder, account } = await withAction('delete');
    assert.equal((await fetchNow(admin, account.id)).fetched, 3);
    assert.deepEqual(await imapFlags(dc, ALICE, 'alicepass', folder), []);
    assert.equal((await storedMessages(app.strapi, account.name)).length, 3);
  });

  test('action move: the messages are in the target folder and no longer in the source', async () => {
    await dc.createFolder(ALICE, 'Handled');
    const { folder, account } = await withAction('move', { moveTo: 'Handled' });
    assert.equal((await fetchNow(admin, account.id)).fetched, 3);
    assert.deepEqual(await imapFlags(dc, ALICE, 'alicepass', folder), []);
    const moved = await imapFlags(dc, ALICE, 'alicepass', 'Handled');
    assert.equal(moved.length, 3);
    assert.ok(moved.some((m) => m.subject === 'latin1 move'));
  });

  test('move to a folder that does not exist: the error names it, and the messages are recorded but not handed on again', async () => {
    const { folder, account } = await withAction('move', { moveTo: 'No-Such-Folder' }, 'move-missing');
    const first = await fetchNow(admin, account.id);
    assert.equal(first.fetched, 3, 'handed on before the action');
    assert.equal(first.errors[0]?.code, 'FOLDER_MISSING');
    assert.match(first.errors[0].message, /No-Such-Folder/);
    assert.equal((await imapFlags(dc, ALICE, 'alicepass', folder)).length, 3, 'still there');
    await dc.createFolder(ALICE, 'No-Such-Folder');
    const second = await fetchNow(admin, account.id);
    assert.deepEqual([second.fetched, second.errors], [0, []]);
    assert.equal((await imapFlags(dc, ALICE, 'alicepass', folder)).length, 0, 'the pending move was applied');
    assert.equal((await imapFlags(dc, ALICE, 'alicepass', 'No-Such-Folder')).length, 3);
    assert.equal((await storedMessages(app.strapi, account.name)).length, 3);
  });

  test('each message emits mail-auth.message.received; a configured handler takes messages instead of the store', async () => {
    const events: any[] = [];
    const listener = (e: unknown) => events.push(e);
    app.strapi.eventHub.on('mail-auth.message.received', listener);
    const handled: { key: string; subject: string; raw: number; queue: string | null }[] = [];
    let failOn: string | undefined = 'latin1 handler';
    app.strapi.config.set('plugin::mail-auth.handler', async ({ message, raw, key, account }: any) => {
      if (message.subject === failOn) throw new Error('the helpdesk is down');
      handled.push({ key, subject: message.subject, raw: raw.length, queue: account.queue });
    });
    try {
      const { account } = await withAction('keep', { queue: 'Q1' }, 'handler');
      const first = await fetchNow(admin, account.id);
      assert.equal(first.fetched, 1, 'the one before the failing message is handed on');
      assert.equal(first.errors[0].code, 'HAND_ON_FAILED');
      assert.match(first.errors[0].message, /the helpdesk is down/);
      const view = (await admin.get(`/mail-auth/inbound-accounts/${account.id}`)).body;
      assert.equal(view.lastError.code, 'HAND_ON_FAILED');
      assert.ok(view.lastError.advice);

      failOn = undefined;
      const second = await fetchNow(admin, account.id);
      assert.deepEqual([second.fetched, second.errors], [2, []]);
      assert.deepEqual(handled.map((h) => h.subject), [`Grüße aus Köln — handler`, 'latin1 handler', 'Order Bestätigung handler']);
      assert.equal(new Set(handled.map((h) => h.key)).size, 3);
      assert.ok(handled.every((h) => h.raw > 100 && h.queue === 'Q1'));
      assert.equal((await storedMessages(app.strapi, account.name)).length, 0, 'the handler took them instead');
      const mine = events.filter((e) => e.account.id === account.id);
      assert.equal(mine.length, 3);
      assert.deepEqual(mine.map((e) => e.message.storedAs), ['handler', 'handler', 'handler']);
    } finally {
      app.strapi.config.set('plugin::mail-auth.handler', undefined);
      app.strapi.eventHub.off('mail-auth.message.received', listener);
    }
    // and the default store emits too
    const { account } = await withAction('keep', {}, 'events');
    const got: any[] = [];
    const l2 = (e: any) => e.account.id === account.id && got.push(e);
    app.strapi.eventHub.on('mail-auth.message.received', l2);
    await fetchNow(admin, account.id);
    app.strapi.eventHub.off('mail-auth.message.received', l2);
    const stored = await storedMessages(app.strapi, account.name);
    assert.deepEqual(got.map((e) => e.message.id), stored.map((m) => m.id));
  });

  test('activity: a fetch with messages is logged, a failure once when it begins', async () => {
    const res = await admin.get('/mail-auth/activity?subjectType=inbound-account&pageSize=100');
    const kinds = res.body.results.map((a: { kind: string }) => a.kind);
    assert.ok(kinds.includes('inbound.fetched'));
    assert.ok(kinds.includes('inbound.fetch-failed'));
    const rows = await app.strapi.db.query(ACCOUNT_UID).count();
    assert.ok(rows > 0);
  });
});
