// Databases: sqlite. A test of what survives a SIGKILL between a mail server's answer, the database write and the
// action on the server; the writes themselves (receipts unique per account and key) run on every database in
// inbound-exactly-once and inbound-postmaster.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { ACCOUNT_UID, MESSAGE_UID, RECEIPT_UID, authorizedToken, createAccount, imapFlags } from '../helpers/inbound';
import { startRefreshChild, type RefreshChild } from '../helpers/refresh-child-process';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startGmailServer, type GmailServer } from '../servers/gmail-server';
import { startGraphServer, type GraphServer } from '../servers/graph-server';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { skipSuiteWithout } from '../servers/require-binary';

/**
 * Fetches killed at a random moment: each round a child process (tests/helpers/refresh-child.ts)
 * boots Strapi on the shared database and fetches an IMAP, a POP3, a Graph and a Gmail account
 * side by side (as the poll job does), all with `delete` after fetch and new mail waiting; it is
 * killed with SIGKILL at a moment drawn uniformly from the length of a recent complete round, so
 * the kill falls among real work: commands in flight to Dovecot and the stand-ins, messages being
 * parsed, receipts and entries being committed, DELE/EXPUNGE/DELETE/trash on their way. Mail keeps
 * arriving between rounds. After the last round, fetches in this process until every server is
 * empty; then, from the database: every message appended to a source is stored exactly once (by
 * account and Message-ID), has exactly one receipt, and no action is left pending.
 *
 *   FETCH_CRASH_ROUNDS   rounds (one kill each, one fetch run of each protocol); CI default 6,
 *                        docs/reliability.md has a run of 100
 */
