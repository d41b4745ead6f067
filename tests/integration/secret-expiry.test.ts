import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { generateTokens } from '../helpers/tokens';
import { transferApi } from '../helpers/transfer';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';
import { freePort } from '../servers/ports';

const TENANT = '3a9e1c44-5b2d-4f6e-8a7b-1c2d3e4f5a6b';
const SECRET = 'expiring-client-secret';
const DAY = 86_400_000;
/** YYYY-MM-DD, `days` from today (UTC). */
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/**
 * The client secret's expiry date: entered per token, warned of by the banner
 * `secretExpiryWarningDays` (30 by default) ahead, refused beyond the 24 months Microsoft
 * allows, carried by export and import, and named by the advice for AADSTS7000222.
 */
describe(`client secret expiry (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let ms: MicrosoftIdentityServer;
  let admin: AdminClient;
  const transfer = transferApi(() => admin);

  const body = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    template: 'microsoft',
    clientId: 'ms-expiring',
    clientSecret: SECRET,
    tenant: TENANT,
    authorizationEndpoint: ms.authorizeEndpoint(TENANT),
    tokenEndpoint: ms.tokenEndpoint(TENANT),
    extraAuthorizationParams: { login_hint: 'agent@contoso.test' },
    ...extra,
  });
  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await admin.post('/mail-auth/tokens', body(name, extra));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; clientSecretExpiresOn: string | null };
  };
  const secretNotices = async () =>
    ((await admin.get('/mail-auth/notifications')).body.results as Array<{ tokenName: string; kind: string; message: string; advice: string }>).filter(
      (n) => n.kind.startsWith('client-secret')
    );

  before(async () => {
    ms = await startMicrosoftIdentity({ tenantId: TENANT, users: ['agent@contoso.test'] });
    app = await startStrapi();
    ms.addClient({ clientId: 'ms-expiring', clientSecret: SECRET, redirectUris: [`${app.url}/mail-auth/oauth/callback`] });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
    await ms?.stop();
  });

  test('the date is stored as entered and shown; the banner warns within 30 days, and of a past date, not before', async () => {
    const soon = await create('secret in 10 days', { clientSecretExpiresOn: inDays(10) });
    assert.equal(soon.clientSecretExpiresOn, inDays(10));
    assert.equal((await admin.get(`/mail-auth/tokens/${soon.id}`)).body.clientSecretExpiresOn, inDays(10));
    await create('secret in 90 days', { clientSecretExpiresOn: inDays(90) });
    await create('secret expired', { clientSecretExpiresOn: inDays(-2) });
    await create('no secret date');

    const notices = await secretNotices();
    assert.deepEqual(
      notices.map((n) => [n.tokenName, n.kind]),
      [
        ['secret expired', 'client-secret-expired'],
        ['secret in 10 days', 'client-secret-expiring'],
      ]
    );
    const expiring = notices.find((n) => n.kind === 'client-secret-expiring')!;
    assert.match(expiring.message, new RegExp(`expires on ${inDays(10)}, in 10 days`));
    assert.match(expiring.advice, /Certificates & secrets/);
    assert.match(expiring.advice, /ms-expiring/, 'the advice names the app registration by its client id');

    // The accounts that use the token say so too, in their view and beside Test & confirm's steps.
    const later = (await admin.get('/mail-auth/tokens?search=secret%20in%2090%20days')).body.results[0];
    const account = async (name: string, tokenId: number) => {
      const res = await admin.post('/mail-auth/inbound-accounts', { name, type: 'imap', host: '127.0.0.1', port: await freePort(), login: 'agent@contoso.test', authentication: 'oauth2', oauthToken: tokenId });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: number; warnings: Array<{ code: string; message: string }> };
    };
    const warned = await account('reads with the expiring secret', soon.id);
    assert.deepEqual(warned.warnings.map((w) => w.code), ['CLIENT_SECRET_EXPIRING']);
    assert.match(warned.warnings[0].message, new RegExp(`"secret in 10 days" expires on ${inDays(10)}`));
    const tested = await admin.post(`/mail-auth/inbound-accounts/${warned.id}/test`);
    assert.deepEqual(tested.body.warnings.map((w: { code: string }) => w.code), ['CLIENT_SECRET_EXPIRING']);
    assert.deepEqual((await account('reads with a secret good for months', later.id)).warnings, []);

    // A new secret entered with its new date: the warning goes.
    const renewed = await admin.put(`/mail-auth/tokens/${soon.id}`, { clientSecret: 'the-new-secret', clientSecretExpiresOn: inDays(700) });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.deepEqual((await secretNotices()).map((n) => n.tokenName), ['secret expired']);
    assert.deepEqual((await admin.get(`/mail-auth/inbound-accounts/${warned.id}`)).body.warnings, []);
  });

  test('a date past 24 months, or not a date, is refused naming the field', async () => {
    const tooLate = await admin.post('/mail-auth/tokens', body('secret in 3 years', { clientSecretExpiresOn: inDays(3 * 365) }));
    assert.equal(tooLate.status, 400);
    const errors = tooLate.body.error.details.errors as Array<{ path: string[]; message: string }>;
    assert.deepEqual(errors.map((e) => e.path.join('.')), ['clientSecretExpiresOn']);
    assert.match(errors[0].message, /24 months/);

    for (const bad of ['30.06.2027', '2027-02-30', 'soon']) {
      const res = await admin.post('/mail-auth/tokens', body(`bad date ${bad}`, { clientSecretExpiresOn: bad }));
      assert.equal(res.status, 400, bad);
      assert.deepEqual(
        (res.body.error.details.errors as Array<{ path: string[] }>).map((e) => e.path.join('.')),
        ['clientSecretExpiresOn'],
        bad
      );
    }
    // A generic provider's secret may last longer.
    const generic = await admin.post('/mail-auth/tokens', {
      name: 'generic long secret',
      template: 'generic',
      clientId: 'generic-client',
      clientSecret: 's',
      authorizationEndpoint: 'https://login.example.test/authorize',
      tokenEndpoint: 'https://login.example.test/token',
      scope: 'mail',
      clientSecretExpiresOn: inDays(5 * 365),
    });
    assert.equal(generic.status, 201, JSON.stringify(generic.body));
  });

  test('export carries the date and import restores it', async () => {
    const { id } = await create('exported secret date', { clientSecretExpiresOn: inDays(200) });
    const yaml = await transfer.exportYaml();
    assert.match(yaml, new RegExp(`ClientSecretExpiresOn: "?${inDays(200)}"?`));

    const changed = yaml.replace(inDays(200), inDays(20));
    const report = await transfer.importOk(changed, { overwrite: true });
    assert.ok(report.updated.some((r) => r.name === 'exported secret date'), JSON.stringify(report));
    assert.equal((await admin.get(`/mail-auth/tokens/${id}`)).body.clientSecretExpiresOn, inDays(20));
    assert.ok((await secretNotices()).some((n) => n.tokenName === 'exported secret date'));

    const badDate = await transfer.importYaml(yaml.replace(inDays(200), 'next year'), { overwrite: true });
    assert.equal(badDate.status, 400, JSON.stringify(badDate.body));
    assert.ok(
      badDate.body.error!.details.errors.some((e) => e.path.join('.').endsWith('MailAuth.ClientSecretExpiresOn')),
      JSON.stringify(badDate.body.error!.details.errors)
    );
  });

  test('AADSTS7000222 (the secret has expired) names the token and the app registration', async () => {
    const { id } = await create('secret gone');
    const flow = await generateTokens(admin, id);
    assert.equal(flow.status, 200, flow.html);
    ms.failNext('7000222');
    const res = await admin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.notEqual(res.status, 200);
    const advice = res.body.error.details.advice as string;
    assert.match(advice, /token "secret gone"/);
    assert.match(advice, /Application \(client\) ID ms-expiring/);
    assert.match(advice, /Certificates & secrets/);
    ms.clearFailures();
  });
});
