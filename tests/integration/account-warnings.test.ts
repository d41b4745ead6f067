import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { createAccount } from '../helpers/inbound';
import { ALICE, authorizedToken } from '../helpers/outbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { freePort } from '../servers/ports';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

type Warned = { warnings: Array<{ code: string; field: string; message: string; advice: string }> };
const codes = (account: Warned) => account.warnings.map((w) => w.code);

/**
 * The warnings no other helpdesk gives, on the accounts as the API shows them and beside Test &
 * confirm's steps: password sign-in at Microsoft 365, and a token granted (through the real code
 * flow at oidc-provider) by another user than the mailbox the account serves.
 */
describe(`account warnings (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  let aliceToken: number;

  before(async () => {
    op = await startOAuthServer();
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    aliceToken = await authorizedToken(admin, op, app.url, 'granted-by-alice', { user: ALICE });
    assert.equal((await admin.get(`/mail-auth/tokens/${aliceToken}`)).body.grantedBy, ALICE);
  });
  after(async () => {
    await app?.stop();
    await op?.stop();
  });

  test('password sign-in at Microsoft 365 is warned of on inbound and outbound accounts, and not elsewhere', async () => {
    const imap = await createAccount(admin, { name: 'm365 imap password', type: 'imaps', host: 'outlook.office365.com', port: 993, login: 'support@contoso.test', password: 'pw' });
    assert.deepEqual(codes(imap as Warned), ['MICROSOFT_BASIC_AUTH']);
    assert.match((imap as Warned).warnings[0].message, /outlook\.office365\.com is Microsoft 365/);
    const other = await createAccount(admin, { name: 'other imap password', type: 'imaps', host: 'imap.example.test', port: 993, login: 'support@example.test', password: 'pw' });
    assert.deepEqual(codes(other as Warned), []);

    const smtp = await admin.post('/mail-auth/outbound-accounts', {
      name: 'm365 smtp password',
      type: 'smtp',
      host: 'smtp.office365.com',
      security: 'starttls',
      authentication: 'password',
      username: 'support@contoso.test',
      password: 'pw',
      fromAddress: 'support@contoso.test',
    });
    assert.equal(smtp.status, 201, JSON.stringify(smtp.body));
    assert.deepEqual(codes(smtp.body), ['MICROSOFT_BASIC_AUTH']);
    assert.match(smtp.body.warnings[0].message, /SMTP AUTH is being retired/);
    // Switched to OAuth 2.0, the warning goes (and the list shows the same as the account).
    const switched = await admin.put(`/mail-auth/outbound-accounts/${smtp.body.id}`, { authentication: 'oauth2', oauthToken: aliceToken, fromAddress: ALICE });
    assert.equal(switched.status, 200, JSON.stringify(switched.body));
    assert.deepEqual(codes(switched.body), []);
    const listed = (await admin.get('/mail-auth/outbound-accounts')).body.results.find((a: { id: number }) => a.id === smtp.body.id);
    assert.deepEqual(codes(listed), []);
  });

  test('a token granted by alice on bob\'s mailbox is warned of, unless the account says it is a shared mailbox', async () => {
    const port = await freePort(); // nothing listens: Test & confirm fails at connect, quickly
    const inbound = { type: 'imap', host: '127.0.0.1', port, authentication: 'oauth2', oauthToken: aliceToken };
    const bob = await createAccount(admin, { name: 'bob via alice', login: 'bob@example.test', ...inbound });
    assert.deepEqual(codes(bob as Warned), ['GRANTOR_NOT_MAILBOX']);
    assert.match((bob as Warned).warnings[0].message, /granted by alice@example\.test, but this account reads bob@example\.test/);
    const own = await createAccount(admin, { name: 'alice herself', login: ALICE, ...inbound });
    assert.deepEqual(codes(own as Warned), []);
    const shared = await createAccount(admin, { name: 'bob shared', login: ALICE, mailbox: 'bob@example.test', ...inbound });
    assert.deepEqual(codes(shared as Warned), []);

    // Test & confirm repeats it beside its steps, whether or not the test passes.
    const tested = await admin.post(`/mail-auth/inbound-accounts/${bob.id}/test`);
    assert.equal(tested.status, 200, JSON.stringify(tested.body));
    assert.equal(tested.body.ok, false);
    assert.deepEqual(codes(tested.body), ['GRANTOR_NOT_MAILBOX']);

    const sendAs = await admin.post('/mail-auth/outbound-accounts', {
      name: 'send as bob',
      type: 'smtp',
      host: '127.0.0.1',
      port,
      security: 'none',
      authentication: 'oauth2',
      oauthToken: aliceToken,
      fromAddress: 'bob@example.test',
    });
    assert.equal(sendAs.status, 201, JSON.stringify(sendAs.body));
    assert.deepEqual(codes(sendAs.body), ['GRANTOR_NOT_MAILBOX']);
    assert.match(sendAs.body.warnings[0].message, /sends as bob@example\.test/);
    const outTest = await admin.post(`/mail-auth/outbound-accounts/${sendAs.body.id}/test`, { to: 'someone@example.test' });
    assert.equal(outTest.status, 200, JSON.stringify(outTest.body));
    assert.deepEqual(codes(outTest.body), ['GRANTOR_NOT_MAILBOX']);

    const marked = await admin.put(`/mail-auth/outbound-accounts/${sendAs.body.id}`, { sharedMailbox: true });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(marked.body.sharedMailbox, true);
    assert.deepEqual(codes(marked.body), []);
  });
});
