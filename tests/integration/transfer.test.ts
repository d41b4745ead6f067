import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';

import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { testDatabaseKind } from '../helpers/database';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { generateTokens, storedSecrets, TOKEN_UID } from '../helpers/tokens';
import { cliOnOwnDatabase, fuzzImports, mutateLines, prng, transferApi, type Report } from '../helpers/transfer';
import { startGoogleIdentity, type GoogleIdentityServer } from '../servers/google-identity';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'znuny');
const SECRET = 'client-secret-VALUE-4c3b2a';
const fixture = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');

const names = (refs: Array<{ name: string }>) => refs.map((r) => r.name).sort();

describe(`YAML export and import (${testDatabaseKind()})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let google: GoogleIdentityServer;
  let microsoft: MicrosoftIdentityServer;
  let admin: AdminClient;
  let outsider: AdminClient;
  let callback: string;

  const transfer = () => app.strapi.plugin('mail-auth').service('transfer');
  const tokens = () => app.strapi.plugin('mail-auth').service('tokens');
  const db = () => app.strapi.db.query(TOKEN_UID);
  /** Every stored token row, timestamps included: equal means nothing was written. */
  const snapshot = async () => JSON.stringify(await db().findMany({ orderBy: { id: 'asc' } }));
  const removeAll = () => db().deleteMany({});
  const { exportYaml, importYaml, importOk } = transferApi(() => admin);
  const createToken = async (body: Record<string, unknown>) => {
    const res = await admin.post('/mail-auth/tokens', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; name: string };
  };
  const byName = async (name: string) => (await db().findOne({ where: { name } })) as { id: number; [k: string]: unknown };
  const view = async (name: string) => (await admin.get(`/mail-auth/tokens/${(await byName(name)).id}`)).body;

  /** Tokens of every template, created out of order; two of them hold tokens from the OAuth server. */
  const seed = async () => {
    await createToken({ name: 'zeta google', template: 'google', clientId: 'g-client.apps.googleusercontent.com', clientSecret: SECRET });
    await createToken({
      name: 'alpha microsoft',
      template: 'microsoft',
      clientId: '00000000-0000-0000-0000-00000000000a',
      clientSecret: SECRET,
      tenant: 'contoso.onmicrosoft.com',
      extraAuthorizationParams: { prompt: 'select_account' },
      notifyOnExpiredToken: false,
    });
    await createToken({
      name: 'exo app-only',
      template: 'microsoft-app-only',
      clientId: '00000000-0000-0000-0000-00000000000b',
      clientSecret: SECRET,
      tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      scope: 'https://graph.microsoft.com/.default',
    });
    const local = await createToken({
      name: 'local generic',
      template: 'generic',
      clientId: 'client-local',
      clientSecret: SECRET,
      issuer: op.issuer,
      authorizationEndpoint: op.authorizationEndpoint,
      tokenEndpoint: op.tokenEndpoint,
      scope: 'openid email offline_access mail',
      extraAuthorizationParams: { login_hint: 'alice@example.test' },
      description: 'Support mailbox\nsecond line: with a colon',
    });
    const flow = await generateTokens(admin, local.id);
    assert.equal(flow.status, 200, flow.html);
    const cc = await createToken({ name: 'cc generic', template: 'generic-client-credentials', clientId: 'client-cc', clientSecret: SECRET, tokenEndpoint: op.tokenEndpoint, scope: 'mail' });
    assert.equal((await admin.post(`/mail-auth/tokens/${cc.id}/refresh`)).status, 200);
    await createToken({ name: 'Ümlaut & "quotes": #1', template: 'generic', clientId: '0123', issuer: 'https://idp.example', scope: 'mail', active: false });
  };

  before(async () => {
    [op, google, microsoft] = await Promise.all([startOAuthServer(), startGoogleIdentity(), startMicrosoftIdentity()]);
    app = await startStrapi();
    callback = `${app.url}/mail-auth/oauth/callback`;
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
    await op.addClient({ clientId: 'client-local', clientSecret: SECRET, redirectUris: [callback], tokenEndpointAuthMethod: 'client_secret_post' });
    await op.addClient({ clientId: 'client-cc', clientSecret: SECRET, grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'client_secret_post' });
  });
  after(async () => {
    await app?.stop();
    await Promise.all([op?.stop(), google?.stop(), microsoft?.stop()]);
  });

  test('export: text/yaml, sorted by name, the same twice, secrets left out', async () => {
    await removeAll();
    await seed();
    const res = await admin.get<string>('/mail-auth/export');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/yaml/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    assert.equal(await exportYaml(), res.body, 'two exports are identical');
    const doc = parse(res.body) as Array<{ Kind: string; Name: string; Config: Record<string, unknown>; MailAuth: Record<string, unknown> }>;
    const listed = doc.map((e) => e.Name);
    assert.deepEqual(listed, [...listed].sort((a, b) => (a < b ? -1 : 1)));
    assert.equal(listed.length, 6);
    assert.ok(doc.every((e) => e.Kind === 'OAuth2Token' && !('ClientSecret' in e.Config) && !('Grant' in e.MailAuth)));
    const { accessToken, refreshToken } = await storedSecrets(app.strapi, (await byName('local generic')).id);
    for (const secret of [SECRET, accessToken!, refreshToken!]) assert.ok(!res.body.includes(secret), 'no secret in the export');
    const microsoftEntry = doc.find((e) => e.Name === 'alpha microsoft')!;
    assert.equal(
      (microsoftEntry.Config as any).Requests.AuthorizationCode.Request.URL,
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize'
    );
    assert.equal(microsoftEntry.MailAuth.Tenant, 'contoso.onmicrosoft.com');
  });

  test('round trip without secrets: export → import into an empty table → the same export', async () => {
    const first = await exportYaml();
    await removeAll();
    const report = await importOk(first);
    assert.deepEqual(names(report.created), names((parse(first) as Array<{ Name: string }>).map((e) => ({ name: e.Name }))));
    assert.equal(await exportYaml(), first);
    // Without their secrets the templates that need one are stored, marked, and say what to do.
    const marked = report.needsConfiguration.find((n) => n.name === 'zeta google')!;
    assert.deepEqual(marked.problems.map((p) => p.path.join('.')), ['Config.ClientSecret']);
    const token = await view('zeta google');
    assert.equal(token.status, 'error');
    assert.equal(token.lastError.code, 'CONFIGURATION_REQUIRED');
    assert.match(token.lastError.advice, /clientSecret/);
  });

  test('round trip with secrets: tokens come back, and work', async () => {
    await removeAll();
    await seed();
    const local = await storedSecrets(app.strapi, (await byName('local generic')).id);
    const first = await exportYaml('?secrets=include');
    assert.ok(first.includes(SECRET) && first.includes(local.accessToken!) && first.includes(local.refreshToken!));
    assert.match(first, /SECRETS INCLUDED/);
    await removeAll();
    const report = await importOk(first);
    assert.equal(report.needsConfiguration.length, 0);
    assert.equal(await exportYaml('?secrets=include'), first);

    const id = (await byName('local generic')).id;
    assert.equal((await view('local generic')).status, 'valid');
    assert.equal(await tokens().getAccessToken(id), local.accessToken, 'the imported access token is handed out');
    const refreshed = await admin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal((await op.introspect(await tokens().getAccessToken(id))).active, true, 'the imported refresh token works');
    const cc = (await byName('cc generic')).id;
    assert.equal((await admin.post(`/mail-auth/tokens/${cc}/refresh`)).status, 200);
  });

  test('export of a chosen set; an unknown name is a 404 naming it', async () => {
    const two = parse(await exportYaml(`?names=${encodeURIComponent('exo app-only,alpha microsoft')}`)) as Array<{ Name: string }>;
    assert.deepEqual(two.map((e) => e.Name), ['alpha microsoft', 'exo app-only']);
    const repeated = parse(await exportYaml(`?names=${encodeURIComponent('Ümlaut & "quotes": #1')}&names=cc%20generic`)) as Array<{ Name: string }>;
    assert.deepEqual(repeated.map((e) => e.Name), ['cc generic', 'Ümlaut & "quotes": #1']);
    const missing = await admin.get('/mail-auth/export?names=alpha%20microsoft,nobody');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /"nobody"/);
    assert.equal((await admin.get('/mail-auth/export?secrets=yes')).status, 400);
  });

  test('overwrite off skips, on updates; entries not in the file are untouched; secrets left out are kept', async () => {
    await removeAll();
    await seed();
    const doc = parse(await exportYaml()) as Array<Record<string, any>>;
    const file = doc.filter((e) => e.Name !== 'exo app-only');
    file.find((e) => e.Name === 'zeta google')!.Config.Scope = 'https://mail.google.com/';
    file.find((e) => e.Name === 'local generic')!.MailAuth.Description = 'changed';
    file.push({ ...structuredClone(file.find((e) => e.Name === 'cc generic')), Name: 'new from file' });
    const yaml = JSON.stringify(file); // JSON is YAML too
    const untouched = JSON.stringify(await byName('exo app-only'));
    const localBefore = await storedSecrets(app.strapi, (await byName('local generic')).id);
    const googleBefore = JSON.stringify(await byName('zeta google'));

    const skipping = await importOk(yaml);
    assert.deepEqual(names(skipping.created), ['new from file']);
    assert.deepEqual(skipping.skipped.map((s) => [s.name, s.changes]).sort(), [
      ['local generic', ['MailAuth.Description']],
      ['zeta google', ['Config.Scope']],
    ]);
    assert.deepEqual(names(skipping.unchanged), ['alpha microsoft', 'cc generic', 'Ümlaut & "quotes": #1']);
    assert.equal(JSON.stringify(await byName('zeta google')), googleBefore, 'a skipped entry is not written');

    const overwriting = await importOk(yaml, { overwrite: true });
    assert.deepEqual(names(overwriting.updated), ['local generic', 'zeta google']);
    assert.deepEqual(names(overwriting.created), []);
    assert.ok(names(overwriting.unchanged).includes('new from file'));
    assert.equal(JSON.stringify(await byName('exo app-only')), untouched, 'not in the file: not touched');

    const googleAfter = await storedSecrets(app.strapi, (await byName('zeta google')).id);
    assert.equal(googleAfter.row.scope, 'https://mail.google.com/');
    assert.equal(googleAfter.clientSecret, SECRET, 'the secret left out of the file is kept');
    const localAfter = await storedSecrets(app.strapi, (await byName('local generic')).id);
    assert.equal(localAfter.row.description, 'changed');
    assert.equal(localAfter.clientSecret, SECRET);
    assert.equal(localAfter.accessToken, localBefore.accessToken, 'tokens left out are kept');
    assert.equal(localAfter.refreshToken, localBefore.refreshToken);
    assert.equal(localAfter.row.status, 'valid');
  });

  test('dry run reports and changes nothing', async () => {
    const doc = parse(await exportYaml()) as Array<Record<string, any>>;
    doc[0].MailAuth.Active = !doc[0].MailAuth.Active;
    doc.push({ ...structuredClone(doc[1]), Name: 'only a dry run' });
    const before = await snapshot();
    const activityBefore = await app.strapi.db.query('plugin::mail-auth.activity').count();
    const report = await importOk(JSON.stringify(doc), { overwrite: true, dryRun: true });
    assert.deepEqual(names(report.created), ['only a dry run']);
    assert.deepEqual(report.updated.map((u) => [u.name, u.changes]), [[doc[0].Name, ['MailAuth.Active']]]);
    assert.equal(await snapshot(), before);
    assert.equal(await app.strapi.db.query('plugin::mail-auth.activity').count(), activityBefore, 'a dry run is not recorded either');
  });

  test('diff: the same document (with or without secrets), and each kind of difference', async () => {
    await removeAll();
    await seed();
    const yaml = await exportYaml();
    const same = await transfer().diff(yaml);
    assert.equal(same.same, true);
    assert.equal(same.unchanged.length, 6);
    assert.equal((await transfer().diff(await exportYaml('?secrets=include'))).same, true);
    const doc = (parse(yaml) as Array<Record<string, any>>).filter((e) => e.Name !== 'exo app-only');
    doc[0].Config.Scope = 'other';
    doc.push({ ...structuredClone(doc[1]), Name: 'only in the file' });
    const different = await transfer().diff(JSON.stringify(doc));
    assert.equal(different.same, false);
    assert.deepEqual(names(different.onlyInDatabase), ['exo app-only']);
    assert.deepEqual(names(different.onlyInFile), ['only in the file']);
    assert.deepEqual(different.changed.map((c: { name: string; changes: string[] }) => [c.name, c.changes]), [[doc[0].Name, ['Config.Scope']]]);
    const wrongSecret = (parse(await exportYaml('?secrets=include')) as Array<Record<string, any>>).map((e) => (e.Name === 'zeta google' ? { ...e, Config: { ...e.Config, ClientSecret: 'other' } } : e));
    assert.deepEqual((await transfer().diff(JSON.stringify(wrongSecret))).changed.map((c: { changes: string[] }) => c.changes), [['Config.ClientSecret']]);
  });

  test('one bad entry among many: nothing is imported, the entry and field are named with their line', async () => {
    const entries = Array.from({ length: 25 }, (_, i) =>
      [`- Name: bulk ${String(i).padStart(2, '0')}`, '  Config:', `    ClientID: bulk-${i}`, '    Scope: mail', '    Requests:', '      TokenByClientCredentials:', '        Request:', '          URL: https://idp.example/token', '  MailAuth:', '    Template: generic-client-credentials'].join('\n')
    );
    entries[16] = entries[16].replace('    Scope: mail', '    Scope:\n      nested: map');
    entries[21] = entries[21].replace('  MailAuth:', '  Scpoe: typo\n  MailAuth:');
    const yaml = `${entries.join('\n')}\n`;
    const before = await snapshot();
    const res = await importYaml(yaml, { overwrite: true });
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.name, 'ValidationError');
    const issues = res.body.error!.details.errors;
    const scope = issues.find((i) => i.entry?.name === 'bulk 16')!;
    assert.deepEqual(scope.path, ['yaml', '16', 'Config', 'Scope']);
    assert.match(scope.message, /must be text/);
    assert.equal(yaml.split('\n')[scope.line! - 1].trim(), 'nested: map');
    const typo = issues.find((i) => i.entry?.name === 'bulk 21')!;
    assert.deepEqual(typo.path, ['yaml', '21', 'Scpoe']);
    assert.match(typo.message, /not a known field/);
    assert.equal(issues.length, 2);
    assert.equal(await snapshot(), before);
    // the same document without the two mistakes imports whole
    const fixed = yaml.replace('    Scope:\n      nested: map', '    Scope: mail').replace('  Scpoe: typo\n', '');
    assert.equal((await importOk(fixed)).created.length, 25);
  });

  test("Znuny's template files import unchanged, mapped to the plugin's templates, marked where settings are missing", async () => {
    const expected: Record<string, { template: string; tenant: string | null; notify: [boolean, boolean] }> = {
      'GoogleMail.yml': { template: 'google', tenant: null, notify: [false, true] },
      'MicrosoftOutlookCommon.yml': { template: 'microsoft', tenant: 'common', notify: [true, true] },
      'MicrosoftOutlookConsumers.yml': { template: 'microsoft', tenant: 'consumers', notify: [true, true] },
      'MicrosoftOutlookOrganizations.yml': { template: 'microsoft', tenant: 'organizations', notify: [true, true] },
      'MicrosoftExchangeOnlineAuthorizationCodeFlow.yml': { template: 'microsoft', tenant: 'common', notify: [false, true] },
      'MicrosoftExchangeOnlineClientCredentialsFlow.yml': { template: 'microsoft-app-only', tenant: 'common', notify: [false, true] },
    };
    for (const [file, want] of Object.entries(expected)) {
      await removeAll();
      const report = await importOk(fixture(file));
      assert.equal(report.created.length, 1, file);
      const name = report.created[0].name;
      const token = await view(name);
      assert.equal(token.template, want.template, file);
      assert.equal(token.tenant, want.tenant, file);
      assert.deepEqual([token.notifyOnExpiredToken, token.notifyOnExpiredRefreshToken], want.notify, file);
      // Znuny's templates leave the client id and secret empty: the token is stored, and unusable until they are entered.
      assert.equal(token.status, 'error', file);
      assert.equal(token.lastError.code, 'CONFIGURATION_REQUIRED', file);
      const paths = report.needsConfiguration[0].problems.map((p) => p.path.join('.'));
      assert.ok(paths.includes('Config.ClientID') && paths.includes('Config.ClientSecret'), `${file}: ${paths}`);
    }
    assert.deepEqual(names((await importOk(fixture('oauth2_token_config_example.yml'))).created), [
      'Google Mail auth code flow (example@gmail.com)',
      'Microsoft Outlook auth code flow (example@outlook.com)',
      'Microsoft Outlook credentials flow (example@outlook.com)',
    ]);
    assert.equal(readdirSync(FIXTURES).length, 7, 'every fixture is covered');
  });

  test("Znuny's client-credentials template at /common: imported, marked with the tenant advice, unusable until fixed", async () => {
    await removeAll();
    const yaml = fixture('MicrosoftExchangeOnlineClientCredentialsFlow.yml').replace('ClientID:\n', 'ClientID: 00000000-0000-0000-0000-0000000000cc\n').replace('ClientSecret:\n', `ClientSecret: ${SECRET}\n`);
    const report = await importOk(yaml);
    assert.deepEqual(report.needsConfiguration[0].problems.map((p) => p.path.join('.')), ['MailAuth.Tenant']);
    const token = await view('Microsoft Exchange Online');
    assert.equal(token.status, 'error');
    assert.match(token.lastError.advice, /tenant's own endpoint/);
    assert.match(token.lastError.advice, /Directory \(tenant\) ID/);

    const refresh = await admin.post(`/mail-auth/tokens/${token.id}/refresh`);
    assert.equal(refresh.status, 409);
    assert.equal(refresh.body.error.details.code, 'CONFIGURATION_REQUIRED');
    await assert.rejects(tokens().getAccessToken(token.id), (e: { code: string }) => e.code === 'CONFIGURATION_REQUIRED');
    // The admin API does not accept it as it is: a change that leaves /common is refused.
    const stillBroken = await admin.put(`/mail-auth/tokens/${token.id}`, { description: 'x' });
    assert.equal(stillBroken.status, 400);
    assert.ok(stillBroken.body.error.details.errors.some((e: { path: string[] }) => e.path[0] === 'tenant'));
    const fixed = await admin.put(`/mail-auth/tokens/${token.id}`, { tenant: 'contoso.onmicrosoft.com' });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(fixed.body.status, 'not-authorized');
    assert.equal(fixed.body.lastError, null);
  });

  test("Znuny's templates produce working tokens once their URLs point at the harness servers", async () => {
    await removeAll();
    const cases = [
      { file: 'GoogleMail.yml', server: 'google' as const },
      { file: 'MicrosoftOutlookCommon.yml', server: 'microsoft' as const },
      { file: 'MicrosoftOutlookConsumers.yml', server: 'microsoft' as const },
      { file: 'MicrosoftOutlookOrganizations.yml', server: 'microsoft' as const },
      { file: 'MicrosoftExchangeOnlineAuthorizationCodeFlow.yml', server: 'microsoft' as const },
    ];
    for (const [i, { file, server }] of cases.entries()) {
      const clientId = `znuny-${i}`;
      const yaml = fixture(file)
        .replaceAll('https://accounts.google.com', google.url)
        .replaceAll('https://oauth2.googleapis.com', google.url)
        .replaceAll('https://login.microsoftonline.com', microsoft.url)
        .replace('ClientID:\n', `ClientID: ${clientId}\n`)
        .replace('ClientSecret:\n', `ClientSecret: ${SECRET}\n`)
        .replace(/  Name: (.*)\n/, `  Name: $1 at the harness\n`);
      if (server === 'google') {
        assert.ok(yaml.includes(google.authorizationEndpoint) && yaml.includes(google.tokenEndpoint));
        google.addClient({ clientId, clientSecret: SECRET, redirectUris: [callback] });
      } else {
        microsoft.addClient({ clientId, clientSecret: SECRET, redirectUris: [callback] });
      }
      const report = await importOk(yaml);
      assert.equal(report.needsConfiguration.length, 0, JSON.stringify(report.needsConfiguration));
      const id = (await byName(report.created[0].name)).id;
      const flow = await generateTokens(admin, id);
      assert.equal(flow.status, 200, `${file}: ${flow.html}`);
      const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
      assert.equal(token.template, 'generic', 'local URLs are the generic template');
      assert.equal(token.status, 'valid', file);
      // Google hands out a refresh token only for access_type=offline with prompt=consent: Znuny's parameters were sent.
      assert.equal(token.hasRefreshToken, true, file);
      assert.equal((await admin.post(`/mail-auth/tokens/${id}/refresh`)).status, 200, file);
      const accessToken = await tokens().getAccessToken(id);
      const active = server === 'google' ? google.introspect(accessToken).active : microsoft.introspect(accessToken).active;
      assert.equal(active, true, file);
    }
    // Client credentials, once the tenant is the app's own (Microsoft refuses /common for it).
    microsoft.addClient({ clientId: 'znuny-cc', clientSecret: SECRET });
    const cc = fixture('MicrosoftExchangeOnlineClientCredentialsFlow.yml')
      .replace('https://login.microsoftonline.com/common/', `${microsoft.url}/${microsoft.tenantId}/`)
      .replace('ClientID:\n', 'ClientID: znuny-cc\n')
      .replace('ClientSecret:\n', `ClientSecret: ${SECRET}\n`);
    const report = await importOk(cc);
    const id = (await byName(report.created[0].name)).id;
    const refreshed = await admin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(microsoft.introspect(await tokens().getAccessToken(id)).active, true);
  });

  test("a stored token's template cannot be changed by an import (with overwrite)", async () => {
    await removeAll();
    await importOk(fixture('MicrosoftExchangeOnlineAuthorizationCodeFlow.yml'));
    const before = await snapshot();
    const skipped = await importOk(fixture('MicrosoftExchangeOnlineClientCredentialsFlow.yml'));
    assert.deepEqual(names(skipped.skipped), ['Microsoft Exchange Online']);
    const res = await importYaml(fixture('MicrosoftExchangeOnlineClientCredentialsFlow.yml'), { overwrite: true });
    assert.equal(res.status, 400);
    const [issue] = res.body.error!.details.errors;
    assert.deepEqual(issue.path, ['yaml', '0', 'MailAuth', 'Template']);
    assert.match(issue.message, /template cannot change/);
    assert.equal(await snapshot(), before);
  });

  test('names that differ only in case: two entries where the database tells them apart, refused whole where not (MySQL)', async () => {
    await removeAll();
    const entry = (name: string) =>
      `- Name: ${name}\n  Config:\n    ClientID: x\n    Scope: mail\n    Requests:\n      TokenByClientCredentials:\n        Request:\n          URL: https://idp.example/token\n`;
    const res = await importYaml(`${entry('Case')}${entry('case')}`);
    if (testDatabaseKind() === 'mysql') {
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match((res.body as any).error.message, /nothing was imported/);
      assert.equal(await db().count({}), 0, 'the first entry was rolled back');
    } else {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(names(res.body.created), ['Case', 'case']);
    }
  });

  test('hostile input: a clear 400, nothing stored, the server stays up', async () => {
    await removeAll();
    await seed();
    const before = await snapshot();
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const valid = '- Name: fine\n  Config:\n    ClientID: x\n';
    const cases: Array<[string, unknown, RegExp, string[]?]> = [
      ['syntax error', '- Name: x\n  Config: {ClientID: [1, 2}\n', /.+/, ['yaml']],
      ['a mapping instead of a list', 'Name: x\nConfig: {}\n', /must be a list of entries/, ['yaml']],
      ['a list of strings', '- just text\n', /must be a mapping/, ['yaml', '0']],
      ['wrong types', '- Name: [1]\n  Config: 5\n', /must be text|mapping/, ['yaml', '0', 'Name']],
      ['a bad flag', '- Name: x\n  Config:\n    Notifications: {NotifyOnExpiredToken: maybe}\n', /1 or 0/, ['yaml', '0', 'Config', 'Notifications', 'NotifyOnExpiredToken']],
      ['a huge document', `${valid}# ${'x'.repeat(600 * 1024)}\n`, /bytes/, ['yaml']],
      ['too many entries', Array.from({ length: 501 }, (_, i) => `- Name: n${i}\n  Config: {}\n`).join(''), /501 entries/, ['yaml']],
      ['an alias bomb', `- Name: bomb\n  Config: {}\n  MailAuth:\n    ${laughs.join('\n    ')}\n`, /Aliases/, ['yaml']],
      ['a custom tag', '- Name: !!js/function "function () { return 1 }"\n  Config: {}\n', /Tags are not allowed/, ['yaml']],
      ['a local tag', '- Name: x\n  Config: !ruby/hash:Exploit {}\n', /Tags are not allowed/, ['yaml']],
      ['deep nesting', `- Name: deep\n  Config: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /nested more than/, ['yaml']],
      ['unknown keys', '- Name: x\n  Colour: red\n  Config:\n    ClientId: x\n  MailAuth:\n    Templat: google\n', /not a known field/, ['yaml', '0', 'Colour']],
      ['an unknown kind', '- Kind: Mailbox\n  Name: support\n', /must be one of: OAuth2Token, InboundAccount, OutboundAccount/, ['yaml', '0', 'Kind']],
      ['duplicate names', `${valid}${valid}`, /also the name of entry 1/, ['yaml', '1', 'Name']],
      ['yaml is not text', { entries: [] }, /text of a YAML document/, ['yaml']],
      ['a merge key', '- Name: x\n  <<: {Config: {}}\n', /not a known field|is required/, undefined],
    ];
    for (const [label, yaml, message, path] of cases) {
      const res = await importYaml(yaml, { overwrite: true });
      assert.equal(res.status, 400, `${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.equal(res.body.error!.name, 'ValidationError', label);
      const issues = res.body.error!.details.errors;
      assert.ok(issues.some((i) => message.test(i.message)), `${label}: ${JSON.stringify(issues).slice(0, 400)}`);
      if (path) assert.ok(issues.some((i) => JSON.stringify(i.path) === JSON.stringify(path)), `${label}: path ${path} in ${JSON.stringify(issues.map((i) => i.path))}`);
      assert.equal(await snapshot(), before, `${label}: nothing stored`);
    }
    const syntax = (await importYaml('- Name: x\n  Config: {ClientID: [1, 2}\n')).body.error!.details.errors[0];
    assert.equal(syntax.line, 2);
    assert.ok(syntax.column! > 1);
    // Beyond Strapi's own body limit (1 MB of JSON) the body parser answers first.
    const tooBig = await importYaml('#'.repeat(3 * 1024 * 1024));
    assert.equal(tooBig.status, 413);
    assert.equal(await snapshot(), before);
    assert.equal((await admin.get('/mail-auth/tokens')).status, 200, 'the server is still up');
  });

  test('a failure in the middle of the writes rolls the whole import back', async () => {
    const before = await snapshot();
    const entries = Array.from({ length: 5 }, (_, i) => `- Name: rollback ${i}\n  Config:\n    ClientID: r${i}\n    Scope: mail\n    Requests:\n      TokenByClientCredentials:\n        Request:\n          URL: https://idp.example/token\n`);
    const database = app.strapi.db;
    const query = database.query.bind(database);
    let creates = 0;
    database.query = ((uid: string) => {
      const repository = query(uid as typeof TOKEN_UID);
      if (uid !== TOKEN_UID) return repository;
      return {
        ...repository,
        create: async (params: Parameters<typeof repository.create>[0]) => {
          creates += 1;
          if (creates === 4) throw new Error('simulated database failure');
          return repository.create(params);
        },
      };
    }) as typeof database.query;
    try {
      const res = await importYaml(entries.join(''));
      assert.equal(res.status, 500);
    } finally {
      database.query = query;
    }
    assert.equal(creates, 4, 'three rows were written before the failure');
    assert.equal(await snapshot(), before, 'and rolled back');
    assert.equal((await importOk(entries.join(''))).created.length, 5, 'the same document imports once the database works');
  });

  test('fuzz: 1,000 mutated documents, no crash and never a partial import', async (t) => {
    await removeAll();
    await seed();
    const random = prng(0x5eed);
    const bases = [
      await exportYaml(),
      fixture('oauth2_token_config_example.yml'),
      fixture('GoogleMail.yml'),
      `${(await exportYaml('?names=cc%20generic,exo%20app-only')).replaceAll('cc generic', 'cc fuzz')}`,
    ];
    const JUNK = [':', ': ', '- ', ' ', '  ', '[', ']', '{', '}', '&a ', '*a', '!', '!!str ', '|', '>', "'", '"', '#', '\n', '\t', '0', '1', 'null', '~', '<<: ', '%YAML 1.1\n', ',', '?', 'Kind: X', 'x'.repeat(120), '\u0000', '\uFEFF', 'é', '\\'];
    const mutate = (text: string) => mutateLines(random, text, JUNK);

    const outcomes = await fuzzImports({
      random,
      count: 1000,
      seconds: 150,
      bases,
      mutate,
      rows: async () => new Map(((await db().findMany({})) as Array<{ id: number; name: string }>).map((r) => [String(r.id), { ref: r.name, json: JSON.stringify(r) }])),
      refOf: (r) => r.name,
      importer: (body) => transfer().import(body, { email: 'fuzz@example.test' }),
    });
    // The mutations must exercise both paths for the test to mean anything.
    t.diagnostic(`imported ${outcomes.imported}, refused ${outcomes.refused}, dry runs ${1000 - outcomes.imported - outcomes.refused}`);
    assert.ok(outcomes.imported > 50 && outcomes.refused > 300, JSON.stringify(outcomes));
    assert.equal((await admin.get('/mail-auth/tokens')).status, 200);
  });

  test('entry kinds plug in: a registered kind is imported, exported after tokens and checked like them', async () => {
    // A stand-in for the account kinds to come, stored in memory.
    const notes = new Map<string, string>();
    transfer().registerKind({
      kind: 'Note',
      label: 'note',
      order: 10,
      available: () => true,
      read(raw: any) {
        const unknown = Object.keys(raw).filter((k) => !['Kind', 'Name', 'Text'].includes(k));
        if (typeof raw.Text !== 'string' || unknown.length) {
          return { ok: false, errors: [...(typeof raw.Text === 'string' ? [] : [{ path: ['Text'], message: 'must be text' }]), ...unknown.map((k) => ({ path: [k], message: 'is not a known field' }))] };
        }
        return { ok: true, entry: { name: String(raw.Name), value: raw.Text } };
      },
      async plan(_strapi: unknown, entries: Array<{ name: string; value: string }>) {
        return entries.map((e) => ({
          existing: notes.has(e.name) ? { id: 1, changes: notes.get(e.name) === e.value ? [] : ['Text'], conflicts: [] } : undefined,
          problems: [],
          write: async () => void notes.set(e.name, e.value),
        }));
      },
      storedNames: async () => [...notes.keys()],
      export: async (_strapi: unknown, { names: chosen }: { names?: ReadonlySet<string> }) =>
        [...notes].filter(([name]) => !chosen || chosen.has(name)).map(([name, text]) => ({ name, entry: { Kind: 'Note', Name: name, Text: text } })),
    });
    try {
      await removeAll();
      const report = await importOk('- Kind: Note\n  Name: a note\n  Text: hello\n- Name: a token\n  Config:\n    ClientID: x\n    Scope: mail\n');
      assert.deepEqual(report.created.map((c) => [c.kind, c.name]), [['OAuth2Token', 'a token'], ['Note', 'a note']], 'tokens first');
      assert.equal(notes.get('a note'), 'hello');
      const exported = parse(await exportYaml()) as Array<{ Kind: string; Name: string }>;
      assert.deepEqual(exported.map((e) => [e.Kind, e.Name]), [['OAuth2Token', 'a token'], ['Note', 'a note']]);
      const before = await snapshot();
      const res = await importYaml('- Name: another token\n  Config: {}\n- Kind: Note\n  Name: broken\n  Text: [1]\n  Colour: red\n');
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error!.details.errors.map((i) => [i.entry?.kind, i.path.join('.')]), [['Note', 'yaml.1.Text'], ['Note', 'yaml.1.Colour']]);
      assert.equal(await snapshot(), before);
      assert.deepEqual([...notes.keys()], ['a note']);
    } finally {
      notes.clear();
    }
  });

  test('RBAC: export, export with secrets and import each need their own permission', async () => {
    assert.equal((await outsider.get('/mail-auth/export')).status, 403);
    assert.equal((await outsider.post('/mail-auth/import', { yaml: '[]' })).status, 403);
    const exporterRole = await createRole(app.strapi, `Exporters ${Date.now()}`, ['plugin::mail-auth.export', 'plugin::mail-auth.read']);
    const exporter = await AdminClient.login(app.url, await createAdmin(app.strapi, [exporterRole]));
    assert.equal((await exporter.get('/mail-auth/export')).status, 200);
    // secrets in clear text need their own permission: export alone is not enough
    const refused = await exporter.get('/mail-auth/export?secrets=include');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.details.code, 'FORBIDDEN');
    assert.deepEqual(refused.body.error.details.errors.map((e: { path: string[] }) => e.path), [['secrets']]);
    const secretsRole = await createRole(app.strapi, `Secret exporters ${Date.now()}`, ['plugin::mail-auth.export', 'plugin::mail-auth.export-secrets']);
    const secretExporter = await AdminClient.login(app.url, await createAdmin(app.strapi, [secretsRole]));
    assert.equal((await secretExporter.get('/mail-auth/export?secrets=include')).status, 200);
    // export-secrets alone does not open the export route
    const onlySecretsRole = await createRole(app.strapi, `Only secrets ${Date.now()}`, ['plugin::mail-auth.export-secrets']);
    const onlySecrets = await AdminClient.login(app.url, await createAdmin(app.strapi, [onlySecretsRole]));
    assert.equal((await onlySecrets.get('/mail-auth/export?secrets=include')).status, 403);
    assert.equal((await exporter.post('/mail-auth/import', { yaml: '[]', dryRun: true })).status, 403);
    const importerRole = await createRole(app.strapi, `Importers ${Date.now()}`, ['plugin::mail-auth.import']);
    const importer = await AdminClient.login(app.url, await createAdmin(app.strapi, [importerRole]));
    assert.equal((await importer.post('/mail-auth/import', { yaml: '[]', dryRun: true })).status, 200);
    assert.equal((await importer.get('/mail-auth/export')).status, 403);
  });

  test('the activity log records exports and imports, with who did them', async () => {
    await exportYaml('?secrets=include');
    await importOk('[]');
    await importYaml('- Name: [broken');
    const res = await admin.get('/mail-auth/activity?subjectType=transfer&pageSize=100');
    const kinds = res.body.results.map((a: { kind: string }) => a.kind);
    for (const kind of ['transfer.exported', 'transfer.imported', 'transfer.import-failed']) assert.ok(kinds.includes(kind), kind);
    const exported = res.body.results.find((a: { kind: string }) => a.kind === 'transfer.exported');
    assert.match(exported.actor, /@example\.test/);
    assert.equal(exported.details.secrets, true);
    const failed = res.body.results.find((a: { kind: string }) => a.kind === 'transfer.import-failed');
    assert.equal(failed.outcome, 'failure');
    assert.ok(!JSON.stringify(res.body).includes(SECRET), 'no secret in the log');
  });

  describe('command line, against the playground on a database of its own', () => {
    const { cli, file: path } = cliOnOwnDatabase();

    test('import, export, diff and dry run: a round trip through an empty database', async () => {
      await removeAll();
      await seed();
      const original = await exportYaml('?secrets=include');
      const file = path('original.yaml', original);

      const imported = await cli(['import', file, '-y', '--json', '--no-compile']);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal((JSON.parse(imported.stdout) as Report).created.length, 6);

      // This one compiles the TypeScript app first, as Strapi's own commands do.
      const out = path('exported.yaml');
      const exported = await cli(['export', '--include-secrets', '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(readFileSync(out, 'utf8'), original, 'the same document back from the other database');


      // Dry runs, confirmation and error output are the same code paths as the admin API's and
      // are tested with a stand-in service in tests/unit/cli.test.ts; here, one difference.
      const changed = path('changed.yaml', original.replace('Scope: mail\n', 'Scope: mail other\n'));
      const different = await cli(['diff', changed, '--json', '--no-compile']);
      assert.equal(different.code, 1, different.stderr);
      const report = JSON.parse(different.stdout);
      assert.deepEqual(report.changed, [{ kind: 'OAuth2Token', name: 'cc generic', changes: ['Config.Scope'] }]);
      assert.equal(report.unchanged.length, 5);
    });
  });
});
