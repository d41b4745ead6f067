import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { ACCOUNT_UID, createAccount } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';

const PASSWORD = 'imap-Password-7f3a9c';

describe(`Inbound accounts API (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let admin: AdminClient;
  let outsider: AdminClient;
  let tokenId: number;
  const output: string[] = [];
  const restore: Array<() => void> = [];

  before(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    app.strapi.log.level = 'debug';
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
    const token = await admin.post('/mail-auth/tokens', {
      name: 'helpdesk-token',
      template: 'generic',
      clientId: 'client',
      clientSecret: 'secret',
      tokenEndpoint: 'http://127.0.0.1:9/token',
      authorizationEndpoint: 'http://127.0.0.1:9/auth',
      scope: 'mail',
    });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    tokenId = token.body.id;
  });
  after(async () => {
    restore.forEach((r) => r());
    await app?.stop();
  });

  test('presets fill the form with the issue\'s six account kinds, and the types say what each allows', async () => {
    const res = await admin.get('/mail-auth/inbound-accounts/presets');
    assert.equal(res.status, 200);
    const byName = Object.fromEntries(res.body.presets.map((p: any) => [p.name, p]));
    assert.deepEqual(Object.keys(byName).sort(), [
      'Gmail (API)',
      'Gmail (IMAP, OAuth 2.0)',
      'IMAP (password)',
      'Microsoft 365 (Graph)',
      'Microsoft 365 (IMAP, OAuth 2.0)',
      'POP3 (password)',
    ]);
    assert.deepEqual(byName['Microsoft 365 (IMAP, OAuth 2.0)'].values, { type: 'imaps', host: 'outlook.office365.com', port: 993, authentication: 'oauth2', folder: 'INBOX' });
    assert.ok(byName['Microsoft 365 (IMAP, OAuth 2.0)'].tokenTemplates.includes('microsoft'));
    assert.equal(byName['Gmail (IMAP, OAuth 2.0)'].values.host, 'imap.gmail.com');
    assert.deepEqual(byName['Gmail (IMAP, OAuth 2.0)'].tokenTemplates, ['google']);
    const types = Object.fromEntries(res.body.types.map((t: any) => [t.type, t]));
    assert.equal(Object.keys(types).length, 8);
    assert.equal(types.pop3s.defaultPort, 995);
    assert.deepEqual(types.pop3.actions, ['delete', 'keep']);
    assert.equal(types['microsoft-graph'].password, false);
  });

  test('create: password is write-only (hasPassword), defaults per type, and the stored password is encrypted', async () => {
    const created = await createAccount(admin, { name: 'support-imap', type: 'imaps', host: 'mail.example.test', login: 'support@example.test', password: PASSWORD, queue: 'Support' });
    assert.equal(created.hasPassword, true);
    assert.equal(created.port, 993, 'default port of IMAPS');
    assert.equal(created.folder, 'INBOX');
    assert.equal(created.actionAfterFetch, 'mark-seen');
    assert.equal(created.confirmed, false);
    assert.equal(created.queue, 'Support');
    assert.equal(created.password, undefined);
    assert.ok(!JSON.stringify(created).includes(PASSWORD));

    const row = await app.strapi.db.query(ACCOUNT_UID).findOne({ where: { id: created.id } });
    assert.ok(row.password && !row.password.includes(PASSWORD), 'stored sealed');
    assert.equal(app.strapi.plugin('mail-auth').service('secrets').decrypt(row.password, 'inbound-account.password'), PASSWORD);

    const pop = await createAccount(admin, { name: 'support-pop', type: 'pop3s', host: 'pop.example.test', login: 'support', password: 'x' });
    assert.equal(pop.port, 995);
    assert.equal(pop.folder, null, 'POP3 has no folders');
    assert.equal(pop.actionAfterFetch, 'keep');

    const graph = await createAccount(admin, { name: 'support-graph', type: 'microsoft-graph', authentication: 'oauth2', oauthToken: tokenId, mailbox: 'support@example.test' });
    assert.equal(graph.host, 'graph.microsoft.com');
    assert.equal(graph.port, 443);
    assert.deepEqual({ id: graph.oauthToken.id, name: graph.oauthToken.name }, { id: tokenId, name: 'helpdesk-token' });
    assert.equal(graph.hasPassword, false);

    const byName = await createAccount(admin, { name: 'gmail-by-token-name', type: 'gmail-api', authentication: 'oauth2', oauthToken: 'helpdesk-token' });
    assert.equal(byName.oauthToken.id, tokenId, 'a token may be named instead of numbered');
  });

  test('update keeps a password that is not sent, resets confirmation on connection changes, and resets cursors on a new folder', async () => {
    const created = await createAccount(admin, { name: 'to-edit', type: 'imaps', host: 'mail.example.test', login: 'edit', password: 'first' });
    await app.strapi.db.query(ACCOUNT_UID).update({ where: { id: created.id }, data: { confirmed: true, imapUidValidity: '42', imapLastUid: 17 } });
    const renamed = await admin.put(`/mail-auth/inbound-accounts/${created.id}`, { name: 'edited', queue: 'Sales' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.confirmed, true, 'name and queue do not touch the connection');
    assert.equal(renamed.body.hasPassword, true);
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    const stored = async () => app.strapi.db.query(ACCOUNT_UID).findOne({ where: { id: created.id } });
    assert.equal(secrets.decrypt((await stored()).password, 'inbound-account.password'), 'first');

    const moved = await admin.put(`/mail-auth/inbound-accounts/${created.id}`, { folder: 'Support', password: 'second' });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.confirmed, false);
    assert.deepEqual(moved.body.state, { imapUidValidity: null, imapLastUid: null, hasSyncCursor: false });
    assert.equal(secrets.decrypt((await stored()).password, 'inbound-account.password'), 'second');

    const noPassword = await admin.put(`/mail-auth/inbound-accounts/${created.id}`, { password: '' });
    assert.equal(noPassword.status, 400, 'password authentication needs a password');
    assert.deepEqual(noPassword.body.error.details.errors.map((e: any) => e.path[0]), ['password']);
  });

  test('bad input: 400 naming the field, and nothing is stored', async () => {
    const count = () => app.strapi.db.query(ACCOUNT_UID).count();
    const before = await count();
    const base = { type: 'imaps', host: 'mail.example.test', login: 'u', password: 'p' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, name: 'bad-type', type: 'exchange' }, 'type'],
      [{ ...base, name: 'bad-port', port: 70000 }, 'port'],
      [{ ...base, name: 'zero-port', port: 0 }, 'port'],
      [{ ...base, name: 'text-port', port: '993' }, 'port'],
      [{ ...base, name: 'oauth-no-token', authentication: 'oauth2', password: undefined }, 'oauthToken'],
      [{ ...base, name: 'oauth-unknown-token', authentication: 'oauth2', oauthToken: 99999 }, 'oauthToken'],
      [{ ...base, name: 'no-host', host: undefined }, 'host'],
      [{ ...base, name: 'no-login', login: undefined }, 'login'],
      [{ ...base, name: 'no-password', password: undefined }, 'password'],
      [{ ...base, type: 'microsoft-graph', host: undefined, name: 'graph-password' }, 'authentication'],
      [{ ...base, type: 'pop3s', name: 'pop-move', actionAfterFetch: 'move', moveTo: 'Done' }, 'actionAfterFetch'],
      [{ ...base, type: 'pop3', name: 'pop-folder', folder: 'Support' }, 'folder'],
      [{ ...base, name: 'move-nowhere', actionAfterFetch: 'move' }, 'moveTo'],
      [{ ...base, name: 'bad-action', actionAfterFetch: 'archive' }, 'actionAfterFetch'],
      [{ ...base, name: 'bad-host', host: 'not a host!' }, 'host'],
      [{ ...base, name: 'bad-mailbox', mailbox: 'shared' }, 'mailbox'],
      [{ ...base, name: 'fast-poll', pollInterval: 5 }, 'pollInterval'],
      [{ ...base, name: 'app-scope', scope: 'application' }, 'application'],
      [{ ...base, name: 'bad-certificate', trustedCertificate: 'not a certificate' }, 'trustedCertificate'],
      [{ ...base, name: 'typo', foldr: 'INBOX' }, 'foldr'],
      [{ ...base, name: '' }, 'name'],
      [{ ...base, name: 'support-imap' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/mail-auth/inbound-accounts', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.name, 'ValidationError');
      const paths = res.body.error.details.errors.map((e: { path: string[] }) => e.path[0]);
      assert.ok(paths.includes(field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(res.body.error.details.errors)}`);
    }
    assert.equal(await count(), before);
    const missing = await admin.get('/mail-auth/inbound-accounts/999999');
    assert.equal(missing.status, 404);
  });

  test('DELETE of a token in use answers 409 naming the accounts; free again once they let go', async () => {
    const token = await admin.post('/mail-auth/tokens', {
      name: 'in-use',
      template: 'generic',
      clientId: 'c2',
      tokenEndpoint: 'http://127.0.0.1:9/token',
      authorizationEndpoint: 'http://127.0.0.1:9/auth',
      scope: 'mail',
    });
    const a = await createAccount(admin, { name: 'uses-token-a', type: 'imaps', host: 'mail.example.test', login: 'a@example.test', authentication: 'oauth2', oauthToken: token.body.id });
    const b = await createAccount(admin, { name: 'uses-token-b', type: 'gmail-api', authentication: 'oauth2', oauthToken: token.body.id });
    const refused = await admin.delete(`/mail-auth/tokens/${token.body.id}`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /uses-token-a/);
    assert.match(refused.body.error.message, /uses-token-b/);
    assert.deepEqual(refused.body.error.details.errors.map((e: any) => e.message).sort(), ['uses-token-a', 'uses-token-b']);
    assert.equal((await admin.get(`/mail-auth/tokens/${token.body.id}`)).status, 200, 'still there');

    const switched = await admin.put(`/mail-auth/inbound-accounts/${a.id}`, { authentication: 'password', password: 'p' });
    assert.equal(switched.status, 200, JSON.stringify(switched.body));
    assert.equal(switched.body.oauthToken, null);
    assert.equal((await admin.delete(`/mail-auth/inbound-accounts/${b.id}`)).status, 200);
    assert.equal((await admin.delete(`/mail-auth/tokens/${token.body.id}`)).status, 200);
  });

  test('the message content type is in the Content Manager; accounts and receipts are not', async () => {
    const res = await admin.get('/content-manager/content-types');
    assert.equal(res.status, 200);
    const displayed = (uid: string) => res.body.data.find((c: any) => c.uid === uid)?.isDisplayed;
    assert.equal(displayed('plugin::mail-auth.message'), true);
    assert.equal(displayed('plugin::mail-auth.inbound-account'), false);
    assert.equal(displayed('plugin::mail-auth.inbound-receipt'), false);
  });

  test('RBAC: every inbound route answers 403 without its permission; a reader reads but neither tests nor fetches', async () => {
    const id = (await admin.get('/mail-auth/inbound-accounts')).body.results[0].id;
    const calls: Array<[string, string]> = [
      ['GET', '/mail-auth/inbound-accounts/presets'],
      ['GET', '/mail-auth/inbound-accounts'],
      ['POST', '/mail-auth/inbound-accounts'],
      ['GET', `/mail-auth/inbound-accounts/${id}`],
      ['PUT', `/mail-auth/inbound-accounts/${id}`],
      ['DELETE', `/mail-auth/inbound-accounts/${id}`],
      ['POST', `/mail-auth/inbound-accounts/${id}/test`],
      ['POST', `/mail-auth/inbound-accounts/${id}/fetch`],
    ];
    for (const [method, path] of calls) {
      const res = await outsider.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    const role = await createRole(app.strapi, `Inbound readers ${Date.now()}`, ['plugin::mail-auth.read']);
    const reader = await AdminClient.login(app.url, await createAdmin(app.strapi, [role]));
    assert.equal((await reader.get('/mail-auth/inbound-accounts')).status, 200);
    assert.equal((await reader.get(`/mail-auth/inbound-accounts/${id}`)).status, 200);
    assert.equal((await reader.post(`/mail-auth/inbound-accounts/${id}/test`)).status, 403);
    assert.equal((await reader.post(`/mail-auth/inbound-accounts/${id}/fetch`)).status, 403);
    assert.equal((await reader.put(`/mail-auth/inbound-accounts/${id}`, { queue: 'x' })).status, 403);
  });

  test('activity records who created, changed and deleted accounts', async () => {
    const res = await admin.get('/mail-auth/activity?subjectType=inbound-account&pageSize=100');
    assert.equal(res.status, 200);
    const kinds = new Set(res.body.results.map((a: { kind: string }) => a.kind));
    for (const kind of ['inbound-account.created', 'inbound-account.updated', 'inbound-account.deleted']) assert.ok(kinds.has(kind), kind);
    assert.match(res.body.results[0].actor, /@example\.test/);
  });

  test('secrets: no password in clear in rows, API answers or the log output', async () => {
    const rows = JSON.stringify(await app.strapi.db.connection('mail_auth_inbound_accounts').select('*'));
    const list = JSON.stringify((await admin.get('/mail-auth/inbound-accounts?pageSize=100')).body);
    const activity = JSON.stringify(await app.strapi.db.connection('mail_auth_activities').select('*'));
    const logs = output.join('');
    for (const secret of [PASSWORD, 'second']) {
      assert.ok(!rows.includes(secret), 'password in clear in the accounts table');
      assert.ok(!list.includes(secret), 'password in an API answer');
      assert.ok(!activity.includes(secret), 'password in the activity log');
      assert.ok(!logs.includes(secret), 'password in the log output');
    }
    for (const account of JSON.parse(list).results) assert.ok(!('password' in account), 'no password field in the answer');
  });
});
