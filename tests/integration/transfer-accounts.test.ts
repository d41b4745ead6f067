import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';

import { AdminClient, adminClients } from '../helpers/admin';
import { testDatabaseKind } from '../helpers/database';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { TOKEN_UID } from '../helpers/tokens';
import { cliOnOwnDatabase, fuzzImports, mutateLines, prng, transferApi, type Ref, type Report } from '../helpers/transfer';
import { createTestCA } from '../servers/tls';

/**
 * Mail accounts in the YAML export and import (docs/transfer.md): `Kind: InboundAccount` and
 * `Kind: OutboundAccount` entries after the tokens they name, against a real Strapi.
 */

const INBOUND_UID = 'plugin::mail-auth.inbound-account';
const OUTBOUND_UID = 'plugin::mail-auth.outbound-account';
const SECRET = 'client-secret-VALUE-7f6e5d';
const IMAP_PASSWORD = 'imap-PASSWORD: with "quotes" #1';
const SMTP_PASSWORD = '0123456789';

type Entry = { Kind: string; Name: string; Config: Record<string, any> };

const refs = (list: Ref[]) => list.map((r) => `${r.kind}:${r.name}`).sort();

describe(`YAML export and import of mail accounts (${testDatabaseKind()})`, () => {
  let app: TestStrapi;
  let admin: AdminClient;
  let caPem: string;

  const transfer = () => app.strapi.plugin('mail-auth').service('transfer');
  const secrets = () => app.strapi.plugin('mail-auth').service('secrets');
  const q = (uid: string) => app.strapi.db.query(uid as typeof TOKEN_UID);
  /** Every stored token and account row: equal means nothing was written. */
  const snapshot = async () =>
    JSON.stringify(await Promise.all([TOKEN_UID, INBOUND_UID, OUTBOUND_UID].map((uid) => q(uid).findMany({ orderBy: { id: 'asc' }, populate: uid === TOKEN_UID ? undefined : { oauthToken: { select: ['id'] } } }))));
  const removeAll = async () => {
    for (const uid of [INBOUND_UID, OUTBOUND_UID, TOKEN_UID]) await q(uid).deleteMany({});
  };
  const { exportYaml, importYaml, importOk } = transferApi(() => admin);
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await admin.post(`/mail-auth/${path}`, body);
    assert.equal(res.status, 201, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    return res.body as { id: number; name: string };
  };
  const row = async (uid: string, name: string) =>
    (await q(uid).findOne({ where: { name }, populate: uid === TOKEN_UID ? undefined : { oauthToken: { select: ['id', 'name'] } } })) as Record<string, any>;
  const password = async (uid: string, name: string) =>
    secrets().open((await row(uid, name)).password, uid === INBOUND_UID ? 'inbound-account.password' : 'outbound-account.password') as string | undefined;

  /** Tokens, and accounts of every type that use them or a password, created out of order. */
  const seed = async () => {
    const google = await post('tokens', { name: 'google mail', template: 'google', clientId: 'g.apps.googleusercontent.com', clientSecret: SECRET });
    const appOnly = await post('tokens', {
      name: 'exo app-only',
      template: 'microsoft-app-only',
      clientId: '00000000-0000-0000-0000-00000000000b',
      clientSecret: SECRET,
      tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      scope: 'https://graph.microsoft.com/.default',
    });
    const generic = await post('tokens', { name: 'idp generic', template: 'generic', clientId: 'client-idp', clientSecret: SECRET, issuer: 'https://idp.example', scope: 'mail' });

    await post('inbound-accounts', { name: 'support imaps', type: 'imaps', host: 'imap.example.com', port: 993, login: 'support@example.com', password: IMAP_PASSWORD, trustedCertificate: caPem, folder: 'Tickets', actionAfterFetch: 'move', moveTo: 'Done', pollInterval: 60, queue: 'Support', description: 'Line one\nline two: with a colon' });
    await post('inbound-accounts', { name: 'legacy pop3', type: 'pop3', host: 'pop.example.com', login: 'legacy', password: 'pop-secret', actionAfterFetch: 'delete', certificateValidation: false, allowInsecureAuth: true, active: false });
    await post('inbound-accounts', { name: 'graph shared', type: 'microsoft-graph', authentication: 'oauth2', oauthToken: appOnly.id, mailbox: 'shared@contoso.com', scope: 'application', application: 'helpdesk', trusted: true, maxMessagesPerPoll: 50 });
    await post('inbound-accounts', { name: 'gmail', type: 'gmail-api', authentication: 'oauth2', oauthToken: google.id });
    await post('inbound-accounts', { name: 'imap oauth', type: 'imap-starttls', host: 'mail.idp.example', authentication: 'oauth2', oauthToken: generic.id, login: 'alice@idp.example' });

    await post('outbound-accounts', { name: 'smtp relay', type: 'smtp', host: 'smtp.example.com', security: 'tls', authentication: 'password', username: 'relay', password: SMTP_PASSWORD, domain: 'helpdesk.example.com', fromAddress: 'help@example.com', fromName: 'Help Desk', trustedCertificate: caPem });
    await post('outbound-accounts', { name: 'smtp oauth', type: 'smtp', host: 'smtp.idp.example', authentication: 'oauth2', oauthToken: generic.id, username: 'alice@idp.example', fromAddress: 'alice@idp.example', usage: 'application', applicationName: 'tickets' });
    await post('outbound-accounts', { name: 'graph send', type: 'microsoft-graph', oauthToken: appOnly.id, fromAddress: 'shared@contoso.com', description: 'sends as the shared mailbox' });
    await post('outbound-accounts', { name: 'local relay', type: 'smtp', host: 'localhost', security: 'none', useAuthentication: false, fromAddress: 'noreply@example.com', active: false });
    // Runtime state, which the export leaves out.
    await q(INBOUND_UID).update({ where: { name: 'support imaps' }, data: { confirmed: true, confirmedAt: new Date(), lastPollAt: new Date(), imapUidValidity: '42', imapLastUid: 7, lastError: { code: 'X', message: 'm', at: new Date().toISOString() } } });
    await q(OUTBOUND_UID).update({ where: { name: 'smtp relay' }, data: { confirmed: true, confirmedAt: new Date(), lastSentAt: new Date() } });
  };

  before(async () => {
    caPem = (await createTestCA()).caPem;
    app = await startStrapi();
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
  });

  test('export: tokens, then inbound, then outbound accounts, by name; keys in a fixed order; no state, no password', async () => {
    await removeAll();
    await seed();
    const yaml = await exportYaml();
    assert.equal(await exportYaml(), yaml, 'two exports are identical');
    const doc = parse(yaml) as Entry[];
    assert.deepEqual(
      doc.map((e) => `${e.Kind}:${e.Name}`),
      [
        'OAuth2Token:exo app-only',
        'OAuth2Token:google mail',
        'OAuth2Token:idp generic',
        'InboundAccount:gmail',
        'InboundAccount:graph shared',
        'InboundAccount:imap oauth',
        'InboundAccount:legacy pop3',
        'InboundAccount:support imaps',
        'OutboundAccount:graph send',
        'OutboundAccount:local relay',
        'OutboundAccount:smtp oauth',
        'OutboundAccount:smtp relay',
      ]
    );
    for (const e of doc.filter((x) => x.Kind !== 'OAuth2Token')) assert.deepEqual(Object.keys(e), ['Kind', 'Name', 'Config'], e.Name);
    const imaps = doc.find((e) => e.Name === 'support imaps')!;
    assert.deepEqual(Object.keys(imaps.Config), [
      'Type', 'Host', 'Port', 'CertificateValidation', 'TrustedCertificate', 'AllowInsecureAuth', 'Login', 'Authentication', 'Folder', 'ActionAfterFetch', 'MoveTo',
      'Idle', 'PollInterval', 'MaxMessagesPerPoll', 'Queue', 'Trusted', 'Scope', 'Active', 'Description',
    ]);
    assert.equal(imaps.Config.TrustedCertificate, caPem);
    assert.equal(imaps.Config.Port, 993, 'numbers are written as numbers');
    assert.match(yaml, /\n {4}Port: 993\n/);
    assert.deepEqual(doc.find((e) => e.Name === 'graph shared')!.Config, {
      Type: 'microsoft-graph', CertificateValidation: true, AllowInsecureAuth: false, Mailbox: 'shared@contoso.com', Authentication: 'oauth2', OAuth2Token: 'exo app-only', Folder: 'INBOX',
      ActionAfterFetch: 'mark-seen', PollInterval: 300, MaxMessagesPerPoll: 50, Trusted: true, Scope: 'application', Application: 'helpdesk', Active: true,
    });
    assert.deepEqual(doc.find((e) => e.Name === 'legacy pop3')!.Config, {
      Type: 'pop3', Host: 'pop.example.com', CertificateValidation: false, AllowInsecureAuth: true, Login: 'legacy', Authentication: 'password', ActionAfterFetch: 'delete',
      PollInterval: 300, MaxMessagesPerPoll: 500, Trusted: false, Scope: 'organization', Active: false,
    });
    assert.deepEqual(doc.find((e) => e.Name === 'smtp oauth')!.Config, {
      Type: 'smtp', Host: 'smtp.idp.example', Port: 587, Security: 'starttls', VerifyCertificate: true, AllowInsecureAuth: false, UseAuthentication: true, Authentication: 'oauth2',
      Username: 'alice@idp.example', OAuth2Token: 'idp generic', FromAddress: 'alice@idp.example', SharedMailbox: false, Usage: 'application', ApplicationName: 'tickets', Active: true,
    });
    assert.deepEqual(Object.keys(doc.find((e) => e.Name === 'smtp relay')!.Config), [
      'Type', 'Host', 'Port', 'Security', 'VerifyCertificate', 'TrustedCertificate', 'AllowInsecureAuth', 'Domain', 'UseAuthentication', 'Authentication', 'Username', 'FromAddress', 'FromName', 'SharedMailbox', 'Usage', 'Active',
    ]);
    for (const secret of [SECRET, IMAP_PASSWORD, 'pop-secret', SMTP_PASSWORD]) assert.ok(!yaml.includes(secret), 'no secret in the export');
    for (const state of ['onfirmed', 'LastPoll', 'lastPoll', 'Uid', 'Cursor', 'LastError', 'lastSent', 'CreatedAt', 'createdAt']) assert.ok(!yaml.includes(state), state);

    const withSecrets = parse(await exportYaml('?secrets=include')) as Entry[];
    assert.equal(withSecrets.find((e) => e.Name === 'support imaps')!.Config.Password, IMAP_PASSWORD);
    assert.equal(withSecrets.find((e) => e.Name === 'smtp relay')!.Config.Password, SMTP_PASSWORD);
    assert.deepEqual(Object.keys(withSecrets.find((e) => e.Name === 'smtp relay')!.Config).slice(10, 13), ['Username', 'Password', 'FromAddress']);
    assert.ok(!('Password' in withSecrets.find((e) => e.Name === 'gmail')!.Config));
  });

  test('export of a chosen set, across kinds', async () => {
    const chosen = parse(await exportYaml(`?names=${encodeURIComponent('smtp relay,exo app-only,gmail')}`)) as Entry[];
    assert.deepEqual(chosen.map((e) => `${e.Kind}:${e.Name}`), ['OAuth2Token:exo app-only', 'InboundAccount:gmail', 'OutboundAccount:smtp relay']);
    const missing = await admin.get('/mail-auth/export?names=gmail,nobody');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /"nobody"/);
  });

  test('round trip without secrets: export → import into an empty database → the same export; accounts with a password are marked', async () => {
    const first = await exportYaml();
    await removeAll();
    const report = await importOk(first);
    assert.equal(report.created.length, 12);
    assert.deepEqual(report.created.slice(0, 3).map((r) => r.kind), ['OAuth2Token', 'OAuth2Token', 'OAuth2Token'], 'tokens first');
    assert.equal(await exportYaml(), first);
    assert.deepEqual(
      report.needsConfiguration.filter((n) => n.kind !== 'OAuth2Token').map((n) => [n.kind, n.name, n.problems.map((p) => p.path.join('.'))]).sort(),
      [
        ['InboundAccount', 'legacy pop3', ['Config.Password']],
        ['InboundAccount', 'support imaps', ['Config.Password']],
        ['OutboundAccount', 'smtp relay', ['Config.Password']],
      ]
    );
    const imaps = (await admin.get(`/mail-auth/inbound-accounts/${(await row(INBOUND_UID, 'support imaps')).id}`)).body;
    assert.equal(imaps.confirmed, false);
    assert.equal(imaps.hasPassword, false);
    assert.equal(imaps.lastError.code, 'CONFIGURATION_REQUIRED');
    assert.match(imaps.lastError.advice, /password/);
    assert.equal(imaps.state.imapLastUid, null);
    // Linked to the tokens created by the same import.
    for (const [uid, name, token] of [[INBOUND_UID, 'graph shared', 'exo app-only'], [OUTBOUND_UID, 'smtp oauth', 'idp generic'], [INBOUND_UID, 'gmail', 'google mail']]) {
      assert.equal((await row(uid, name)).oauthToken?.id, (await row(TOKEN_UID, token)).id, name);
    }
    assert.equal((await row(OUTBOUND_UID, 'local relay')).lastError, null, 'nothing to complete without authentication');
  });

  test('round trip with secrets: passwords come back', async () => {
    await removeAll();
    await seed();
    const first = await exportYaml('?secrets=include');
    assert.ok(first.includes(IMAP_PASSWORD) || first.includes(JSON.stringify(IMAP_PASSWORD)));
    await removeAll();
    const report = await importOk(first);
    assert.equal(report.needsConfiguration.length, 0, JSON.stringify(report.needsConfiguration));
    assert.equal(await exportYaml('?secrets=include'), first);
    assert.equal(await password(INBOUND_UID, 'support imaps'), IMAP_PASSWORD);
    assert.equal(await password(OUTBOUND_UID, 'smtp relay'), SMTP_PASSWORD);
    assert.equal((await transfer().diff(first)).same, true);
    assert.equal((await transfer().diff(await exportYaml())).same, true, 'passwords left out are not differences');
  });

  test('an account names a token created in the same import', async () => {
    const yaml = [
      '- Kind: OutboundAccount',
      '  Name: new graph sender',
      '  Config:',
      '    Type: microsoft-graph',
      '    OAuth2Token: brand new token',
      '    FromAddress: new@contoso.com',
      '- Kind: InboundAccount',
      '  Name: new graph inbox',
      '  Config: { Type: microsoft-graph, Authentication: oauth2, OAuth2Token: brand new token, Mailbox: new@contoso.com, Port: 443 }',
      '- Kind: OAuth2Token',
      '  Name: brand new token',
      '  Config:',
      '    AuthFlow: ClientCredentials',
      '    ClientID: 00000000-0000-0000-0000-0000000000cc',
      `    ClientSecret: ${SECRET}`,
      '    Scope: https://graph.microsoft.com/.default',
      '  MailAuth: { Template: microsoft-app-only, Tenant: contoso.onmicrosoft.com }',
      '',
    ].join('\n');
    const dry = await importOk(yaml, { dryRun: true });
    assert.deepEqual(refs(dry.created), ['InboundAccount:new graph inbox', 'OAuth2Token:brand new token', 'OutboundAccount:new graph sender']);
    assert.equal(await row(TOKEN_UID, 'brand new token'), null, 'a dry run writes nothing');
    const report = await importOk(yaml);
    assert.deepEqual(report.created.map((r) => r.kind), ['OAuth2Token', 'InboundAccount', 'OutboundAccount']);
    const token = await row(TOKEN_UID, 'brand new token');
    assert.equal((await row(OUTBOUND_UID, 'new graph sender')).oauthToken.id, token.id);
    const inbox = await row(INBOUND_UID, 'new graph inbox');
    assert.equal(inbox.oauthToken.id, token.id);
    assert.equal(inbox.port, 443);
    const sender = (await admin.get(`/mail-auth/outbound-accounts/${(await row(OUTBOUND_UID, 'new graph sender')).id}`)).body;
    assert.equal(sender.oauthToken.name, 'brand new token');
    assert.equal(sender.authentication, 'oauth2');
    const activity = (await admin.get('/mail-auth/activity?subjectType=outbound-account&pageSize=100')).body.results;
    const created = activity.find((a: { kind: string; subjectName: string }) => a.kind === 'outbound-account.created' && a.subjectName === 'new graph sender');
    assert.equal(created.details.via, 'import');
  });

  test('a token named by nothing stored or in the file: 400 naming the entry and Config.OAuth2Token, nothing stored', async () => {
    const before = await snapshot();
    const yaml = [
      '- Name: a token of the same file',
      '  Config: { ClientID: x, Scope: mail, Requests: { TokenByClientCredentials: { Request: { URL: "https://idp.example/token" } } } }',
      '- Kind: InboundAccount',
      '  Name: orphan',
      '  Config:',
      '    Type: gmail-api',
      '    Authentication: oauth2',
      '    OAuth2Token: no such token',
      '',
    ].join('\n');
    for (const overwrite of [false, true]) {
      const res = await importYaml(yaml, { overwrite });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error!.name, 'ValidationError');
      const issues = res.body.error!.details.errors;
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.deepEqual(issues[0].path, ['yaml', '1', 'Config', 'OAuth2Token']);
      assert.equal(issues[0].message, 'no OAuth2 token is named "no such token"');
      assert.deepEqual(issues[0].entry, { index: 1, name: 'orphan', kind: 'InboundAccount' });
      assert.equal(yaml.split('\n')[issues[0].line! - 1].trim(), 'OAuth2Token: no such token');
      assert.equal(await snapshot(), before, 'nothing stored, not even the token of the same file');
    }
    await assert.rejects(transfer().diff(yaml), (e: { code: string }) => e.code === 'VALIDATION');
    // An outbound account too, and the rules of the admin API (a Google token cannot send through Graph).
    const outbound = '- Kind: OutboundAccount\n  Name: o\n  Config: { Type: smtp, Host: smtp.example.com, Authentication: oauth2, OAuth2Token: ghost, FromAddress: o@example.com }\n'
      + '- Kind: OutboundAccount\n  Name: p\n  Config: { Type: microsoft-graph, OAuth2Token: google mail, FromAddress: p@example.com }\n';
    const res = await importYaml(outbound);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error!.details.errors.map((i) => [i.entry?.name, i.path.join('.'), i.message.slice(0, 40)]), [
      ['o', 'yaml.0.Config.OAuth2Token', 'no OAuth2 token is named "ghost"'],
      ['p', 'yaml.1.Config.OAuth2Token', 'a token made from the "google" template '],
    ]);
    assert.equal(await snapshot(), before);
  });

  test('overwrite off skips, on updates; entries not in the file untouched; a password left out is kept, but not for another host; confirmation goes with a connection change', async () => {
    await removeAll();
    await seed();
    const doc = (parse(await exportYaml()) as Entry[]).filter((e) => e.Name !== 'legacy pop3');
    doc.find((e) => e.Name === 'support imaps')!.Config.Host = 'imap2.example.com';
    doc.find((e) => e.Name === 'smtp relay')!.Config.Description = 'only the description';
    const gmail = doc.find((e) => e.Name === 'gmail')!;
    gmail.Config.OAuth2Token = 'idp generic';
    doc.push({ Kind: 'InboundAccount', Name: 'new from file', Config: { ...doc.find((e) => e.Name === 'imap oauth')!.Config } });
    const yaml = stringify(doc);
    const untouched = JSON.stringify(await row(INBOUND_UID, 'legacy pop3'));
    const imapsBefore = JSON.stringify(await row(INBOUND_UID, 'support imaps'));

    const skipping = await importOk(yaml);
    assert.deepEqual(refs(skipping.created), ['InboundAccount:new from file']);
    assert.deepEqual(skipping.skipped.map((s) => [s.name, s.changes]).sort(), [
      ['gmail', ['Config.OAuth2Token']],
      ['smtp relay', ['Config.Description']],
      ['support imaps', ['Config.Host']],
    ]);
    assert.equal(skipping.unchanged.length, 3 + 2 + 3);
    assert.equal(JSON.stringify(await row(INBOUND_UID, 'support imaps')), imapsBefore, 'a skipped entry is not written');

    const dryBefore = await snapshot();
    const dry = await importOk(yaml, { overwrite: true, dryRun: true });
    assert.deepEqual(refs(dry.updated), ['InboundAccount:gmail', 'InboundAccount:support imaps', 'OutboundAccount:smtp relay']);
    assert.equal(await snapshot(), dryBefore, 'a dry run changes nothing');

    const overwriting = await importOk(yaml, { overwrite: true });
    assert.deepEqual(refs(overwriting.updated), ['InboundAccount:gmail', 'InboundAccount:support imaps', 'OutboundAccount:smtp relay']);
    assert.deepEqual(overwriting.created, []);
    assert.equal(JSON.stringify(await row(INBOUND_UID, 'legacy pop3')), untouched, 'not in the file: not touched');

    const imaps = await row(INBOUND_UID, 'support imaps');
    assert.equal(imaps.host, 'imap2.example.com');
    assert.equal(imaps.confirmed, false, 'another host: to be tested again');
    assert.equal(imaps.imapLastUid, null, 'and the cursors of the old server are gone');
    // Another host and no password in the file: the stored one is not sent there, it is cleared,
    // and the account is marked as needing it (validation/destination.ts).
    assert.equal(await password(INBOUND_UID, 'support imaps'), undefined, 'a password left out of the file is not kept for another host');
    assert.equal(imaps.lastError?.code, 'CONFIGURATION_REQUIRED');
    assert.match(imaps.lastError?.advice, /password: is needed again: host \(imap\.example\.com → imap2\.example\.com\) changes/);
    assert.deepEqual(overwriting.needsConfiguration.map((n) => n.name), ['support imaps']);
    const relay = await row(OUTBOUND_UID, 'smtp relay');
    assert.equal(relay.description, 'only the description');
    assert.equal(relay.confirmed, true, 'a description is no connection setting');
    assert.equal(await password(OUTBOUND_UID, 'smtp relay'), SMTP_PASSWORD);
    assert.equal((await row(INBOUND_UID, 'gmail')).oauthToken.name, 'idp generic', 'linked to the other token');

    // A new password in the file replaces the stored one and takes the confirmation away.
    await q(OUTBOUND_UID).update({ where: { name: 'smtp relay' }, data: { confirmed: true } });
    const withPassword = (parse(await exportYaml('?names=smtp%20relay')) as Entry[]);
    withPassword[0].Config.Password = 'a new password';
    assert.deepEqual((await importOk(stringify(withPassword), { overwrite: true })).updated.map((u) => u.changes), [['Config.Password']]);
    assert.equal(await password(OUTBOUND_UID, 'smtp relay'), 'a new password');
    assert.equal((await row(OUTBOUND_UID, 'smtp relay')).confirmed, false);
    const activity = (await admin.get('/mail-auth/activity?subjectType=outbound-account&pageSize=100')).body.results;
    const updated = activity.find((a: { kind: string; subjectName: string }) => a.kind === 'outbound-account.updated' && a.subjectName === 'smtp relay');
    assert.deepEqual(updated.details, { via: 'import', fields: ['Config.Password'], needsConfiguration: false });
    assert.ok(!JSON.stringify(activity).includes('a new password'));
  });

  test('an account imported with its password missing is completed by a later import with the password', async () => {
    await removeAll();
    await seed();
    const file = await exportYaml('?names=legacy%20pop3');
    await q(INBOUND_UID).deleteMany({ where: { name: 'legacy pop3' } });
    await importOk(file);
    assert.equal((await row(INBOUND_UID, 'legacy pop3')).lastError.code, 'CONFIGURATION_REQUIRED');
    const doc = parse(file) as Entry[];
    doc[0].Config.Password = 'pop-secret';
    const report = await importOk(stringify(doc), { overwrite: true });
    assert.deepEqual(report.updated.map((u) => u.changes), [['Config.Password']]);
    assert.deepEqual(report.needsConfiguration, []);
    assert.equal((await row(INBOUND_UID, 'legacy pop3')).lastError, null);
    assert.equal(await password(INBOUND_UID, 'legacy pop3'), 'pop-secret');
  });

  test('an account marked by an import is not used until it is complete: no fetch, no send, not due; saving it with its password clears the mark', async () => {
    await removeAll();
    await seed();
    const file = await exportYaml('?names=support%20imaps&names=smtp%20relay');
    await removeAll();
    await importOk(file);
    const inbound = await row(INBOUND_UID, 'support imaps');
    const outbound = await row(OUTBOUND_UID, 'smtp relay');
    assert.equal(inbound.lastError.code, 'CONFIGURATION_REQUIRED');

    const plugin = app.strapi.plugin('mail-auth');
    const fetched = await plugin.service('postmaster').fetch(inbound.id, { trigger: 'manual' });
    assert.deepEqual(fetched.errors.map((e: { code: string }) => e.code), ['CONFIGURATION_REQUIRED']);
    assert.match(fetched.errors[0].advice, /password/i);
    assert.equal((await row(INBOUND_UID, 'support imaps')).lastError.code, 'CONFIGURATION_REQUIRED', 'the mark stays');
    assert.equal((await row(INBOUND_UID, 'support imaps')).lastPollAt, null, 'no login was tried');
    assert.ok(!(await plugin.service('postmaster').dueAccounts()).some((a: { name: string }) => a.name === 'support imaps'), 'not polled');
    await assert.rejects(plugin.service('outbound').send('smtp relay', { to: 'x@example.com', subject: 's', text: 't' }), (e: { code: string; advice: string }) => e.code === 'CONFIGURATION_REQUIRED' && /password/i.test(e.advice));

    // The form (admin API) with the password: every rule holds, the mark goes.
    for (const [path, id, body] of [
      ['inbound-accounts', inbound.id, { password: IMAP_PASSWORD }],
      ['outbound-accounts', outbound.id, { password: SMTP_PASSWORD }],
    ] as const) {
      const res = await admin.put(`/mail-auth/${path}/${id}`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.lastError, null, path);
    }
    assert.ok((await plugin.service('postmaster').dueAccounts()).some((a: { name: string }) => a.name === 'support imaps'), 'polled again');
  });

  test('diff: accounts only in the database, only in the file, and changed', async () => {
    await removeAll();
    await seed();
    const doc = (parse(await exportYaml()) as Entry[]).filter((e) => e.Name !== 'graph send');
    doc.find((e) => e.Name === 'imap oauth')!.Config.PollInterval = 120;
    doc.push({ Kind: 'OutboundAccount', Name: 'only in the file', Config: { Type: 'smtp', Host: 'smtp.example.com', UseAuthentication: false, FromAddress: 'x@example.com' } });
    const diff = await transfer().diff(stringify(doc));
    assert.equal(diff.same, false);
    assert.deepEqual(refs(diff.onlyInDatabase), ['OutboundAccount:graph send']);
    assert.deepEqual(refs(diff.onlyInFile), ['OutboundAccount:only in the file']);
    assert.deepEqual(diff.changed, [{ kind: 'InboundAccount', name: 'imap oauth', changes: ['Config.PollInterval'] }]);
  });

  test('one bad account among many: nothing imported, not even the tokens of the same file; each problem named with its entry, path and line', async () => {
    const entries = [
      '- Name: bulk token\n  Config:\n    ClientID: bulk\n    Scope: mail\n    Requests:\n      TokenByClientCredentials:\n        Request:\n          URL: https://idp.example/token',
      ...Array.from({ length: 20 }, (_, i) =>
        [`- Kind: OutboundAccount`, `  Name: bulk ${String(i).padStart(2, '0')}`, '  Config:', '    Type: smtp', '    Host: smtp.example.com', '    Port: 587', '    Authentication: oauth2', '    OAuth2Token: bulk token', `    FromAddress: bulk${i}@example.com`].join('\n')
      ),
      '- Kind: InboundAccount\n  Name: bulk inbox\n  Config:\n    Type: imaps\n    Host: imap.example.com\n    Authentication: oauth2\n    OAuth2Token: bulk token\n    Login: bulk@example.com',
    ];
    entries[8] = entries[8].replace('Port: 587', 'Port: five-eight-seven');
    entries[13] = entries[13].replace('  Config:', '  Colour: red\n  Config:').replace('    Type: smtp', '    Type: smtp\n    Securty: tls');
    entries[17] = entries[17].replace(/FromAddress: .*/, 'FromAddress: not an address');
    entries[21] = entries[21].replace('Type: imaps', 'Type: imap4').replace('Host: imap.example.com', 'Host: [imap, example]');
    const yaml = `${entries.join('\n')}\n`;
    const before = await snapshot();
    const res = await importYaml(yaml, { overwrite: true });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const issues = res.body.error!.details.errors;
    const found = issues.map((i) => [i.entry?.kind, i.entry?.name, i.path.slice(1).join('.'), yaml.split('\n')[i.line! - 1].trim()]);
    assert.deepEqual(found, [
      ['OutboundAccount', 'bulk 07', '8.Config.Port', 'Port: five-eight-seven'],
      ['OutboundAccount', 'bulk 12', '13.Colour', 'Colour: red'],
      ['OutboundAccount', 'bulk 12', '13.Config.Securty', 'Securty: tls'],
      ['OutboundAccount', 'bulk 16', '17.Config.FromAddress', 'FromAddress: not an address'],
      ['InboundAccount', 'bulk inbox', '21.Config.Host', 'Host: [imap, example]'],
      ['InboundAccount', 'bulk inbox', '21.Config.Type', 'Type: imap4'],
    ]);
    const message = (path: string) => issues.find((i) => i.path.slice(1).join('.') === path)!.message;
    assert.equal(message('8.Config.Port'), 'must be a whole number');
    assert.equal(message('13.Colour'), 'is not a known field');
    assert.equal(message('13.Config.Securty'), 'is not a known field');
    assert.match(message('17.Config.FromAddress'), /must be an email address/);
    assert.equal(message('21.Config.Host'), 'must be text');
    assert.match(message('21.Config.Type'), /must be one of: imap, imaps/);
    assert.equal(await snapshot(), before);

    const fixed = yaml.replace('five-eight-seven', '587').replace('  Colour: red\n', '').replace('    Securty: tls\n', '').replace('not an address', 'bulk16@example.com').replace('imap4', 'imaps').replace('[imap, example]', 'imap.example.com');
    const report = await importOk(fixed);
    assert.equal(report.created.length, 22);
    const token = (await row(TOKEN_UID, 'bulk token')).id;
    assert.equal((await row(OUTBOUND_UID, 'bulk 19')).oauthToken.id, token);
    assert.equal((await row(INBOUND_UID, 'bulk inbox')).oauthToken.id, token);
  });

  test('wrong types and values are named, as the admin API names them', async () => {
    const before = await snapshot();
    const cases: Array<[string, string, string, RegExp]> = [
      ['a port as a list', '{ Type: imaps, Host: h.example, Port: [1], Login: l }', 'Config.Port', /must be a whole number/],
      ['a port out of range', '{ Type: imaps, Host: h.example, Port: 70000, Login: l }', 'Config.Port', /between 1 and 65535/],
      ['a flag', '{ Type: imaps, Host: h.example, Login: l, Trusted: maybe }', 'Config.Trusted', /must be 1 or 0/],
      ['a poll interval', '{ Type: imaps, Host: h.example, Login: l, PollInterval: 5 }', 'Config.PollInterval', /at least 30 seconds/],
      ['no type', '{ Host: h.example, Login: l }', 'Config.Type', /required/i],
      ['no Config', 'null', 'Config', /mapping/],
      ['an action POP3 cannot do', '{ Type: pop3, Host: h.example, Login: l, ActionAfterFetch: mark-seen }', 'Config.ActionAfterFetch', /can only delete or keep/],
      ['a move without a target', '{ Type: imaps, Host: h.example, Login: l, ActionAfterFetch: move }', 'Config.MoveTo', /required when messages are moved/],
      ['Graph with a password', '{ Type: microsoft-graph, Login: l }', 'Config.Authentication', /accepts only OAuth 2.0/],
      ['a bad certificate', '{ Type: imaps, Host: h.example, Login: l, TrustedCertificate: not a certificate }', 'Config.TrustedCertificate', /PEM/],
      ['no host', '{ Type: imaps, Login: l }', 'Config.Host', /required for IMAPS/],
    ];
    for (const [label, config, path, message] of cases) {
      const res = await importYaml(`- Kind: InboundAccount\n  Name: ${label}\n  Config: ${config}\n`);
      assert.equal(res.status, 400, `${label}: ${JSON.stringify(res.body)}`);
      const issues = res.body.error!.details.errors;
      assert.ok(issues.some((i) => i.path.slice(2).join('.') === path && message.test(i.message) && i.entry?.name === label), `${label}: ${JSON.stringify(issues)}`);
    }
    const noFrom = await importYaml('- Kind: OutboundAccount\n  Name: no from\n  Config: { Type: smtp, Host: smtp.example.com, UseAuthentication: 0 }\n');
    assert.deepEqual(noFrom.body.error!.details.errors.map((i) => i.path.join('.')), ['yaml.0.Config.FromAddress']);
    assert.equal(await snapshot(), before);
  });

  test('fuzz: 500 mutated documents with tokens and accounts, no crash and never a partial import', async (t) => {
    await removeAll();
    await seed();
    const random = prng(0xacc7);
    const bases = [await exportYaml(), await exportYaml('?secrets=include'), (await exportYaml('?names=gmail,smtp%20oauth,idp%20generic')).replaceAll('idp generic', 'idp fuzz')];
    const JUNK = [':', ': ', '- ', ' ', '  ', '[', ']', '{', '}', '&a ', '*a', '!', '|', '>', "'", '"', '#', '\n', '0', '1', 'null', '~', ',', '?', 'Kind: InboundAccount', 'Kind: OutboundAccount', 'OAuth2Token: ghost', 'Port: -1', 'x'.repeat(120), 'é', '\\'];
    const mutate = (text: string) => mutateLines(random, text, JUNK, /(Name|OAuth2Token|Host|Type): (.*)$/);
    const kindOf: Record<string, string> = { [TOKEN_UID]: 'OAuth2Token', [INBOUND_UID]: 'InboundAccount', [OUTBOUND_UID]: 'OutboundAccount' };
    const rows = async () => {
      const all = new Map<string, { ref: string; json: string }>();
      for (const uid of [TOKEN_UID, INBOUND_UID, OUTBOUND_UID]) {
        const found = (await q(uid).findMany({ populate: uid === TOKEN_UID ? undefined : { oauthToken: { select: ['id'] } } })) as Array<{ id: number; name: string }>;
        for (const r of found) all.set(`${uid}#${r.id}`, { ref: `${kindOf[uid]}:${r.name}`, json: JSON.stringify(r) });
      }
      return all;
    };
    const outcomes = await fuzzImports({
      random,
      count: 500,
      seconds: 200,
      bases,
      mutate,
      rows,
      refOf: (r) => `${r.kind}:${r.name}`,
      importer: (body) => transfer().import(body, { email: 'fuzz@example.test' }),
    });
    t.diagnostic(`imported ${outcomes.imported}, refused ${outcomes.refused}, dry runs ${500 - outcomes.imported - outcomes.refused}`);
    assert.ok(outcomes.imported > 30 && outcomes.refused > 150, JSON.stringify(outcomes));
  });

  describe('command line, against the playground on a database of its own', () => {
    const { cli, file } = cliOnOwnDatabase();

    test('import and diff name the kinds of the entries', async () => {
      await removeAll();
      await seed();
      const original = await exportYaml('?secrets=include');
      const imported = await cli(['import', file('original.yaml', original), '-y', '--json', '--no-compile']);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal((JSON.parse(imported.stdout) as Report).created.length, 12);

      const changed = file('changed.yaml', original.replace('Host: smtp.example.com', 'Host: smtp2.example.com'));
      const different = await cli(['diff', changed, '--no-compile']);
      assert.equal(different.code, 1, different.stderr);
      assert.match(different.stdout, /OutboundAccount "smtp relay"/);
      assert.match(different.stdout, /Config\.Host/);
    });
  });
});