const int = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number, not "${process.env[name]}"`);
  return v;
};
const ROUNDS = int('FETCH_CRASH_ROUNDS', 6);
const LEASE_SECONDS = 5;
const PROGRESS_EVERY = 10;
const SETTINGS = { MAIL_AUTH_LEASE_SECONDS: String(LEASE_SECONDS), MAIL_AUTH_HTTP_TIMEOUT: '2', MAIL_AUTH_MAIL_TIMEOUT: '3' };
const IMAP_USER = 'crash-imap@example.test';
const POP3_USER = 'crash-pop3@example.test';
const REST_USER = 'crash-rest@example.test';
const PASSWORD = 'crashpass';
const PROTOCOLS = ['imap', 'pop3', 'graph', 'gmail'] as const;
type Protocol = (typeof PROTOCOLS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fetches killed at a random moment hand every message on exactly once', { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer;
  let graph: GraphServer;
  let gmail: GmailServer;
  let admin: AdminClient;
  let env: Record<string, string>;

  before(async () => {
    op = await startOAuthServer();
    const verifyToken = async (token: string) => {
      const r = await op.introspect(token);
      return { active: r.active, email: r.email };
    };
    dc = await startDovecot({ oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient }, users: { [IMAP_USER]: PASSWORD, [POP3_USER]: PASSWORD } });
    graph = await startGraphServer({ verifyToken });
    gmail = await startGmailServer({ verifyToken });
    env = { ...SETTINGS, MAIL_AUTH_GMAIL_BASE_URL: gmail.url };
    app = await startStrapi({ env });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await (await nextChild?.catch(() => undefined))?.kill();
    await app?.stop();
    await Promise.all([graph?.stop(), gmail?.stop(), dc?.stop()]);
    await op?.stop();
  });

  let nextChild: Promise<RefreshChild> | undefined;
  const child = () => {
    const ready = nextChild ?? startRefreshChild(app.database, env);
    // The next round's process boots while this round's leases run out.
    nextChild = startRefreshChild(app.database, env);
    nextChild.catch(() => undefined);
    return ready;
  };

  const message = (protocol: Protocol, i: number) =>
    `From: Sender <s@example.org>\r\nTo: crash@example.test\r\nSubject: ${protocol} ${i}\r\nMessage-ID: <${protocol}-${i}@crash.example.org>\r\n` +
    `Date: ${new Date().toUTCString()}\r\n\r\n${'A line of text in the body. '.repeat(40 + ((i * 37) % 400))}\r\n`;

  test(`${ROUNDS} kills, each during fetches of IMAP, POP3, Graph and Gmail accounts: 0 lost, 0 twice`, { skip: ROUNDS === 0 }, async () => {
    const started = Date.now();
    await dc.createFolder(IMAP_USER, 'Crash');
    graph.addFolder(REST_USER, 'Crash');
    op.addUser(REST_USER);
    const token = await authorizedToken(admin, app.url, op, 'crash-rest', REST_USER);
    const common = { actionAfterFetch: 'delete', maxMessagesPerPoll: 12 };
    const accounts: Record<Protocol, { id: number; name: string }> = {
      imap: await createAccount(admin, { name: 'crash imap', type: 'imap', host: '127.0.0.1', port: dc.ports.imap, login: IMAP_USER, password: PASSWORD, folder: 'Crash', ...common }),
      pop3: await createAccount(admin, { name: 'crash pop3', type: 'pop3', host: '127.0.0.1', port: dc.ports.pop3, login: POP3_USER, password: PASSWORD, ...common }),
      graph: await createAccount(admin, {
        name: 'crash graph',
        type: 'microsoft-graph',
        host: '127.0.0.1',
        port: Number(new URL(graph.url).port),
        authentication: 'oauth2',
        oauthToken: token,
        mailbox: REST_USER,
        folder: 'Crash',
        ...common,
      }),
      gmail: await createAccount(admin, { name: 'crash gmail', type: 'gmail-api', authentication: 'oauth2', oauthToken: token, ...common }),
    };
    const delivered: Record<Protocol, number> = { imap: 0, pop3: 0, graph: 0, gmail: 0 };
    const deliver: Record<Protocol, (raw: string) => Promise<unknown> | unknown> = {
      imap: (raw) => dc.deliver(IMAP_USER, raw, 'Crash'),
      pop3: (raw) => dc.deliver(POP3_USER, raw),
      graph: (raw) => graph.addMessage(REST_USER, raw, 'Crash'),
      gmail: (raw) => gmail.addMessage(REST_USER, raw),
    };
    const Pop3Command = (await import('node-pop3')).default;
    const remaining: Record<Protocol, () => Promise<number>> = {
      imap: async () => (await imapFlags(dc, IMAP_USER, PASSWORD, 'Crash')).length,
      pop3: async () => {
        const pop3 = new Pop3Command({ host: dc.host, port: dc.ports.pop3, user: POP3_USER, password: PASSWORD });
        const [count] = (await pop3.STAT()).split(' ').map(Number);
        await pop3.QUIT();
        return count;
      },
      graph: async () => graph.messages(REST_USER, 'Crash').length,
      gmail: async () => gmail.messages(REST_USER, 'INBOX').length,
    };
    const arrive = async (protocol: Protocol, n: number) => {
      for (let i = 0; i < n; i++) await deliver[protocol](message(protocol, delivered[protocol]++));
    };
    const pending = (protocol: Protocol) => app.strapi.db.query(RECEIPT_UID).count({ where: { accountId: accounts[protocol].id, actionDone: false } });
    const leasesExpired = async () => {
      while ((await app.strapi.db.query(ACCOUNT_UID).count({ where: { leaseUntil: { $gte: new Date() } } })) > 0) await sleep(200);
    };
    const ids = PROTOCOLS.map((p) => accounts[p].id);
    for (const p of PROTOCOLS) await arrive(p, 20);

    // A complete round, unkilled: how long each fetch takes. A kill is drawn from the span of
    // the slowest, so that it can fall anywhere in every run (and after the quicker ones ended).
    const calibrate = await child();
    const calibrateStart = await calibrate.go(ids);
    await calibrate.runEnded;
    await calibrate.kill();
    /** How long a run of each protocol takes now (ms), as far as the rounds tell. */
    const runLength = Object.fromEntries(PROTOCOLS.map((p) => [p, (calibrate.fetchesEnded.get(accounts[p].id)!.at as number) - calibrateStart])) as Record<Protocol, number>;
    const span = () => Math.round(Math.max(...PROTOCOLS.map((p) => runLength[p])) * 1.1);
    let runMs = span();
    const fetchedUnkilled = [...calibrate.fetchesEnded.values()].reduce((n, e) => n + Number(e.fetched ?? 0), 0);

    // Per protocol: runs the kill fell in (started, not ended), and kills that left a recorded
    // message's action pending (between the commit and the action's completion on the server).
    const stats = Object.fromEntries(PROTOCOLS.map((p) => [p, { killedInRun: 0, leftPending: 0, endedBeforeKill: 0, failedRuns: 0 }])) as Record<
      Protocol,
      { killedInRun: number; leftPending: number; endedBeforeKill: number; failedRuns: number }
    >;
    /** The longest run of each protocol that ended before its kill (ms). */
    const longest: Record<Protocol, number> = { imap: 0, pop3: 0, graph: 0, gmail: 0 };
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of PROTOCOLS) await arrive(p, Math.floor(Math.random() * 7));
      const victim = await child();
      const t0 = await victim.go(ids);
      await sleep(Math.random() * runMs);
      const killedAt = Date.now() - t0;
      const ended = new Map(victim.fetchesEnded);
      await victim.kill();
      kills++;
      for (const p of PROTOCOLS) {
        const end = ended.get(accounts[p].id);
        // The machine's load changes: a run that ended tells its length now; one still going
        // past its supposed length is longer than that.
        if (end) runLength[p] = (end.at as number) - t0;
        else if (killedAt > runLength[p]) runLength[p] = Math.round(killedAt * 1.2);
      }
      runMs = span();
      for (const p of PROTOCOLS) {
        const end = ended.get(accounts[p].id);
        if (end) {
          longest[p] = Math.max(longest[p], (end.at as number) - t0);
          stats[p].endedBeforeKill++;
          if ((end.errors as string[] | undefined)?.length || end.error) stats[p].failedRuns++;
        } else stats[p].killedInRun++;
        if ((await pending(p)) > 0) stats[p].leftPending++;
      }
      if ((round + 1) % PROGRESS_EVERY === 0 && round + 1 < ROUNDS) console.log(`fetch crash test: ${round + 1} of ${ROUNDS} kills, ${JSON.stringify(stats)}`);
      await leasesExpired();
    }
    await (await nextChild?.catch(() => undefined))?.kill();
    nextChild = undefined;

    // What the children (the killed ones and the first, unkilled round) stored, before the drain.
    const byKilled = Object.fromEntries(
      await Promise.all(PROTOCOLS.map(async (p) => [p, await app.strapi.db.query(MESSAGE_UID).count({ where: { accountId: accounts[p].id } })] as const))
    ) as Record<Protocol, number>;

    // Drain: fetches here, unkilled, until every server is empty and no action is pending.
    const postmaster = app.strapi.plugin('mail-auth').service('postmaster');
    for (const p of PROTOCOLS) {
      for (let i = 0; i < 30 && ((await remaining[p]()) > 0 || (await pending(p)) > 0); i++) {
        const report = await postmaster.fetch(accounts[p].id);
        assert.deepEqual(report.errors, [], `${p}: an unkilled fetch succeeds`);
      }
    }

    const figures: Record<string, unknown> = {};
    for (const p of PROTOCOLS) {
      const stored = (await app.strapi.db.query(MESSAGE_UID).findMany({ where: { accountId: accounts[p].id }, select: ['id', 'messageId'] })) as { id: number; messageId: string }[];
      const receipts = (await app.strapi.db.query(RECEIPT_UID).findMany({ where: { accountId: accounts[p].id }, select: ['messageEntryId', 'actionDone'] })) as {
        messageEntryId: number | null;
        actionDone: boolean;
      }[];
      const messageIds = stored.map((m) => m.messageId);
      const expected = Array.from({ length: delivered[p] }, (_, i) => `<${p}-${i}@crash.example.org>`);
      const twice = messageIds.filter((id, i) => messageIds.indexOf(id) !== i);
      const lost = expected.filter((id) => !messageIds.includes(id));
      assert.deepEqual(twice, [], `${p}: stored twice`);
      assert.deepEqual(lost, [], `${p}: lost`);
      assert.equal(stored.length, delivered[p], `${p}: nothing stored that was not delivered`);
      // One receipt per message, each naming its own entry: handed on once.
      assert.equal(receipts.length, delivered[p], `${p}: one receipt per message`);
      const entryIds = receipts.map((r) => Number(r.messageEntryId));
      assert.equal(new Set(entryIds).size, receipts.length, `${p}: receipts name distinct entries`);
      assert.deepEqual(entryIds.filter((id) => !stored.some((m) => m.id === id)), [], `${p}: every receipt names a stored entry`);
      assert.equal(receipts.filter((r) => !r.actionDone).length, 0, `${p}: no action left pending`);
      assert.equal(await remaining[p](), 0, `${p}: every message deleted on the server in the end`);
      figures[p] = { messages: delivered[p], storedBeforeDrain: byKilled[p], stored: stored.length, lost: lost.length, twice: twice.length, longestRunMs: longest[p], ...stats[p] };
    }
    console.log(
      `fetch crash test: ${kills} kills (kills drawn from ${runMs} ms at the end; the unkilled first round fetched ${fetchedUnkilled}), ` +
        `${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(figures)}`
    );
    // The kills fell where it matters: inside runs, and between a commit and its action.
    const inRun = PROTOCOLS.reduce((n, p) => n + stats[p].killedInRun, 0);
    assert.ok(inRun >= Math.min(ROUNDS, 3), `kills during a run: ${JSON.stringify(stats)}`);
  });
});
