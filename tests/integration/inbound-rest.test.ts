// Databases: sqlite. This file tests the Graph and Gmail REST behaviour; what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { assertParsedLike, authorizedToken, createAccount, fetchNow, storedMessages } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { TOKEN_UID } from '../helpers/tokens';
import { fixtureMessages } from '../fixtures/messages';
import { startGmailServer, type GmailServer } from '../servers/gmail-server';
import { startGraphServer, type GraphServer } from '../servers/graph-server';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const SHARED = 'support@example.test';
const portOf = (url: string) => Number(new URL(url).port);
const simple = (subject: string, i = 0) =>
  `From: Customer <c${i}@example.org>\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${i}@example.org>\r\nDate: ${new Date(Date.now() - 3_600_000 + i * 1000).toUTCString()}\r\n\r\nBody ${i}\r\n`;

describe(`Graph and Gmail inbound accounts against the local stand-ins (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let graph: GraphServer;
  let gmail: GmailServer;
  let admin: AdminClient;
  let aliceToken: number;
  let bobToken: number;

  before(async () => {
    op = await startOAuthServer();
    const verifyToken = async (token: string) => {
      const r = await op.introspect(token);
      return { active: r.active, email: r.email };
    };
    graph = await startGraphServer({ verifyToken, delegations: { [SHARED]: [BOB] } });
    gmail = await startGmailServer({ verifyToken });
    // Gmail accounts take the plugin's gmailBaseUrl; Graph accounts name their host (both ways work)
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_GMAIL_BASE_URL: gmail.url } });
    app.strapi.config.set('plugin::mail-auth.maxRetryAfter', 5);
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    aliceToken = await authorizedToken(admin, app.url, op, 'alice-rest', ALICE);
    bobToken = await authorizedToken(admin, app.url, op, 'bob-rest', BOB);
  });
  after(async () => {
    await app?.stop();
    await Promise.all([graph?.stop(), gmail?.stop()]);
    await op?.stop();
  });

  const graphAccount = (name: string, extra: Record<string, unknown> = {}) =>
    createAccount(admin, { name, type: 'microsoft-graph', host: '127.0.0.1', port: portOf(graph.url), authentication: 'oauth2', oauthToken: aliceToken, mailbox: ALICE, ...extra });
  const gmailAccount = (name: string, extra: Record<string, unknown> = {}) =>
    createAccount(admin, { name, type: 'gmail-api', authentication: 'oauth2', oauthToken: aliceToken, ...extra });

  test('Graph: messages come as MIME ($value), are stored correctly and marked read; a second run finds nothing new', async () => {
    const folder = graph.addFolder(ALICE, 'Graph fixtures');
    void folder;
    const fixtures = fixtureMessages('graph');
    for (const f of fixtures) graph.addMessage(ALICE, f.raw, 'Graph fixtures');
    const account = await graphAccount('graph mark-seen', { folder: 'Graph fixtures' });
    assert.deepEqual(await fetchNow(admin, account.id), { fetched: 4, skipped: 0, errors: [] });
    const stored = await storedMessages(app.strapi, account.name);
    stored.forEach((m, i) => assertParsedLike(m, fixtures[i].expect));
    assert.ok(graph.messages(ALICE, 'Graph fixtures').every((m) => m.isRead));
    assert.ok(graph.requests.some((r) => /\/mailFolders\/[^/]+\/messages\/delta/.test(r.path)), 'delta query');
    assert.ok(graph.requests.filter((r) => r.path.endsWith('/$value')).length >= 4, 'MIME via $value');
    const again = await fetchNow(admin, account.id);
    assert.equal(again.fetched, 0);
    assert.deepEqual(again.errors, []);
    graph.addMessage(ALICE, simple('graph late'), 'Graph fixtures');
    assert.equal((await fetchNow(admin, account.id)).fetched, 1);
  });

  test('Graph: 60 messages, 25 per poll: the delta cursor continues where the limit stopped, nothing lost or doubled', async () => {
    graph.addFolder(ALICE, 'Bulk');
    for (let i = 0; i < 60; i++) graph.addMessage(ALICE, simple('bulk', i), 'Bulk');
    const account = await graphAccount('graph bulk', { folder: 'Bulk', actionAfterFetch: 'keep', maxMessagesPerPoll: 25 });
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push((await fetchNow(admin, account.id)).fetched);
    assert.deepEqual(counts, [25, 25, 10, 0]);
    const stored = await storedMessages(app.strapi, account.name);
    assert.equal(new Set(stored.map((m) => m.messageId)).size, 60);
  });

  test('Graph: delete and move act on the server', async () => {
    graph.addFolder(ALICE, 'Del');
    graph.addFolder(ALICE, 'Mv');
    graph.addFolder(ALICE, 'Done');
    for (let i = 0; i < 3; i++) {
      graph.addMessage(ALICE, simple('del', i), 'Del');
      graph.addMessage(ALICE, simple('mv', i), 'Mv');
    }
    const del = await graphAccount('graph delete', { folder: 'Del', actionAfterFetch: 'delete' });
    const mv = await graphAccount('graph move', { folder: 'Mv', actionAfterFetch: 'move', moveTo: 'Done' });
    assert.equal((await fetchNow(admin, del.id)).fetched, 3);
    assert.equal((await fetchNow(admin, mv.id)).fetched, 3);
    assert.equal(graph.messages(ALICE, 'Del').length, 0);
    assert.equal(graph.messages(ALICE, 'Mv').length, 0);
    assert.deepEqual(graph.messages(ALICE, 'Done').map((m) => m.subject).sort(), ['mv', 'mv', 'mv']);
  });

  test('Graph: a shared mailbox opens with a delegate\'s token; without the delegation the advice says Add-MailboxPermission', async () => {
    graph.addMessage(SHARED, simple('to the shared mailbox'));
    const shared = await graphAccount('graph shared', { oauthToken: bobToken, mailbox: SHARED });
    assert.deepEqual(await fetchNow(admin, shared.id), { fetched: 1, skipped: 0, errors: [] });
    assert.equal((await storedMessages(app.strapi, shared.name))[0].subject, 'to the shared mailbox');

    const refused = await graphAccount('graph not delegated', { oauthToken: aliceToken, mailbox: SHARED });
    const report = await fetchNow(admin, refused.id);
    assert.equal(report.errors[0].code, 'MAILBOX_ACCESS_DENIED');
    assert.match(report.errors[0].advice!, /Add-MailboxPermission -Identity "support@example.test"/);
    const view = (await admin.get(`/mail-auth/inbound-accounts/${refused.id}`)).body;
    assert.equal(view.lastError.code, 'MAILBOX_ACCESS_DENIED');
  });

  test('Graph: 429 with Retry-After is waited out; a token Graph refuses (401) is renewed once and the call tried again', async () => {
    graph.addFolder(ALICE, 'Throttled');
    graph.addMessage(ALICE, simple('throttled'), 'Throttled');
    const account = await graphAccount('graph throttled', { folder: 'Throttled' });
    graph.throttleNext(2, 1);
    const started = Date.now();
    assert.deepEqual(await fetchNow(admin, account.id), { fetched: 1, skipped: 0, errors: [] });
    assert.ok(Date.now() - started >= 1900, 'waited twice for Retry-After: 1');
    assert.equal(graph.requests.filter((r) => r.status === 429).length >= 2, true);

    // A stored token that looks valid but that the server no longer accepts.
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    await app.strapi.db.query(TOKEN_UID).update({ where: { id: aliceToken }, data: { accessToken: secrets.encrypt('revoked-at-the-provider', 'oauth-token.accessToken'), accessTokenExpiresAt: new Date(Date.now() + 3_600_000) } });
    graph.addMessage(ALICE, simple('after 401'), 'Throttled');
    op.resetCounters();
    const renewed = await fetchNow(admin, account.id);
    // skipped: the first message shows up in the delta again, changed by our own mark-seen
    assert.deepEqual([renewed.fetched, renewed.errors], [1, []]);
    assert.equal(op.counters.token.refresh_token, 1, 'renewed exactly once');
    assert.ok(graph.requests.some((r) => r.status === 401));
  });

  test('Gmail: format=raw messages are stored correctly; mark-seen drops UNREAD; later runs read history from the cursor', async () => {
    const fixtures = fixtureMessages('gmail');
    for (const f of fixtures) gmail.addMessage(ALICE, f.raw);
    const account = await gmailAccount('gmail mark-seen');
    assert.deepEqual(await fetchNow(admin, account.id), { fetched: 4, skipped: 0, errors: [] });
    const stored = await storedMessages(app.strapi, account.name);
    // the API lists newest first; the PostMaster hands on oldest first
    assert.deepEqual(stored.map((m) => m.subject), fixtures.map((f) => f.expect.subject));
    stored.forEach((m, i) => assertParsedLike(m, fixtures[i].expect));
    assert.ok(gmail.messages(ALICE, 'INBOX').every((m) => !m.labelIds.includes('UNREAD')));
    assert.ok(gmail.requests.some((r) => r.path.includes('format=raw')));

    gmail.addMessage(ALICE, simple('gmail late'));
    const before = gmail.requests.length;
    assert.equal((await fetchNow(admin, account.id)).fetched, 1);
    const since = gmail.requests.slice(before).map((r) => r.path);
    assert.ok(since.some((p) => p.includes('/history?')), 'history read');
    assert.ok(!since.some((p) => /\/messages\?/.test(p)), 'no full listing');
    assert.equal((await storedMessages(app.strapi, account.name)).at(-1).subject, 'gmail late');
  });

  test('Gmail: expired history falls back to a full listing without handing anything on twice', async () => {
    const account = (await admin.get('/mail-auth/inbound-accounts?search=gmail%20mark-seen')).body.results[0];
    gmail.addMessage(ALICE, simple('after expiry'));
    gmail.expireHistory(ALICE);
    gmail.addMessage(ALICE, simple('after expiry 2'));
    const report = await fetchNow(admin, account.id);
    assert.equal(report.fetched, 2);
    assert.deepEqual(report.errors, []);
    const subjects = (await storedMessages(app.strapi, account.name)).map((m) => m.subject);
    assert.equal(subjects.length, new Set(subjects).size, 'no duplicates');
  });

  test('Gmail: delete trashes, move swaps the label, 429 is waited out', async () => {
    const bob = await gmailAccount('gmail bob delete', { oauthToken: bobToken, actionAfterFetch: 'delete' });
    for (let i = 0; i < 2; i++) gmail.addMessage(BOB, simple('bob del', i));
    gmail.throttleNext(1, 1);
    assert.equal((await fetchNow(admin, bob.id)).fetched, 2);
    assert.deepEqual(gmail.messages(BOB, 'INBOX'), []);
    assert.equal(gmail.messages(BOB, 'TRASH').length, 2);

    const done = gmail.addLabel(ALICE, 'Done');
    const support = gmail.addLabel(ALICE, 'Support');
    for (let i = 0; i < 2; i++) gmail.addMessage(ALICE, simple('labelled', i), [support, 'UNREAD']);
    const mv = await gmailAccount('gmail move', { folder: 'Support', actionAfterFetch: 'move', moveTo: 'Done' });
    assert.equal((await fetchNow(admin, mv.id)).fetched, 2);
    assert.deepEqual(gmail.messages(ALICE, support), []);
    assert.equal(gmail.messages(ALICE, done).length, 2);
  });

  test('Gmail: another user\'s mailbox is refused with advice', async () => {
    const account = await gmailAccount('gmail foreign', { mailbox: BOB });
    const report = await fetchNow(admin, account.id);
    assert.equal(report.errors[0].code, 'MAILBOX_ACCESS_DENIED');
    assert.match(report.errors[0].advice!, /own mailbox/);
  });
});
