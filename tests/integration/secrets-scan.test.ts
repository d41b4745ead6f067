import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient, type ApiAnswer } from '../helpers/admin';
import { testDatabaseKind } from '../helpers/database';
import { authorizedToken } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { TOKEN_UID } from '../helpers/tokens';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

/**
 * The secret scan: once every kind of entry holds known secrets (client secrets, access and
 * refresh tokens, inbound and outbound passwords, a pending authorization's PKCE verifier, some
 * set through the API, some through an import), none of them occurs in clear in the raw rows of
 * any plugin table, any API answer, the log output, the activity log or a default export. An
 * export with secrets is the positive control: the same search finds them there.
 * Then the key ring: a key change, `rekey`, and the old key dropped; everything still opens.
 */

const CLIENT_SECRET = 'scan-client-secret-Q1w2E3';
const IMAP_PASSWORD = 'scan-imap-password-R4t5Y6';
const SMTP_PASSWORD = 'scan-smtp-password-U7i8O9';
const IMPORTED_SECRET = 'scan-imported-secret-P0a1S2';
const IMPORTED_PASSWORD = 'scan-imported-password-D3f4G5';
const KEY_B = 'the-new-encryption-key-for-the-scan-test';

describe(`secret scan (${testDatabaseKind()})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  const output: string[] = [];
  const answers: string[] = [];
  const restore: Array<() => void> = [];
  let tokenId: number;

  /** Every admin API call of this file, its answer kept for the scan. */
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await admin.request(method, path, body);
    answers.push(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
    return res;
  };

  before(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    op = await startOAuthServer();
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '2' } });
    app.strapi.log.level = 'debug';
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    restore.forEach((r) => r());
    await app?.stop();
    await op?.stop();
  });

  /** The raw rows of every plugin table, link tables included. */
  async function rawRows(): Promise<Record<string, string>> {
    const tables = new Set<string>();
    for (const [uid, meta] of app.strapi.db.metadata as unknown as Map<string, { tableName: string; attributes: Record<string, { joinTable?: { name: string } }> }>) {
      if (!uid.startsWith('plugin::mail-auth.')) continue;
      tables.add(meta.tableName);
      for (const attribute of Object.values(meta.attributes)) if (attribute.joinTable) tables.add(attribute.joinTable.name);
    }
    const rows: Record<string, string> = {};
    for (const table of tables) rows[table] = JSON.stringify(await app.strapi.db.connection(table).select('*'));
    return rows;
  }

  test('every kind of entry with known secrets; none of them in clear anywhere but an export with secrets', async () => {
    // a token through the real code flow (access and refresh token, refreshed once), and one with a known client secret
    tokenId = await authorizedToken(admin, app.url, op, 'scan', 'alice@example.test');
    assert.equal((await call('POST', `/mail-auth/tokens/${tokenId}/refresh`)).status, 200, 'refreshed');
    const withSecret = await call('POST', '/mail-auth/tokens', { name: 'scan secret', template: 'generic', clientId: 'scan-client', clientSecret: CLIENT_SECRET, tokenEndpoint: 'https://idp.example/token', authorizationEndpoint: 'https://idp.example/authorize', scope: 'mail' });
    assert.equal(withSecret.status, 201, JSON.stringify(withSecret.body));
    await call('PUT', `/mail-auth/tokens/${withSecret.body.id}`, { description: 'updated', clientSecret: CLIENT_SECRET });
    // a pending authorization: its PKCE verifier is a secret too
    assert.equal((await call('POST', `/mail-auth/tokens/${tokenId}/authorize`)).status, 200);
    // accounts with passwords; one that fails to connect, so that errors are logged
    const inbound = await call('POST', '/mail-auth/inbound-accounts', { name: 'scan inbox', type: 'imap', host: '127.0.0.1', port: 9, login: 'alice', password: IMAP_PASSWORD });
    assert.equal(inbound.status, 201, JSON.stringify(inbound.body));
    await call('POST', `/mail-auth/inbound-accounts/${inbound.body.id}/fetch`);
    await call('POST', `/mail-auth/inbound-accounts/${inbound.body.id}/test`);
    const outbound = await call('POST', '/mail-auth/outbound-accounts', { name: 'scan sender', type: 'smtp', host: '127.0.0.1', port: 9, security: 'tls', authentication: 'password', username: 'alice', password: SMTP_PASSWORD, fromAddress: 'alice@example.test' });
    assert.equal(outbound.status, 201, JSON.stringify(outbound.body));
    await call('POST', `/mail-auth/outbound-accounts/${outbound.body.id}/test`, { to: 'bob@example.test' });
    // and secrets that come in through an import
    const yaml = [
      '- Name: scan imported',
      '  Config:',
      '    ClientID: imported-client',
      `    ClientSecret: ${IMPORTED_SECRET}`,
      '    Scope: mail',
      '    Requests: { TokenByClientCredentials: { Request: { URL: "https://idp.example/token" } } }',
      '- Kind: InboundAccount',
      '  Name: scan imported inbox',
      `  Config: { Type: imaps, Host: mail.example.test, Login: bob, Password: ${IMPORTED_PASSWORD} }`,
      '',
    ].join('\n');
    assert.equal((await call('POST', '/mail-auth/import', { yaml, dryRun: true })).status, 200);
    assert.equal((await call('POST', '/mail-auth/import', { yaml })).status, 200);
    for (const path of ['/mail-auth/tokens', `/mail-auth/tokens/${tokenId}`, '/mail-auth/inbound-accounts', '/mail-auth/outbound-accounts', `/mail-auth/inbound-accounts/${inbound.body.id}`, `/mail-auth/outbound-accounts/${outbound.body.id}`, '/mail-auth/notifications', '/mail-auth/activity?pageSize=100', '/mail-auth/settings']) {
      assert.equal((await call('GET', path)).status, 200, path);
    }
    const defaultExport = (await call('GET', '/mail-auth/export')).body as string;

    // the secrets in clear, as the plugin itself opens them
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    const token = await app.strapi.db.query(TOKEN_UID).findOne({ where: { id: tokenId } });
    const pending = await app.strapi.db.query('plugin::mail-auth.oauth-authorization').findMany({});
    const known: Record<string, string> = {
      'client secret': CLIENT_SECRET,
      'access token': secrets.decrypt(token.accessToken, 'oauth-token.accessToken', token.documentId),
      'refresh token': secrets.decrypt(token.refreshToken, 'oauth-token.refreshToken', token.documentId),
      'inbound password': IMAP_PASSWORD,
      'outbound password': SMTP_PASSWORD,
      'imported client secret': IMPORTED_SECRET,
      'imported password': IMPORTED_PASSWORD,
      'PKCE verifier': secrets.decrypt(pending[0].codeVerifier, 'oauth-authorization.codeVerifier', pending[0].documentId),
    };
    for (const [what, value] of Object.entries(known)) assert.ok(value && value.length >= 16, `${what} known`);

    const places: Record<string, string> = {
      ...Object.fromEntries(Object.entries(await rawRows()).map(([table, rows]) => [`table ${table}`, rows])),
      'API answers': answers.join('\n'),
      'log output': output.join(''),
      'default export': defaultExport,
    };
    assert.ok(Object.keys(places).some((p) => p.includes('activities')), 'the activity table is scanned');
    const found: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [what, value] of Object.entries(known)) if (text.includes(value)) found.push(`${what} in ${where}`);
    }
    // the positive control: the same search finds every secret where it is meant to be
    const withSecrets = (await admin.get('/mail-auth/export?secrets=include')).body as string;
    for (const [what, value] of Object.entries(known)) {
      if (what !== 'PKCE verifier') assert.ok(withSecrets.includes(value), `${what} in the export with secrets`);
    }
    console.log(`# secret scan: ${Object.keys(known).length} secrets × ${Object.keys(places).length} places (${Object.keys(places).filter((p) => p.startsWith('table')).length} tables), ${found.length} found`);
    assert.deepEqual(found, []);
  });

  test('key change: the old key as previous, rekey rewrites every secret (a value from before the ring too), then the old key can go', async () => {
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    const oldKey = app.strapi.config.get('plugin::mail-auth.encryptionKey') ?? app.strapi.config.get('admin.secrets.encryptionKey');
    assert.ok(oldKey, 'a key is configured');
    // a value as the plugin wrote it before the key ring (ma1: the field as associated data)
    const legacy = (() => {
      const key = Buffer.from(hkdfSync('sha256', oldKey as string, 'strapi-plugin-mail-auth', 'secrets-at-rest-v1', 32));
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from('outbound-account.password'));
      const data = Buffer.concat([cipher.update('written before the ring', 'utf8'), cipher.final()]);
      return ['ma1', iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
    })();
    const sender = await app.strapi.db.query('plugin::mail-auth.outbound-account').findOne({ where: { name: 'scan sender' } });
    await app.strapi.db.query('plugin::mail-auth.outbound-account').update({ where: { id: sender.id }, data: { password: legacy } });
    assert.equal(secrets.decrypt(legacy, 'outbound-account.password', sender.documentId), 'written before the ring');

    const oldId = secrets.currentKeyId();
    const configured = { key: app.strapi.config.get('plugin::mail-auth.encryptionKey'), previous: app.strapi.config.get('plugin::mail-auth.previousEncryptionKeys') };
    app.strapi.config.set('plugin::mail-auth.encryptionKey', KEY_B);
    app.strapi.config.set('plugin::mail-auth.previousEncryptionKeys', [oldKey]);
    try {
      assert.notEqual(secrets.currentKeyId(), oldId);
      // still readable before the rekey
      assert.equal((await admin.get('/mail-auth/export?secrets=include')).status, 200);
      const report = await secrets.rekey();
      const values = Object.values(report).reduce((n, r) => n + r.values, 0);
      const rewritten = Object.values(report).reduce((n, r) => n + r.rewritten, 0);
      assert.ok(values >= 7, JSON.stringify(report));
      assert.equal(rewritten, values, 'every value was under the old key');
      assert.deepEqual(Object.values(await secrets.rekey()).map((r) => r.rewritten), [0, 0, 0, 0], 'a second run has nothing to do');
      console.log(`# rekey: ${rewritten} of ${values} secrets rewritten: ${JSON.stringify(report)}`);

      // the old key dropped: everything opens with the new one alone
      app.strapi.config.set('plugin::mail-auth.previousEncryptionKeys', []);
      const rows = await rawRows();
      assert.ok(!Object.values(rows).join('').includes(`ma2.${oldId}.`), 'no value under the old key');
      assert.ok(!Object.values(rows).join('').includes('"ma1:'), 'no value in the old format');
      const exported = (await admin.get('/mail-auth/export?secrets=include')).body as string;
      for (const value of [CLIENT_SECRET, IMAP_PASSWORD, IMPORTED_PASSWORD, 'written before the ring']) assert.ok(exported.includes(value), value);
      assert.equal((await admin.post(`/mail-auth/tokens/${tokenId}/refresh`)).status, 200, 'the token still refreshes');
    } finally {
      app.strapi.config.set('plugin::mail-auth.encryptionKey', configured.key);
      app.strapi.config.set('plugin::mail-auth.previousEncryptionKeys', configured.previous);
    }
  });
});
