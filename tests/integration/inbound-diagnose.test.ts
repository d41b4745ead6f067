// Databases: sqlite. This file tests Test & confirm's connection diagnoses; what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { authorizedToken, createAccount } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { TOKEN_UID } from '../helpers/tokens';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { startGraphServer, type GraphServer } from '../servers/graph-server';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { freePort } from '../servers/ports';
import { skipSuiteWithout } from '../servers/require-binary';

const ALICE = 'alice@example.test';

interface Report {
  ok: boolean;
  steps: { name: string; ok: boolean; ms: number; detail?: string }[];
  advice?: string;
  code?: string;
}

describe(`Test & confirm of inbound accounts (${process.env.TEST_DB ?? 'sqlite'})`, { skip: skipSuiteWithout(DOVECOT, 'Dovecot') }, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let dc: DovecotServer;
  let graph: GraphServer;
  let admin: AdminClient;
  let aliceToken: number;

  before(async () => {
    op = await startOAuthServer();
    dc = await startDovecot({ oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient } });
    graph = await startGraphServer({ verifyToken: async (t) => ({ active: (await op.introspect(t)).active, email: (await op.introspect(t)).email }) });
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '2' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    aliceToken = await authorizedToken(admin, app.url, op, 'alice-diagnose', ALICE);
    await dc.createFolder(ALICE, 'Support');
    for (let i = 0; i < 3; i++) await dc.deliver(ALICE, `From: a@example.org\r\nSubject: s${i}\r\n\r\nx\r\n`);
  });
  after(async () => {
    await app?.stop();
    await dc?.stop();
    await graph?.stop();
    await op?.stop();
  });

  let n = 0;
  const imapAccount = (extra: Record<string, unknown>) =>
    createAccount(admin, { name: `diag ${++n}`, type: 'imaps', host: '127.0.0.1', port: dc.ports.imaps, login: ALICE, password: 'alicepass', trustedCertificate: dc.caPem, ...extra });

  const testAccount = async (id: number): Promise<Report> => {
    const res = await admin.post(`/mail-auth/inbound-accounts/${id}/test`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const failedStep = (r: Report) => r.steps.find((s) => !s.ok)?.name;
  const view = async (id: number) => (await admin.get(`/mail-auth/inbound-accounts/${id}`)).body;

  test('right settings (IMAPS, password): every step passes with its time, and the account is confirmed', async () => {
    const account = await imapAccount({});
    const report = await testAccount(account.id);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.steps.map((s) => s.name), ['connect', 'tls', 'authenticate', 'open folder', 'count messages']);
    assert.ok(report.steps.every((s) => s.ok && Number.isInteger(s.ms) && s.ms >= 0));
    assert.match(report.steps[1].detail!, /TLSv1\.[23], certificate for localhost issued by mail-auth test CA/);
    assert.match(report.steps[4].detail!, /3 message\(s\) in INBOX, 3 unread/);
    assert.equal(report.advice, undefined);
    const v = await view(account.id);
    assert.equal(v.confirmed, true);
    assert.ok(v.confirmedAt);
    // a change of connection settings takes the confirmation back
    assert.equal((await admin.put(`/mail-auth/inbound-accounts/${account.id}`, { folder: 'Support' })).body.confirmed, false);
  });

  test('right settings with a token (STARTTLS, OAUTHBEARER) start with the access token step; move target is checked', async () => {
    const account = await imapAccount({ type: 'imap-starttls', port: dc.ports.imap, authentication: 'oauth2', oauthToken: aliceToken, password: undefined, actionAfterFetch: 'move', moveTo: 'Support' });
    const report = await testAccount(account.id);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.steps.map((s) => s.name), ['access token', 'connect', 'tls', 'authenticate', 'open folder', 'count messages', 'find folder to move to']);
    assert.match(report.steps[3].detail!, /alice-diagnose/);
  });

  test('wrong password: authenticate fails, with advice; the account is not confirmed and keeps the error', async () => {
    const account = await imapAccount({ password: 'wrong' });
    const report = await testAccount(account.id);
    assert.equal(report.ok, false);
    assert.equal(failedStep(report), 'authenticate');
    assert.equal(report.code, 'AUTH_FAILED');
    assert.match(report.advice!, /refused the user name or password for "alice@example\.test"/);
    const v = await view(account.id);
    assert.equal(v.confirmed, false);
    assert.equal(v.lastError.code, 'AUTH_FAILED');
    assert.equal(v.lastError.advice, report.advice);
  });

  test('wrong port (nothing listens): connect fails and says to check host and port', async () => {
    const account = await imapAccount({ port: await freePort() });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'connect');
    assert.equal(report.code, 'CONNECTION_FAILED');
    assert.match(report.advice!, /Check the host and the port \(IMAP: 143 for plain\/STARTTLS, 993 for TLS\)/);
    assert.equal(report.steps.length, 1);
  });

  test('TLS to a plain-text port: the tls step fails and says the port speaks plain text', async () => {
    const account = await imapAccount({ port: dc.ports.imap });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'tls', JSON.stringify(report));
    assert.equal(report.code, 'TLS_MISMATCH');
    assert.match(report.advice!, new RegExp(`Port ${dc.ports.imap} answers in plain text, not TLS`));
  });

  test('plain text to a TLS port: no greeting, and the advice says the port expects TLS', async () => {
    const account = await imapAccount({ type: 'imap', port: dc.ports.imaps });
    const report = await testAccount(account.id);
    assert.equal(report.code, 'TLS_MISMATCH', JSON.stringify(report));
    assert.match(report.advice!, /expects TLS from the first byte/);
  });

  test('untrusted certificate: the tls step names it and advises; with validation off the test passes (and says so)', async () => {
    const account = await imapAccount({ trustedCertificate: null });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'tls');
    assert.equal(report.code, 'CERT_UNTRUSTED');
    assert.match(report.steps[1].detail!, /not trusted/);
    assert.match(report.advice!, /into the account's trusted certificate/);
    assert.match(report.advice!, /switch certificate validation off/);

    const lax = await imapAccount({ certificateValidation: false, trustedCertificate: null });
    const ok = await testAccount(lax.id);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.match(ok.steps[1].detail!, /not validated: certificate validation is off/);
  });

  test('missing folder: open folder fails and lists the folders there are', async () => {
    const account = await imapAccount({ folder: 'Tickets' });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'open folder');
    assert.equal(report.code, 'FOLDER_MISSING');
    assert.match(report.advice!, /Folders on the server: .*INBOX/);
    assert.match(report.advice!, /Support/);
  });

  test('missing folder to move to: its own step fails', async () => {
    const account = await imapAccount({ actionAfterFetch: 'move', moveTo: 'Archive-2030' });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'find folder to move to');
    assert.equal(report.code, 'FOLDER_MISSING');
  });

  test('a token the server refuses for another user\'s mailbox: AUTH_FAILED with the advice about the token\'s user', async () => {
    const account = await imapAccount({ authentication: 'oauth2', oauthToken: aliceToken, password: undefined, login: ALICE, mailbox: 'bob@example.test' });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'authenticate');
    assert.equal(report.code, 'AUTH_FAILED');
    assert.match(report.advice!, /must be the user the token was granted to \(or a mailbox that user may open\)/);
  });

  test('a token that must be authorized again stops at the access token step, with advice', async () => {
    const token = await authorizedToken(admin, app.url, op, 'to-revoke', ALICE);
    await app.strapi.db.query(TOKEN_UID).update({ where: { id: token }, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });
    op.failTokenEndpoint('invalid_grant', 1);
    const account = await imapAccount({ authentication: 'oauth2', oauthToken: token, password: undefined });
    const report = await testAccount(account.id);
    assert.equal(failedStep(report), 'access token');
    assert.equal(report.code, 'REAUTHORIZATION_REQUIRED');
    assert.match(report.advice!, /Generate tokens/);
    assert.deepEqual(report.steps.map((s) => s.name), ['access token']);
  });

  test('POP3: right settings, wrong password, and POP3S to the plain port', async () => {
    const pop = (extra: Record<string, unknown>) =>
      createAccount(admin, { name: `diag pop ${++n}`, type: 'pop3s', host: '127.0.0.1', port: dc.ports.pop3s, login: ALICE, password: 'alicepass', trustedCertificate: dc.caPem, ...extra });
    const good = await testAccount((await pop({})).id);
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.deepEqual(good.steps.map((s) => s.name), ['connect', 'tls', 'authenticate', 'open folder', 'count messages']);
    assert.match(good.steps[4].detail!, /3 message\(s\)/);
    const wrong = await testAccount((await pop({ password: 'nope' })).id);
    assert.equal(wrong.code, 'AUTH_FAILED');
    const plainPort = await testAccount((await pop({ port: dc.ports.pop3 })).id);
    assert.equal(plainPort.code, 'TLS_MISMATCH');
    assert.equal(failedStep(plainPort), 'tls');
  });

  test('Graph: right settings, then a folder that does not exist', async () => {
    graph.addMessage(ALICE, 'Subject: hi\r\n\r\nx\r\n');
    const account = await createAccount(admin, { name: 'diag graph', type: 'microsoft-graph', host: '127.0.0.1', port: Number(new URL(graph.url).port), authentication: 'oauth2', oauthToken: aliceToken, folder: 'inbox' });
    const ok = await testAccount(account.id);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.deepEqual(ok.steps.map((s) => s.name), ['access token', 'authenticate', 'open folder', 'count messages']);
    assert.match(ok.steps[3].detail!, /1 message\(s\) in Inbox, 1 unread/);
    await admin.put(`/mail-auth/inbound-accounts/${account.id}`, { folder: 'Tickets' });
    const missing = await testAccount(account.id);
    assert.equal(failedStep(missing), 'open folder');
    assert.equal(missing.code, 'FOLDER_MISSING');
    assert.match(missing.advice!, /Inbox/);
  });

  test('Test & confirm is in the activity log with each step\'s outcome', async () => {
    const res = await admin.get('/mail-auth/activity?kind=inbound-account.tested&pageSize=100');
    assert.ok(res.body.results.length >= 10);
    assert.ok(res.body.results.some((a: any) => a.outcome === 'success'));
    const failed = res.body.results.find((a: any) => a.outcome === 'failure');
    assert.ok(failed.details.steps.some((s: any) => s.ok === false));
  });
});
