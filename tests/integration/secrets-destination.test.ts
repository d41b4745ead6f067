import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { testDatabaseKind } from '../helpers/database';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { storedSecrets, TOKEN_UID } from '../helpers/tokens';
import { transferApi } from '../helpers/transfer';

/**
 * Secrets are bound to where they are sent (validation/destination.ts): changing a token's issuer,
 * endpoints or tenant, or an account's type, host, port or security mode, needs the secret again
 * in the same request, and an import that does so without the secret clears it.
 */

const INBOUND_UID = 'plugin::mail-auth.inbound-account';
const OUTBOUND_UID = 'plugin::mail-auth.outbound-account';
const SECRET = 'client-secret-bound-1';

describe(`secrets bound to their destination (${testDatabaseKind()})`, () => {
  let app: TestStrapi;
  let admin: AdminClient;
  const { exportYaml, importOk } = transferApi(() => admin);
  const secrets = () => app.strapi.plugin('mail-auth').service('secrets');

  before(async () => {
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
  });

  /** A generic token with a client secret and a stored grant (as after Generate tokens). */
  async function grantedToken(name: string) {
    const res = await admin.post('/mail-auth/tokens', {
      name, template: 'generic', clientId: `id-${name}`, clientSecret: SECRET, issuer: 'https://idp.example',
      authorizationEndpoint: 'https://idp.example/authorize', tokenEndpoint: 'https://idp.example/token', scope: 'mail offline_access',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await app.strapi.db.query(TOKEN_UID).update({
      where: { id: res.body.id },
      data: {
        accessToken: secrets().encrypt('access-of-idp', 'oauth-token.accessToken'), accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
        refreshToken: secrets().encrypt('refresh-of-idp', 'oauth-token.refreshToken'), status: 'valid', grantedBy: 'alice@example.test',
      },
    });
    return res.body.id as number;
  }

  test('a token: another token endpoint, issuer or authorization endpoint needs the client secret again, and drops the grant', async () => {
    const id = await grantedToken('bound token');
    for (const change of [{ tokenEndpoint: 'https://elsewhere.example/token' }, { issuer: 'https://elsewhere.example' }, { authorizationEndpoint: 'https://elsewhere.example/authorize' }]) {
      const refused = await admin.put(`/mail-auth/tokens/${id}`, change);
      assert.equal(refused.status, 400, JSON.stringify(change));
      const [error] = refused.body.error.details.errors;
      assert.deepEqual(error.path, ['clientSecret']);
      assert.match(error.message, /is needed again: \w+ \(https:\/\/idp\.example.* → https:\/\/elsewhere\.example.*\) changes, and a stored secret is never sent to a new destination; enter it again, or set it to null/);
    }
    // refused: nothing changed, the grant is still there
    assert.equal((await storedSecrets(app.strapi, id)).refreshToken, 'refresh-of-idp');

    // a change elsewhere keeps everything
    const kept = await admin.put(`/mail-auth/tokens/${id}`, { description: 'only the description', tokenEndpoint: 'https://idp.example/token' });
    assert.equal(kept.status, 200);
    assert.deepEqual(kept.body.clearedSecrets, []);
    assert.equal(kept.body.hasRefreshToken, true);

    const moved = await admin.put(`/mail-auth/tokens/${id}`, { tokenEndpoint: 'https://elsewhere.example/token', clientSecret: 'secret-of-elsewhere' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body.clearedSecrets, ['accessToken', 'refreshToken']);
    assert.equal(moved.body.status, 'not-authorized');
    assert.equal(moved.body.hasRefreshToken, false);
    assert.equal(moved.body.hasAccessToken, false);
    assert.equal(moved.body.grantedBy, null);
    const stored = await storedSecrets(app.strapi, id);
    assert.deepEqual([stored.accessToken, stored.refreshToken, stored.clientSecret], [undefined, undefined, 'secret-of-elsewhere']);

    // removing the secret on purpose (null) is allowed too
    const removed = await admin.put(`/mail-auth/tokens/${id}`, { tokenEndpoint: 'https://third.example/token', clientSecret: null });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.hasClientSecret, false);
    const activity = await app.strapi.db.query('plugin::mail-auth.activity').findMany({ where: { subjectId: id, kind: 'token.updated' } });
    assert.ok(activity.some((a: { details?: { clearedSecrets?: string[] } }) => a.details?.clearedSecrets?.includes('refreshToken')));
  });

  test('an inbound account: another type, host or port needs the password again; OAuth2 sign-in drops it', async () => {
    const created = await admin.post('/mail-auth/inbound-accounts', { name: 'bound inbox', type: 'imaps', host: 'mail.example.test', port: 993, login: 'alice', password: 'imap-pass-1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    for (const change of [{ host: 'evil.example' }, { port: 1993 }, { type: 'imap-starttls' }]) {
      const refused = await admin.put(`/mail-auth/inbound-accounts/${id}`, change);
      assert.equal(refused.status, 400, JSON.stringify(change));
      assert.deepEqual(refused.body.error.details.errors.map((e: { path: string[] }) => e.path), [['password']]);
      assert.match(refused.body.error.details.errors[0].message, /is needed again: (host|port|type) \(.* → .*\) changes, and a stored secret is never sent to a new destination/);
    }
    // the same destination spelled again, or another field: kept
    const same = await admin.put(`/mail-auth/inbound-accounts/${id}`, { host: 'mail.example.test', port: 993, folder: 'Support' });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal(same.body.hasPassword, true);
    const moved = await admin.put(`/mail-auth/inbound-accounts/${id}`, { host: 'new.example.test', password: 'imap-pass-2' });
    assert.equal(moved.status, 200);
    assert.deepEqual(moved.body.clearedSecrets, []);
    const row = await app.strapi.db.query(INBOUND_UID).findOne({ where: { id } });
    assert.equal(secrets().open(row.password, 'inbound-account.password'), 'imap-pass-2');
  });

  test('an outbound account: another host, port or security mode needs the password again', async () => {
    const created = await admin.post('/mail-auth/outbound-accounts', {
      name: 'bound sender', type: 'smtp', host: 'smtp.example.test', port: 465, security: 'tls', authentication: 'password', username: 'alice', password: 'smtp-pass-1', fromAddress: 'alice@example.test',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    for (const change of [{ host: 'evil.example' }, { port: 2465 }, { security: 'starttls' }]) {
      const refused = await admin.put(`/mail-auth/outbound-accounts/${id}`, change);
      assert.equal(refused.status, 400, JSON.stringify(change));
      assert.deepEqual(refused.body.error.details.errors.map((e: { path: string[] }) => e.path), [['password']]);
    }
    // signing in no more: the password is not kept for a later switch back
    const open = await admin.put(`/mail-auth/outbound-accounts/${id}`, { host: 'relay.example.test', useAuthentication: false });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    assert.deepEqual(open.body.clearedSecrets, ['password']);
    assert.equal(open.body.hasPassword, false);
    assert.equal((await app.strapi.db.query(OUTBOUND_UID).findOne({ where: { id } })).password, null);
  });

  test('an import that changes the host without a password clears it; a token endpoint without a secret clears the secret and the grant', async () => {
    const token = await grantedToken('imported bound token');
    const created = await admin.post('/mail-auth/inbound-accounts', { name: 'imported bound inbox', type: 'imaps', host: 'mail.example.test', port: 993, login: 'bob', password: 'imap-pass-3' });
    assert.equal(created.status, 201);
    const yaml = await exportYaml('?names=imported%20bound%20inbox,imported%20bound%20token');
    assert.doesNotMatch(yaml, /imap-pass-3|client-secret-bound/);
    const moved = yaml.replace(/Host: mail\.example\.test/, 'Host: evil.example').replace(/https:\/\/idp\.example\/token/g, 'https://evil.example/token');
    assert.notEqual(moved, yaml);
    const unchanged = await importOk(yaml, { overwrite: true });
    assert.equal(unchanged.updated.length, 0, 'the same file changes nothing, secrets included');
    assert.equal((await storedSecrets(app.strapi, token)).clientSecret, SECRET);

    const report = await importOk(moved, { overwrite: true });
    assert.deepEqual(report.updated.map((u) => u.name).sort(), ['imported bound inbox', 'imported bound token']);
    const problems = Object.fromEntries(report.needsConfiguration.map((n) => [n.name, n.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')]));
    assert.match(problems['imported bound inbox'], /Password: is needed again: host \(mail\.example\.test → evil\.example\) changes.*the stored one was cleared/);
    assert.match(problems['imported bound token'], /ClientSecret: is needed again: tokenEndpoint/);
    const account = await app.strapi.db.query(INBOUND_UID).findOne({ where: { id: created.body.id } });
    assert.equal(account.host, 'evil.example');
    assert.equal(account.password, null);
    const stored = await storedSecrets(app.strapi, token);
    assert.deepEqual([stored.clientSecret, stored.accessToken, stored.refreshToken], [undefined, undefined, undefined]);
    assert.equal(stored.row.tokenEndpoint, 'https://evil.example/token');
  });

  test('credentials over plain text: refused except to loopback or with allowInsecureAuth, at save and when connecting', async () => {
    const plain = { type: 'imap', login: 'alice', password: 'plain-pass', pollInterval: 300 };
    const refused = await admin.post('/mail-auth/inbound-accounts', { ...plain, name: 'plain imap', host: 'mail.example.test' });
    assert.equal(refused.status, 400);
    const [error] = refused.body.error.details.errors;
    assert.deepEqual(error.path, ['type']);
    assert.match(error.message, /sends the credentials unencrypted to mail\.example\.test: choose IMAPS \(TLS\) or IMAP with STARTTLS, or set allowInsecureAuth/);
    const pop = await admin.post('/mail-auth/inbound-accounts', { ...plain, type: 'pop3', name: 'plain pop3', host: '10.0.0.5' });
    assert.deepEqual(pop.body.error.details.errors.map((e: { path: string[] }) => e.path), [['type']]);
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const local = await admin.post('/mail-auth/inbound-accounts', { ...plain, name: `plain to ${host}`, host });
      assert.equal(local.status, 201, `${host}: ${JSON.stringify(local.body)}`);
    }
    const allowed = await admin.post('/mail-auth/inbound-accounts', { ...plain, name: 'plain allowed', host: 'legacy.example.test', allowInsecureAuth: true });
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    assert.equal(allowed.body.allowInsecureAuth, true);

    const smtp = { type: 'smtp', host: 'smtp.example.test', port: 25, security: 'none', authentication: 'password', username: 'u', password: 'p', fromAddress: 'a@example.test' };
    const smtpRefused = await admin.post('/mail-auth/outbound-accounts', { ...smtp, name: 'plain smtp' });
    assert.equal(smtpRefused.status, 400);
    assert.deepEqual(smtpRefused.body.error.details.errors.map((e: { path: string[] }) => e.path), [['security']]);
    assert.match(smtpRefused.body.error.details.errors[0].message, /unencrypted to smtp\.example\.test: choose the security mode starttls/);
    assert.equal((await admin.post('/mail-auth/outbound-accounts', { ...smtp, name: 'plain relay', useAuthentication: false, password: undefined })).status, 201, 'no credentials: nothing to protect');
    assert.equal((await admin.post('/mail-auth/outbound-accounts', { ...smtp, name: 'plain smtp allowed', allowInsecureAuth: true })).status, 201);

    // a row stored before the rule (or written past it) is refused when it would connect
    await app.strapi.db.query(INBOUND_UID).update({ where: { id: allowed.body.id }, data: { allowInsecureAuth: false } });
    const fetched = await admin.post(`/mail-auth/inbound-accounts/${allowed.body.id}/fetch`);
    assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
    assert.equal(fetched.body.errors[0]?.code, 'VALIDATION');
    assert.match(fetched.body.errors[0].message, /type sends the credentials unencrypted to legacy\.example\.test/);
    const outboundRow = await app.strapi.db.query(OUTBOUND_UID).findOne({ where: { name: 'plain smtp allowed' } });
    await app.strapi.db.query(OUTBOUND_UID).update({ where: { id: outboundRow.id }, data: { allowInsecureAuth: false } });
    const sent = await admin.post(`/mail-auth/outbound-accounts/${outboundRow.id}/test`, { to: 'b@example.test' });
    assert.equal(sent.status, 400, JSON.stringify(sent.body));
    assert.match(sent.body.error.message, /security none sends the credentials unencrypted to smtp\.example\.test/);
    assert.deepEqual(sent.body.error.details.errors.map((e: { path: string[] }) => e.path), [['security']]);
  });

  test('allowedHosts / deniedNetworks: admin-supplied hosts and URLs refused at save, and rows saved before refused when connecting', async () => {
    // saved while there is no policy
    const inbox = await admin.post('/mail-auth/inbound-accounts', { name: 'policy inbox', type: 'imaps', host: '127.0.0.1', port: 9, login: 'a', password: 'policy-pass' });
    assert.equal(inbox.status, 201, JSON.stringify(inbox.body));
    const sender = await admin.post('/mail-auth/outbound-accounts', { name: 'policy sender', type: 'smtp', host: '127.0.0.1', port: 9, security: 'tls', authentication: 'password', username: 'a', password: 'p', fromAddress: 'a@example.test' });
    assert.equal(sender.status, 201, JSON.stringify(sender.body));
    app.strapi.config.set('plugin::mail-auth.deniedNetworks', ['private']);
    try {
      const metadata = await admin.post('/mail-auth/tokens', { name: 'metadata', template: 'generic', clientId: 'x', tokenEndpoint: 'https://169.254.169.254/token', authorizationEndpoint: 'https://idp.example.test/authorize', scope: 'mail' });
      assert.equal(metadata.status, 400);
      assert.deepEqual(metadata.body.error.details.errors.map((e: { path: string[] }) => e.path), [['tokenEndpoint']]);
      assert.match(metadata.body.error.details.errors[0].message, /names a host the plugin may not connect to: 169\.254\.169\.254 is an address in the plugin's deniedNetworks/);
      const internal = await admin.post('/mail-auth/inbound-accounts', { name: 'internal', type: 'imaps', host: '10.1.2.3', login: 'a', password: 'p' });
      assert.equal(internal.status, 400);
      assert.deepEqual(internal.body.error.details.errors.map((e: { path: string[] }) => e.path), [['host']]);
      const smtp = await admin.put(`/mail-auth/outbound-accounts/${sender.body.id}`, { host: '192.168.1.10', password: 'p2' });
      assert.equal(smtp.status, 400);
      assert.deepEqual(smtp.body.error.details.errors.map((e: { path: string[] }) => e.path), [['host']]);

      // saved before: refused when it would connect, before any connection is made
      const fetched = await admin.post(`/mail-auth/inbound-accounts/${inbox.body.id}/fetch`);
      assert.equal(fetched.body.errors[0]?.code, 'VALIDATION', JSON.stringify(fetched.body));
      assert.match(fetched.body.errors[0].message, /not connecting, 127\.0\.0\.1 is an address in the plugin's deniedNetworks/);
      const sent = await admin.post(`/mail-auth/outbound-accounts/${sender.body.id}/test`, { to: 'b@example.test' });
      assert.match(JSON.stringify(sent.body), /not connecting, 127\.0\.0\.1 is an address in the plugin's deniedNetworks/);

      // an import obeys the same rule: the whole document is refused, naming the entry and field
      const yaml = [
        '- Kind: InboundAccount',
        '  Name: imported internal',
        '  Config: { Type: imaps, Host: 10.1.2.3, Login: a, Password: p }',
        '- Name: imported metadata',
        '  Config: { ClientID: x, Scope: mail, Requests: { TokenByClientCredentials: { Request: { URL: "https://169.254.169.254/token" } } } }',
        '',
      ].join('\n');
      const imported = await admin.post('/mail-auth/import', { yaml });
      assert.equal(imported.status, 400, JSON.stringify(imported.body));
      const issues = imported.body.error.details.errors.map((e: { path: string[]; message: string }) => `${e.path.join('.')}: ${e.message}`);
      assert.ok(issues.some((i: string) => /Host: names a host the plugin may not connect to: 10\.1\.2\.3/.test(i)), issues.join('\n'));
      assert.ok(issues.some((i: string) => /URL: names a host the plugin may not connect to: 169\.254\.169\.254/.test(i)), issues.join('\n'));

      app.strapi.config.set('plugin::mail-auth.deniedNetworks', undefined);
      app.strapi.config.set('plugin::mail-auth.allowedHosts', ['*.example.test']);
      const elsewhere = await admin.post('/mail-auth/inbound-accounts', { name: 'elsewhere', type: 'imaps', host: 'mail.evil.example', login: 'a', password: 'p' });
      assert.match(elsewhere.body.error.details.errors[0].message, /mail\.evil\.example is not among the plugin's allowedHosts \(\*\.example\.test\)/);
      assert.equal((await admin.post('/mail-auth/inbound-accounts', { name: 'allowed', type: 'imaps', host: 'mail.example.test', login: 'a', password: 'p' })).status, 201);
    } finally {
      app.strapi.config.set('plugin::mail-auth.deniedNetworks', undefined);
      app.strapi.config.set('plugin::mail-auth.allowedHosts', undefined);
    }
  });
});
