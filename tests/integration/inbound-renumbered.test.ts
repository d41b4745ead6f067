import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { RECEIPT_UID, createAccount, storedMessages } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { skipSuiteWithout } from '../servers/require-binary';
import { startTcpProxy } from '../servers/tcp-proxy';

/**
 * Servers that renumber their messages, for real in Dovecot: an IMAP folder deleted and created
 * again (a new UIDVALIDITY) while actions after fetch were pending, and a POP3 mailbox whose
 * UIDLs are its UIDs alone (`pop3_uidl_format = %u`) recreated, so that its UIDLs are given again
 * to new messages.
 */
const IMAP_USER = 'rebuild@example.test';
const POP3_USER = 'reuse@example.test';
const PASSWORD = 'renumberpass';

const raw = (tag: string, body = 'Hello.') =>
  `From: Customer <c@example.org>\r\nTo: support@example.test\r\nSubject: ${tag}\r\nMessage-ID: <${tag}@renumbered.example.org>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${body}\r\n`;
const messageId = (tag: string) => `<${tag}@renumbered.example.org>`;

describe(`Servers that renumber messages (${process.env.TEST_DB ?? 'sqlite'})`, { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer;
  let admin: AdminClient;

  before(async () => {
    op = await startOAuthServer();
    dc = await startDovecot({
      oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient },
      users: { [IMAP_USER]: PASSWORD, [POP3_USER]: PASSWORD },
      pop3UidlFormat: '%u',
    });
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '5' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
    await dc?.stop();
    await op?.stop();
  });

  const postmaster = () => app.strapi.plugin('mail-auth').service('postmaster');
  const receiptsOf = async (accountId: number) =>
    (await app.strapi.db.query(RECEIPT_UID).findMany({ where: { accountId }, orderBy: { id: 'asc' } })) as {
      sourceKey: string;
      actionDone: boolean;
      actionOutcome: string | null;
    }[];
  const countOf = (stored: { messageId: string }[], tag: string) => stored.filter((m) => m.messageId === messageId(tag)).length;

  const imapClient = async () => {
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({ host: dc.host, port: dc.ports.imap, secure: false, doSTARTTLS: false, logger: false, disableAutoIdle: true, auth: { user: IMAP_USER, pass: PASSWORD } });
    client.on('error', () => {});
    await client.connect();
    return client;
  };

  test('IMAP: actions pending when the folder is rebuilt are applied to the messages found again by Message-ID and size; the others are shown, not passed off as done', async () => {
    await dc.createFolder(IMAP_USER, 'Rebuild');
    for (const tag of ['found', 'twice', 'changed', 'gone']) await dc.deliver(IMAP_USER, raw(tag), 'Rebuild');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: dc.ports.imap });
    try {
      const account = await createAccount(admin, {
        name: 'imap rebuilt',
        type: 'imap',
        host: '127.0.0.1',
        port: proxy.port,
        login: IMAP_USER,
        password: PASSWORD,
        folder: 'Rebuild',
        actionAfterFetch: 'delete',
      });
      // The four are recorded; the deletion (UID STORE +FLAGS \Deleted) never reaches the server.
      proxy.cutOnClient = { pattern: /UID STORE/, forward: false };
      const cut = await postmaster().fetch(account.id);
      assert.equal(cut.fetched, 4);
      assert.equal(cut.errors.length, 1, 'the cut connection fails the run');
      assert.equal((await receiptsOf(account.id)).filter((r) => !r.actionDone).length, 4, 'four actions pending');
      proxy.cutOnClient = undefined;

      // The folder is rebuilt: deleted, created again, the mail put back (one message twice, one
      // changed, one not at all) and a new one.
      const client = await imapClient();
      let validityBefore: bigint | undefined;
      try {
        const before = await client.status('Rebuild', { uidValidity: true });
        assert.ok(before);
        validityBefore = before.uidValidity;
        assert.ok(await client.mailboxDelete('Rebuild'));
        assert.ok(await client.mailboxCreate('Rebuild'));
        for (const m of [raw('found'), raw('twice'), raw('twice'), raw('changed', 'Hello, with more words.'), raw('new')]) assert.ok(await client.append('Rebuild', m));
        const rebuilt = await client.status('Rebuild', { uidValidity: true });
        assert.ok(rebuilt);
        assert.notEqual(rebuilt.uidValidity, validityBefore, 'Dovecot gave the folder a new UIDVALIDITY');
      } finally {
        await client.logout().catch(() => {});
      }

      const report = await postmaster().fetch(account.id);
      assert.deepEqual(report.errors, []);
      const receipts = await receiptsOf(account.id);
      const old = new Map(receipts.filter((r) => r.sourceKey.includes(`:${validityBefore}:`)).map((r) => [r.sourceKey, r]));
      assert.equal(old.size, 4);
      const outcomes = [...old.values()].map((r) => `${r.actionDone} ${r.actionOutcome}`);
      // In the order delivered: found, twice, changed, gone.
      assert.deepEqual(outcomes, ['true removed', 'true message-ambiguous', 'true message-not-found', 'true message-not-found']);

      const stored = await storedMessages(app.strapi, account.name);
      // Deleted by its pending action before the listing: not handed on again.
      assert.equal(countOf(stored, 'found'), 1, '"found" handed on once');
      // The rest of the rebuilt folder is new to the plugin (RFC 3501 gives no way to tell): see docs.
      assert.equal(countOf(stored, 'twice'), 3);
      assert.equal(countOf(stored, 'changed'), 2);
      assert.equal(countOf(stored, 'gone'), 1);
      assert.equal(countOf(stored, 'new'), 1);

      // The admin sees what was not applied, and why, in the activity log.
      const activity = await admin.get(`/mail-auth/activity?kind=inbound.action-not-applied&subjectType=inbound-account&subjectId=${account.id}`);
      assert.equal(activity.status, 200);
      const entries = activity.body.results as { outcome: string; code: string; message: string; details: { messages: { messageId: string }[] } }[];
      assert.deepEqual(entries.map((e) => e.code).sort(), ['MESSAGE_AMBIGUOUS', 'MESSAGE_NOT_FOUND']);
      assert.ok(entries.every((e) => e.outcome === 'failure'));
      const notFound = entries.find((e) => e.code === 'MESSAGE_NOT_FOUND')!;
      assert.deepEqual(notFound.details.messages.map((m) => m.messageId).sort(), [messageId('changed'), messageId('gone')]);
      assert.match(notFound.message, /delete.*not applied to 2 message\(s\).*UIDVALIDITY/);
      const again = await postmaster().fetch(account.id);
      assert.deepEqual(again, { fetched: 0, skipped: 0, errors: [] }, 'nothing pending, nothing new');
    } finally {
      await proxy.stop();
    }
  });

  test('POP3: a UIDL given again to a new message after the mailbox was recreated is fetched; a pending deletion is not applied to the new message under its UIDL', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: dc.ports.pop3 });
    const Pop3Command = (await import('node-pop3')).default;
    const uidls = async () => {
      const pop3 = new Pop3Command({ host: dc.host, port: dc.ports.pop3, user: POP3_USER, password: PASSWORD });
      const list = (await pop3.UIDL()) as unknown as [string, string][];
      await pop3.QUIT();
      return list.map(([, uidl]) => uidl);
    };
    try {
      const account = await createAccount(admin, {
        name: 'pop3 reused',
        type: 'pop3',
        host: '127.0.0.1',
        port: proxy.port,
        login: POP3_USER,
        password: PASSWORD,
        actionAfterFetch: 'delete',
      });
      for (const tag of ['first-1', 'first-2']) await dc.deliver(POP3_USER, raw(tag));
      assert.deepEqual(await uidls(), ['1', '2']);
      assert.equal((await postmaster().fetch(account.id)).fetched, 2);
      assert.deepEqual(await uidls(), [], 'deleted at QUIT');

      // Recreated: UIDs start over, and so do the UIDLs.
      dc.removeMailStore(POP3_USER);
      for (const tag of ['second-1', 'second-2', 'second-3']) await dc.deliver(POP3_USER, raw(tag));
      assert.deepEqual(await uidls(), ['1', '2', '3'], 'Dovecot gives UIDLs 1 and 2 again');
      // The third is recorded and marked with DELE; the QUIT reaches the server (which deletes
      // it) but its answer is lost: its deletion stays pending.
      proxy.cutOnClient = { pattern: /^QUIT/m, forward: true };
      const cut = await postmaster().fetch(account.id);
      proxy.cutOnClient = undefined;
      assert.equal(cut.fetched, 3, 'UIDLs 1 and 2 name new messages');
      assert.equal(cut.errors.length, 1);
      assert.deepEqual(await uidls(), [], 'the server completed the QUIT');
      assert.equal((await receiptsOf(account.id)).filter((r) => !r.actionDone).length, 3, 'three deletions pending as far as the plugin knows');
      // A pending deletion whose message is gone is done, and known gone.
      assert.deepEqual(await postmaster().fetch(account.id), { fetched: 0, skipped: 0, errors: [] });

      // Recreated again, before the plugin saw the third gone? Do that with a pending one:
      // the message under UIDL 1 is recorded, its deletion lost with the QUIT's answer...
      dc.removeMailStore(POP3_USER);
      await dc.deliver(POP3_USER, raw('third-1'));
      proxy.cutOnClient = { pattern: /^QUIT/m, forward: true };
      assert.equal((await postmaster().fetch(account.id)).fetched, 1);
      proxy.cutOnClient = undefined;
      // ... and the mailbox recreated at once: UIDL 1 names another message now.
      dc.removeMailStore(POP3_USER);
      for (const tag of ['fourth-1', 'fourth-2']) await dc.deliver(POP3_USER, raw(tag));
      assert.deepEqual(await uidls(), ['1', '2']);
      const report = await postmaster().fetch(account.id);
      assert.deepEqual(report.errors, []);
      assert.equal(report.fetched, 2, 'fourth-1 is not deleted as third-1 was meant to be: it is handed on');
      assert.deepEqual(await uidls(), []);

      const stored = await storedMessages(app.strapi, account.name);
      const tags = ['first-1', 'first-2', 'second-1', 'second-2', 'second-3', 'third-1', 'fourth-1', 'fourth-2'];
      assert.deepEqual(stored.map((m) => m.messageId).sort(), tags.map(messageId).sort(), 'each message once');
      const receipts = await receiptsOf(account.id);
      assert.equal(receipts.length, tags.length);
      assert.ok(receipts.every((r) => r.actionDone && r.actionOutcome === 'removed'), JSON.stringify(receipts));
      assert.deepEqual(await postmaster().fetch(account.id), { fetched: 0, skipped: 0, errors: [] });
    } finally {
      await proxy.stop();
    }
  });
});
