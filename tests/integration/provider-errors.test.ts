// Databases: sqlite. This file tests providers' error bodies and the advice for them; what they store goes
// through the same code that tokens, postmaster and exactly-once tests run on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { callbackResult, generateTokens, storedSecrets, TOKEN_UID } from '../helpers/tokens';
import { startGoogleIdentity, type GoogleIdentityServer } from '../servers/google-identity';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';

const TENANT = '7c1f3b1e-2d4a-4b5c-9e8f-0a1b2c3d4e5f';
const SECRET = 'provider-client-secret';

/**
 * Tokens of the Microsoft and Google templates against local stand-ins that answer as the
 * providers document (rotation, error bodies); the templates' endpoints are overridden,
 * as for a national cloud.
 */
describe(`Microsoft- and Google-shaped answers (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let ms: MicrosoftIdentityServer;
  let google: GoogleIdentityServer;
  let admin: AdminClient;

  const refresh = (id: number) => admin.post(`/mail-auth/tokens/${id}/refresh`);
  const token = async (id: number) => (await admin.get(`/mail-auth/tokens/${id}`)).body;
  let n = 0;
  const microsoftTokenBody = (name: string) => ({
    name,
    template: 'microsoft',
    clientId: 'ms-client',
    clientSecret: SECRET,
    tenant: TENANT,
    authorizationEndpoint: ms.authorizeEndpoint(TENANT),
    tokenEndpoint: ms.tokenEndpoint(TENANT),
    extraAuthorizationParams: { login_hint: 'agent@contoso.test' },
  });
  const microsoftToken = async () => {
    const created = await admin.post('/mail-auth/tokens', microsoftTokenBody(`microsoft-${n++}`));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const flow = await generateTokens(admin, created.body.id);
    assert.equal(flow.status, 200, flow.html);
    return created.body.id as number;
  };

  before(async () => {
    ms = await startMicrosoftIdentity({ tenantId: TENANT, users: ['agent@contoso.test'] });
    google = await startGoogleIdentity({ users: ['agent@gmail.test'] });
    app = await startStrapi();
    const redirectUris = [`${app.url}/mail-auth/oauth/callback`];
    ms.addClient({ clientId: 'ms-client', clientSecret: SECRET, redirectUris });
    ms.addClient({ clientId: 'ms-app', clientSecret: SECRET, redirectUris: [] });
    google.addClient({ clientId: 'google-client', clientSecret: SECRET, redirectUris });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    await app?.stop();
    await ms?.stop();
    await google?.stop();
  });

  test('Microsoft: code flow, who granted it, and a rotated refresh token on every refresh', async () => {
    const id = await microsoftToken();
    const t = await token(id);
    assert.equal(t.status, 'valid');
    assert.equal(t.grantedBy, 'agent@contoso.test');
    const first = await storedSecrets(app.strapi, id);
    assert.equal((await refresh(id)).status, 200);
    const second = await storedSecrets(app.strapi, id);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(ms.introspect(second.accessToken!).active, true);
    // Microsoft gets the configured scope with the refresh
    assert.ok((second.row.grantedScope ?? '').length > 0);
  });

  const cases: Array<{ kind: '65001' | '700082' | '70008' | '50173' | '7000222' | '90112' | '700016' | '900144'; reauthorize: boolean; advice: RegExp }> = [
    { kind: '65001', reauthorize: true, advice: /Grant admin consent/ },
    { kind: '700082', reauthorize: true, advice: /Generate tokens/ },
    { kind: '70008', reauthorize: true, advice: /Generate tokens/ },
    { kind: '50173', reauthorize: true, advice: /password/ },
    { kind: '7000222', reauthorize: true, advice: /Certificates & secrets/ },
    { kind: '90112', reauthorize: false, advice: /Application \(client\) ID/ },
    { kind: '700016', reauthorize: false, advice: /Application \(client\) ID/ },
    { kind: '900144', reauthorize: false, advice: /scope/ },
  ];
  for (const c of cases) {
    test(`Microsoft AADSTS${c.kind} gives ${c.reauthorize ? 'reauthorization-required' : 'error'} with advice`, async () => {
      const id = await microsoftToken();
      const before = await storedSecrets(app.strapi, id);
      ms.failNext(c.kind);
      const res = await refresh(id);
      assert.notEqual(res.status, 200);
      assert.match(res.body.error.details.advice, c.advice);
      const t = await token(id);
      assert.equal(t.status, c.reauthorize ? 'reauthorization-required' : 'error');
      assert.equal(t.lastError.code, `AADSTS${c.kind}`);
      assert.match(t.lastError.message, new RegExp(`AADSTS${c.kind}`));
      assert.match(t.lastError.advice, c.advice);
      const after = await storedSecrets(app.strapi, id);
      assert.equal(after.refreshToken, before.refreshToken, 'the stored refresh token is never erased');
      ms.clearFailures();
    });
  }

  test('Microsoft: a 500 keeps the token usable and schedules a retry', async () => {
    const id = await microsoftToken();
    ms.failNext('http500');
    assert.equal((await refresh(id)).status, 502);
    const t = await token(id);
    assert.equal(t.status, 'error');
    assert.ok(t.nextAttemptAt);
    ms.clearFailures();
    assert.equal((await refresh(id)).body.status, 'valid');
  });

  test('Microsoft: consent declined in the popup shows AADSTS65004 advice', async () => {
    const created = await admin.post('/mail-auth/tokens', microsoftTokenBody('microsoft-declined'));
    ms.denyNextConsent();
    const flow = await generateTokens(admin, created.body.id);
    const result = callbackResult(flow.html);
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'AADSTS65004');
    assert.match(result.error!.advice!, /accept the permissions/);
  });

  test('Exchange Online app-only: client credentials against the tenant endpoint', async () => {
    const created = await admin.post('/mail-auth/tokens', {
      name: 'exo-app-only',
      template: 'microsoft-app-only',
      clientId: 'ms-app',
      clientSecret: SECRET,
      tenant: TENANT,
      tokenEndpoint: ms.tokenEndpoint(TENANT),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const res = await refresh(created.body.id);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'valid');
    assert.equal(res.body.hasRefreshToken, false);
    const at = await app.strapi.plugin('mail-auth').service('tokens').getAccessToken('exo-app-only');
    assert.equal(ms.introspect(at).active, true);
    assert.equal(ms.counters.token.client_credentials, 1);
  });

  test('Google: offline access and consent are always asked; a refresh answer without a refresh token keeps the stored one', async () => {
    const created = await admin.post('/mail-auth/tokens', {
      name: 'google',
      template: 'google',
      clientId: 'google-client',
      clientSecret: SECRET,
      issuer: google.url,
      authorizationEndpoint: google.authorizationEndpoint,
      tokenEndpoint: google.tokenEndpoint,
      extraAuthorizationParams: { login_hint: 'agent@gmail.test' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const flow = await generateTokens(admin, created.body.id);
    assert.equal(flow.status, 200, flow.html);
    assert.equal(flow.authorizationUrl.searchParams.get('access_type'), 'offline');
    assert.equal(flow.authorizationUrl.searchParams.get('prompt'), 'consent');
    const id = created.body.id as number;
    const first = await storedSecrets(app.strapi, id);
    assert.ok(first.refreshToken);
    assert.equal((await token(id)).grantedBy, 'agent@gmail.test');
    assert.equal((await refresh(id)).status, 200);
    const second = await storedSecrets(app.strapi, id);
    assert.equal(second.refreshToken, first.refreshToken, 'kept: Google sends none on refresh');
    assert.notEqual(second.accessToken, first.accessToken);

    google.failNext('invalid_grant');
    await refresh(id);
    const t = await token(id);
    assert.equal(t.status, 'reauthorization-required');
    assert.match(t.lastError.advice, /Testing.*7 days/);
    const third = await storedSecrets(app.strapi, id);
    assert.equal(third.refreshToken, first.refreshToken);
    assert.equal((await app.strapi.db.query(TOKEN_UID).findOne({ where: { id } })).status, 'reauthorization-required');
  });

  /** Sign in with a code: start, the person at the provider's page, the grant's end as the plugin saw it. */
  const signInWithCode = async (id: number, enter: (userCode: string) => void) => {
    const started = await admin.post(`/mail-auth/tokens/${id}/device-authorize`);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    enter(started.body.userCode);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const grant = (await admin.get(`/mail-auth/tokens/${id}/device-authorize`)).body;
      if (grant.state !== 'pending') return { started: started.body, grant };
      if (Date.now() > deadline) throw new Error('the grant did not end');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test('Microsoft: sign in with a code (devicecode endpoint), and a declined one', async () => {
    ms.addClient({ clientId: 'ms-device', clientSecret: SECRET, deviceInterval: 1 });
    const created = await admin.post('/mail-auth/tokens', {
      ...microsoftTokenBody('microsoft-device'),
      clientId: 'ms-device',
      deviceAuthorizationEndpoint: ms.deviceCodeEndpoint(TENANT),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    const { started, grant } = await signInWithCode(id, (code) => ms.enterDeviceCode(code, 'allow', 'agent@contoso.test'));
    assert.equal(started.verificationUri, `${ms.url}/devicelogin`);
    assert.match(started.userCode, /^[A-Z]{9}$/);
    assert.equal(grant.state, 'authorized');
    assert.equal((await token(id)).grantedBy, 'agent@contoso.test');
    assert.equal(ms.counters.token['urn:ietf:params:oauth:grant-type:device_code'] >= 1, true);

    const declined = await signInWithCode(id, (code) => ms.enterDeviceCode(code, 'decline'));
    assert.equal(declined.grant.state, 'denied');
    assert.match(declined.grant.error.message, /authorization_declined/);
    assert.match(declined.grant.error.advice, /refused/);
    assert.equal((await token(id)).status, 'valid', 'a refused new sign-in leaves the earlier grant in use');
  });

  test('Google: sign in with a code (verification_url), a client of the wrong type, and Gmail scopes', async () => {
    google.addClient({ clientId: 'google-tv', clientSecret: SECRET, type: 'tv', deviceInterval: 1 });
    const body = (name: string, clientId: string, scope: string) => ({
      name,
      template: 'google',
      clientId,
      clientSecret: SECRET,
      issuer: google.url,
      authorizationEndpoint: google.authorizationEndpoint,
      tokenEndpoint: google.tokenEndpoint,
      deviceAuthorizationEndpoint: `${google.url}/device/code`,
      scope,
    });
    const created = await admin.post('/mail-auth/tokens', body('google-device', 'google-tv', 'openid email'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    const { started, grant } = await signInWithCode(id, (code) => google.enterDeviceCode(code, 'allow', 'agent@gmail.test'));
    assert.equal(started.verificationUri, `${google.url}/device`, "Google's verification_url read as verification_uri");
    assert.equal(grant.state, 'authorized');
    assert.equal((await token(id)).grantedBy, 'agent@gmail.test');

    // A Web application client: Google refuses it the device flow, the advice says which type it needs.
    const web = await admin.post('/mail-auth/tokens', body('google-device-web', 'google-client', 'openid email'));
    const refused = await admin.post(`/mail-auth/tokens/${web.body.id}/device-authorize`);
    assert.equal(refused.status, 502, JSON.stringify(refused.body));
    assert.match(refused.body.error.details.advice, /TVs and Limited Input devices/);

    // Gmail scopes are refused before Google is asked (Google would answer invalid_scope).
    const gmail = await admin.post('/mail-auth/tokens', body('google-device-gmail', 'google-tv', 'openid email https://mail.google.com/'));
    const before = google.counters.token;
    const noMail = await admin.post(`/mail-auth/tokens/${gmail.body.id}/device-authorize`);
    assert.equal(noMail.status, 400);
    assert.match(noMail.body.error.details.advice, /Generate tokens/);
    assert.deepEqual(google.counters.token, before);
  });
});
