// Databases: sqlite
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { ACCOUNT_UID, RECEIPT_UID, createAccount, imapAppender, storedMessages } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startStrapiProcess } from '../helpers/strapi-process';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { requireBinary } from '../servers/require-binary';
import { startTcpProxy, type TcpProxy } from '../servers/tcp-proxy';

const USER = 'idle@example.test';
const PASS = 'idlepass';
const BOUND = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
};

const message = (tag: string, i: number) =>
  `From: Sender <s@example.org>\r\nTo: ${USER}\r\nSubject: ${tag} ${i}\r\nMessage-ID: <${tag}-${i}@example.org>\r\nDate: ${new Date().toUTCString()}\r\n\r\nBody of ${tag} ${i}.\r\n`;

interface WatchInfo {
  accountId: number;
  state: string;
  connections: number;
  drops: number;
  fetches: number;
}

/**
 * IMAP IDLE against the real Dovecot: the PostMaster job runs (runJobs) but its schedule never
 * comes within a test (once a year), so whatever arrives was fetched because Dovecot said so,
 * unless a test polls on purpose.
 */
describe('IMAP IDLE', { skip: !requireBinary(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer;
  let admin: AdminClient;
  let appender: Awaited<ReturnType<typeof imapAppender>>;
  const received: { key: string; messageId: string; at: number }[] = [];
  const onReceived = async (payload: unknown) => {
    const { message } = payload as { message: { key: string; messageId: string } };
    received.push({ key: message.key, messageId: message.messageId, at: Date.now() });
  };

  const watcher = () => app.strapi.plugin('mail-auth').service('idle-watcher');
  const postmaster = () => app.strapi.plugin('mail-auth').service('postmaster');
  const watchOf = (id: number) => (watcher().list() as WatchInfo[]).find((w) => w.accountId === id);
  const holdOf = async (id: number) =>
    (await app.strapi.db.query(ACCOUNT_UID).findOne({ where: { id }, select: ['idleOwner', 'idleUntil'] })) as {
      idleOwner: string | null;
      idleUntil: string | null;
    };
  const watching = (id: number) => waitFor(`account ${id} in IDLE`, () => watchOf(id)?.state === 'watching');
  /** Whether the poll job takes the account once its poll interval (five minutes) has passed. */
  const polledAtItsInterval = async (id: number) => {
    await app.strapi.db.query(ACCOUNT_UID).update({
      where: { id },
      data: { lastPollAt: new Date(Date.now() - 301_000) },
    });
    return ((await postmaster().dueAccounts()) as { id: number }[]).some((a) => a.id === id);
  };
  const released = (id: number) => waitFor(`the hold of account ${id} given back`, async () => (await holdOf(id)).idleOwner === null);
  const arrived = (tag: string, n: number, timeoutMs = 10_000) =>
    waitFor(`${n} messages "${tag}"`, () => new Set(received.filter((r) => r.messageId.startsWith(`<${tag}-`)).map((r) => r.messageId)).size >= n, timeoutMs);

  /** Every message of `tag` stored exactly once, and one receipt each. */
  const assertExactlyOnce = async (account: { id: number; name: string }, tag: string, n: number) => {
    const stored = await storedMessages(app.strapi, account.name);
    assert.equal(await app.strapi.db.query(RECEIPT_UID).count({ where: { accountId: account.id } }), stored.length, 'one receipt per message');
    const ids = stored.map((m) => m.messageId as string).filter((id) => id.startsWith(`<${tag}-`));
    const expected = Array.from({ length: n }, (_, i) => `<${tag}-${i}@example.org>`);
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'handed on twice');
    assert.deepEqual(expected.filter((id) => !ids.includes(id)), [], 'lost');
    assert.equal(ids.length, n);
    const events = received.filter((r) => r.messageId.startsWith(`<${tag}-`)).map((r) => r.messageId);
    assert.equal(events.length, n, 'one event per message');
  };

  const idleAccount = (name: string, folder: string, extra: Record<string, unknown> = {}) =>
    createAccount(admin, {
      name,
      type: 'imap',
      host: '127.0.0.1',
      port: dc.ports.imap,
      login: USER,
      password: PASS,
      folder,
      actionAfterFetch: 'mark-seen',
      ...extra,
    });

  before(async () => {
    op = await startOAuthServer();
    dc = await startDovecot({
      oauth: {
        introspectionUrl: op.introspectionEndpoint,
        ...op.introspectionClient,
      },
      users: { [USER]: PASS },
    });
    for (const folder of ['Arrive', 'Cut', 'Switch', 'Shared', 'Bound']) await dc.createFolder(USER, folder);
    app = await startStrapi({
      env: {
        MAIL_AUTH_RUN_JOBS: 'true',
        MAIL_AUTH_POLL_SCHEDULE: '0 0 1 1 *',
        MAIL_AUTH_REFRESH_SCHEDULE: '0 0 1 1 *',
        MAIL_AUTH_IDLE_CONNECTIONS: String(BOUND),
        MAIL_AUTH_LEASE_SECONDS: '6',
        MAIL_AUTH_HTTP_TIMEOUT: '2', // leaseSeconds must exceed twice the HTTP timeout
        MAIL_AUTH_MAIL_TIMEOUT: '5',
      },
    });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    app.strapi.eventHub.on('mail-auth.message.received', onReceived);
    appender = await imapAppender(dc, USER, PASS);
  });
  after(async () => {
    await appender?.close();
    app?.strapi.eventHub.off('mail-auth.message.received', onReceived);
    await app?.stop();
    await dc?.stop();
    await op?.stop();
  });

  test('the API shows idle for IMAP accounts (on by default) and refuses it for the polled types', async () => {
    const imap = await idleAccount('idle api', 'INBOX', { active: false });
    assert.equal(imap.idle, true);
    const off = await admin.put(`/mail-auth/inbound-accounts/${imap.id}`, {
      idle: false,
    });
    assert.equal(off.status, 200);
    assert.equal(off.body.idle, false);
    const pop = await createAccount(admin, {
      name: 'idle pop',
      type: 'pop3',
      host: '127.0.0.1',
      port: dc.ports.pop3,
      login: USER,
      password: PASS,
      active: false,
    });
    assert.equal(pop.idle, null);
    const refused = await admin.put(`/mail-auth/inbound-accounts/${pop.id}`, {
      idle: true,
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(
      refused.body.error.details.errors.map((e: { path: string[] }) => e.path),
      [['idle']]
    );
    assert.match(refused.body.error.details.errors[0].message, /only IMAP accounts/);
    const wrongType = await admin.put(`/mail-auth/inbound-accounts/${imap.id}`, { idle: 'yes' });
    assert.equal(wrongType.status, 400);
    assert.match(JSON.stringify(wrongType.body.error.details.errors), /"idle".*must be true or false/);
    for (const id of [imap.id, pop.id]) assert.equal((await admin.delete(`/mail-auth/inbound-accounts/${id}`)).status, 200);
  });

  test('a message appended is handed on within seconds, without waiting for a poll', async () => {
    await appender.append('Arrive', message('early', 0)); // before the account exists: the first fetch takes it
    const account = await idleAccount('idle arrive', 'Arrive');
    await watching(account.id);
    await arrived('early', 1);
    const hold = await holdOf(account.id);
    assert.ok(hold.idleOwner && new Date(hold.idleUntil!).getTime() > Date.now(), 'held in IDLE under a lease');
    assert.equal((await admin.get(`/mail-auth/inbound-accounts/${account.id}`)).body.idleActive, true, 'the API says so');
    assert.equal(await polledAtItsInterval(account.id), false, 'the poll job leaves an account held in IDLE to it (until the safety interval)');

    for (let i = 0; i < 5; i++) {
      const appended = Date.now();
      await appender.append('Arrive', message('arrive', i));
      await arrived('arrive', i + 1);
      const ms = received.find((r) => r.messageId === `<arrive-${i}@example.org>`)!.at - appended;
      assert.ok(ms < 5000, `handed on ${ms} ms after APPEND`);
    }
    await assertExactlyOnce(account, 'arrive', 5);
    const w = watchOf(account.id)!;
    assert.equal(w.connections, 1, 'one connection held all along');
    assert.equal(w.drops, 0);
    assert.equal((await admin.delete(`/mail-auth/inbound-accounts/${account.id}`)).status, 200);
    await waitFor('the watch to end with its account', () => watchOf(account.id) === undefined);
  });

  test('a cut connection falls back to polling, reconnects with backoff, and nothing is lost', async () => {
    const proxy: TcpProxy = await startTcpProxy({
      host: '127.0.0.1',
      port: dc.ports.imap,
    });
    try {
      const account = await idleAccount('idle cut', 'Cut', {
        port: proxy.port,
      });
      await watching(account.id);
      await appender.append('Cut', message('cut', 0));
      await arrived('cut', 1);

      // From now on every IDLE is cut as it is sent (fetches pass): each reconnect gets as far as
      // opening the folder and fetching what came meanwhile, then drops again.
      proxy.cutOnClient = { pattern: /\bIDLE\r\n/, forward: false };
      assert.ok(proxy.cutAll() >= 1);
      await waitFor('the watch to notice the cut', () => watchOf(account.id)?.state === 'waiting');
      assert.equal((await holdOf(account.id)).idleOwner, null, 'the hold is given back while the connection is down');
      assert.equal((await admin.get(`/mail-auth/inbound-accounts/${account.id}`)).body.idleActive, false, 'the API says so');
      assert.equal(await polledAtItsInterval(account.id), true, 'meanwhile the poll job polls it at its poll interval');
      for (let i = 1; i < 4; i++) await appender.append('Cut', message('cut', i));
      await arrived('cut', 4, 15_000); // fetched by the reconnects' first fetch
      await waitFor('two failed reconnects', () => (watchOf(account.id)?.drops ?? 0) >= 3, 15_000);

      proxy.cutOnClient = undefined;
      await watching(account.id);
      await waitFor('the hold taken again', async () => Boolean((await holdOf(account.id)).idleOwner));
      const appended = Date.now();
      await appender.append('Cut', message('cut', 4));
      await arrived('cut', 5);
      assert.ok(Date.now() - appended < 5000);
      await assertExactlyOnce(account, 'cut', 5);
      const w = watchOf(account.id)!;
      assert.ok(w.connections >= 4, JSON.stringify(w));
      assert.equal((await admin.delete(`/mail-auth/inbound-accounts/${account.id}`)).status, 200);
      await waitFor('the connection closed', () => proxy.open() === 0);
    } finally {
      await proxy.stop();
    }
  });

  test('switching IDLE off and on while mail keeps arriving repeats and loses nothing', async () => {
    const account = await idleAccount('idle switch', 'Switch');
    await watching(account.id);
    const N = 40;
    const arriving = (async () => {
      for (let i = 0; i < N; i++) {
        await appender.append('Switch', message('switch', i));
        await sleep(40);
      }
    })();
    arriving.catch(() => {}); // awaited below
    const accounts = app.strapi.db.query(ACCOUNT_UID);
    try {
      for (let round = 0; round < 3; round++) {
        await sleep(300);
        assert.equal(
          (
            await admin.put(`/mail-auth/inbound-accounts/${account.id}`, {
              idle: false,
            })
          ).status,
          200
        );
        await waitFor('the watch to end', () => watchOf(account.id) === undefined);
        await released(account.id);
        // polled meanwhile, by the job and by hand at once
        await accounts.update({
          where: { id: account.id },
          data: { lastPollAt: new Date(Date.now() - 600_000) },
        });
        await Promise.all([postmaster().runDue(), admin.post(`/mail-auth/inbound-accounts/${account.id}/fetch`)]);
        assert.equal(
          (
            await admin.put(`/mail-auth/inbound-accounts/${account.id}`, {
              idle: true,
            })
          ).status,
          200
        );
        await watching(account.id);
        // and a manual fetch racing the IDLE fetches
        await admin.post(`/mail-auth/inbound-accounts/${account.id}/fetch`);
      }
    } finally {
      await arriving;
    }
    await arrived('switch', N, 15_000);
    await sleep(500); // anything that would come twice comes now
    await assertExactlyOnce(account, 'switch', N);
    assert.equal((await admin.delete(`/mail-auth/inbound-accounts/${account.id}`)).status, 200);
  });

  test('two instances share the accounts through the holds; one killed, its account is polled until the other takes it over', async () => {
    const second = await startStrapiProcess({
      database: app.database,
      env: {
        SERVE_ADMIN_PANEL: 'false',
        MAIL_AUTH_RUN_JOBS: 'true',
        MAIL_AUTH_POLL_SCHEDULE: '*/2 * * * * *',
        MAIL_AUTH_REFRESH_SCHEDULE: '0 0 1 1 *',
        MAIL_AUTH_IDLE_CONNECTIONS: '3',
        MAIL_AUTH_LEASE_SECONDS: '6',
        MAIL_AUTH_HTTP_TIMEOUT: '2', // leaseSeconds must exceed twice the HTTP timeout
        MAIL_AUTH_MAIL_TIMEOUT: '5',
      },
    });
    const accounts: { id: number; name: string }[] = [];
    try {
      // four accounts on one folder: each hands every message on, under its own receipts
      for (let i = 0; i < 4; i++) accounts.push(await idleAccount(`idle shared ${i}`, 'Shared'));
      await waitFor(`${BOUND} held here`, () => accounts.filter((a) => watchOf(a.id)?.state === 'watching').length === BOUND);
      const fourth = accounts.find((a) => !watchOf(a.id))!;
      await waitFor('the other instance holding the fourth', async () => Boolean((await holdOf(fourth.id)).idleOwner), 20_000);
      await sleep(1000); // its first fetch
      const stored = async (name: string, tag: string, i: number) => (await storedMessages(app.strapi, name)).filter((m) => m.messageId === `<${tag}-${i}@example.org>`).length;
      await appender.append('Shared', message('shared', 0));
      const here = () => received.filter((r) => r.messageId === '<shared-0@example.org>').length;
      await waitFor('the three accounts held here', () => here() === BOUND);
      await waitFor('handed on by the other instance', async () => (await stored(fourth.name, 'shared', 0)) === 1);
      assert.equal(here(), BOUND, 'the fourth was not handed on here');

      // the other instance dies: its hold runs out, the account is polled here meanwhile
      await second.kill();
      await waitFor('its hold run out', async () => new Date((await holdOf(fourth.id)).idleUntil ?? 0).getTime() < Date.now(), 10_000);
      await appender.append('Shared', message('shared', 1));
      assert.equal(await polledAtItsInterval(fourth.id), true, 'polled at its interval');
      const reports = [await postmaster().runDue()];
      // A fetch the killed instance had under way keeps the account's fetch lease until it runs
      // out (6 s): the polls answer BUSY meanwhile, as after any crash.
      for (const deadline = Date.now() + 8000; (await stored(fourth.name, 'shared', 1)) === 0 && Date.now() < deadline; ) {
        await sleep(500);
        await polledAtItsInterval(fourth.id);
        reports.push(await postmaster().runDue());
      }
      assert.equal(await stored(fourth.name, 'shared', 1), 1, `fetched by the poll: ${JSON.stringify(reports)}`);
      assert.ok(
        reports.slice(0, -1).every((r) => r[fourth.name]?.errors[0]?.code === 'BUSY'),
        `the polls before were refused only while the dead instance's fetch lease lasted: ${JSON.stringify(reports)}`
      );
      // a slot free here: this instance takes the account over
      await admin.put(`/mail-auth/inbound-accounts/${accounts.find((a) => a !== fourth)!.id}`, { idle: false });
      await watching(fourth.id);
      await appender.append('Shared', message('shared', 2));
      await waitFor('handed on through IDLE here', async () => (await stored(fourth.name, 'shared', 2)) === 1);
      // the account switched off just now is polled: its next poll takes what it had not fetched yet
      await app.strapi.db.query(ACCOUNT_UID).updateMany({ where: { id: { $in: accounts.map((a) => a.id) } }, data: { lastPollAt: new Date(Date.now() - 3_600_000) } });
      await postmaster().runDue();
      for (const a of accounts) for (let i = 0; i < 3; i++) await waitFor(`${a.name} has shared ${i} once`, async () => (await stored(a.name, 'shared', i)) === 1);
    } finally {
      await second.stop();
      for (const a of accounts) await admin.delete(`/mail-auth/inbound-accounts/${a.id}`);
      await waitFor('the watches ended', () => accounts.every((a) => !watchOf(a.id)));
    }
  });

  test(`at most idleConnections (${BOUND}) accounts are held here; one another instance holds is left to it`, async () => {
    const names = Array.from({ length: 5 }, (_, i) => `idle bound ${i}`);
    const accounts: { id: number; name: string }[] = [];
    for (const name of names) accounts.push(await idleAccount(name, 'Bound', { active: false }));
    // the first is held by "another instance" (a live lease of another owner)
    await app.strapi.db.query(ACCOUNT_UID).update({
      where: { id: accounts[0].id },
      data: {
        idleOwner: 'another-instance',
        idleUntil: new Date(Date.now() + 60_000),
      },
    });
    for (const a of accounts) await admin.put(`/mail-auth/inbound-accounts/${a.id}`, { active: true });
    await watcher().reconcile();
    await waitFor(`${BOUND} watching`, () => (watcher().list() as WatchInfo[]).filter((w) => w.state === 'watching').length === BOUND);
    const held = (watcher().list() as WatchInfo[]).map((w) => w.accountId).sort((a, b) => a - b);
    assert.deepEqual(
      held,
      accounts.slice(1, 1 + BOUND).map((a) => a.id),
      'the oldest free ones, up to the bound'
    );
    assert.equal((await holdOf(accounts[0].id)).idleOwner, 'another-instance', 'the other instance keeps its account');
    // (once the first fetch of each held account is over)
    await waitFor('the first fetches', async () => (await app.strapi.db.query(ACCOUNT_UID).count({ where: { id: { $in: held }, lastPollAt: { $notNull: true } } })) === BOUND);
    const polled = ((await postmaster().dueAccounts()) as { id: number }[]).map((a) => a.id);
    assert.ok(polled.includes(accounts[4].id), 'beyond the bound, an account is polled');
    assert.ok(!polled.includes(accounts[1].id), 'a held account is not');

    // one switched off frees a slot: the next free account takes it
    await admin.put(`/mail-auth/inbound-accounts/${accounts[1].id}`, {
      idle: false,
    });
    await watcher().reconcile();
    await waitFor('the last account held', () => watchOf(accounts[4].id)?.state === 'watching');
    assert.equal((watcher().list() as WatchInfo[]).length, BOUND);
    assert.equal(watchOf(accounts[1].id), undefined);
  });

  test('close() (the plugin destroy) ends every IDLE connection and gives every hold back', async () => {
    assert.ok((watcher().list() as WatchInfo[]).length > 0);
    await watcher().close();
    assert.deepEqual(watcher().list(), []);
    const rows = (await app.strapi.db.query(ACCOUNT_UID).findMany({ select: ['name', 'idleOwner'] })) as {
      name: string;
      idleOwner: string | null;
    }[];
    assert.deepEqual(
      rows.filter((r) => r.idleOwner && r.idleOwner !== 'another-instance').map((r) => r.name),
      []
    );
  });
});
