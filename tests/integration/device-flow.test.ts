import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AdminClient, adminClients } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startStrapiProcess, type StrapiProcess } from '../helpers/strapi-process';
import { TOKEN_UID } from '../helpers/tokens';
import { enterUserCode } from '../servers/headless';
import { DEVICE_CODE_GRANT, startOAuthServer, type OAuthClientOptions, type OAuthTestServer } from '../servers/oauth-server';

const SECRET = 'device-client-secret';
const SCOPE = 'openid email offline_access mail';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

/**
 * Sign in with a code (RFC 8628) against oidc-provider with its device flow on: the plugin
 * polls the token endpoint itself, at the provider's interval, until the person at the
 * provider's page approved, refused or let the code expire. Runs on every database: the grant
 * lives in the database, and two instances on one database poll it in turns.
 */
describe(`sign in with a code (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  let outsider: AdminClient;
  let count = 0;

  /** A generic token whose client may use the device grant; its device endpoint comes from discovery. */
  const deviceToken = async (client: Partial<OAuthClientOptions> = {}) => {
    count += 1;
    const clientId = `device-${count}`;
    await op.addClient({
      clientId,
      clientSecret: SECRET,
      grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_post',
      deviceInterval: 1,
      ...client,
    });
    const created = await admin.post('/mail-auth/tokens', {
      name: `device ${count}`,
      template: 'generic',
      clientId,
      clientSecret: SECRET,
      issuer: op.issuer,
      authorizationEndpoint: op.authorizationEndpoint,
      tokenEndpoint: op.tokenEndpoint,
      scope: SCOPE,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    clientOf.set(created.body.id, clientId);
    return created.body.id as number;
  };

  const start = async (id: number, client = admin) => {
    const started = await client.post(`/mail-auth/tokens/${id}/device-authorize`);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    return started.body as { userCode: string; verificationUri: string; interval: number; expiresIn: number; state: string };
  };
  const grantOf = async (id: number, client = admin) => (await client.get(`/mail-auth/tokens/${id}/device-authorize`)).body;
  const ended = (id: number, client = admin) =>
    waitFor(`the grant of token ${id} to end`, async () => {
      const grant = await grantOf(id, client);
      return grant.state !== 'pending' && grant;
    });
  /** When the provider saw each poll of this token's client (ms). */
  const clientOf = new Map<number, string>();
  const pollTimes = (id: number) => op.counters.devicePolls.filter((p) => p.clientId === clientOf.get(id)).map((p) => p.at);
  const activities = (id: number, kind: string) =>
    app.strapi.db.query('plugin::mail-auth.activity').count({ where: { subjectType: 'token', subjectId: id, kind } });

  before(async () => {
    op = await startOAuthServer();
    app = await startStrapi();
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
  });

  after(async () => {
    await app?.stop();
    await op?.stop();
  });

  test('success: the code, the interval, then a token stored like a code-flow token', async () => {
    const id = await deviceToken();
    op.resetCounters();
    const started = await start(id);
    assert.equal(started.state, 'pending');
    assert.equal(started.verificationUri, op.deviceVerificationUri);
    assert.match(started.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(started.interval, 1);
    assert.ok(started.expiresIn > 590 && started.expiresIn <= 600, `expiresIn ${started.expiresIn}`);
    assert.equal(JSON.stringify(started).includes('deviceCode'), false, 'the device code stays on the server');

    // The server polls on its own while the person has not entered the code yet.
    await waitFor('two polls answered authorization_pending', async () => pollTimes(id).length >= 2);
    assert.equal((await grantOf(id)).state, 'pending');

    op.loginNextAs('bob@example.test');
    assert.match(await enterUserCode(started.verificationUri, started.userCode), /Signed in/);
    const grant = await ended(id);
    assert.equal(grant.state, 'authorized');
    assert.equal(grant.grantedBy, 'bob@example.test');

    const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'valid');
    assert.equal(token.grantedBy, 'bob@example.test');
    assert.equal(token.hasRefreshToken, true);
    assert.equal(await activities(id, 'token.authorized'), 1);
    const times = pollTimes(id);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 900, `polls ${times[i] - times[i - 1]} ms apart`);

    // A usable access token for the mailbox, and a refresh token that rotates as any other.
    const accessToken = await app.strapi.plugin('mail-auth').service('tokens').getAccessToken(id);
    assert.equal((await op.introspect(accessToken)).email, 'bob@example.test');
    const refreshed = await admin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(op.counters.issued[DEVICE_CODE_GRANT], 1);
    assert.equal(op.counters.issued.refresh_token, 1);
  });

  test('slow_down: every later poll waits 5 s longer', async () => {
    const id = await deviceToken();
    op.resetCounters();
    op.failTokenEndpoint('slow_down', 1);
    await start(id);
    await waitFor('the interval grown to 6 s', async () => (await grantOf(id)).interval === 6);
    const slowedAt = pollTimes(id)[0];
    const started = await grantOf(id);
    await enterUserCode(started.verificationUri, started.userCode);
    assert.equal((await ended(id)).state, 'authorized');
    const times = pollTimes(id);
    assert.equal(times.length, 2, 'one poll after slow_down, when the person had signed in');
    assert.ok(times[1] - slowedAt >= 5_900, `the next poll came ${times[1] - slowedAt} ms after slow_down`);
  });

  test('an expired code: at the provider (expired_token), and by its own expires_in', async () => {
    // The provider's code lives 2 s while its answer names 60: the provider says expired_token.
    const atProvider = await deviceToken({ deviceCodeTtl: 2, deviceAnnouncedExpiresIn: 60 });
    await start(atProvider);
    const grant = await ended(atProvider);
    assert.equal(grant.state, 'expired');
    assert.equal(grant.error.code, 'expired_token');
    assert.match(grant.error.advice, /Sign in with a code again/);
    const token = (await admin.get(`/mail-auth/tokens/${atProvider}`)).body;
    assert.equal(token.status, 'not-authorized', 'a sign-in that never happened leaves the token as it was');
    assert.equal(token.lastError.code, 'expired_token');
    assert.equal(await activities(atProvider, 'token.authorization-failed'), 1);

    // A code whose expires_in has passed is not polled again.
    const own = await deviceToken({ deviceCodeTtl: 2 });
    op.resetCounters();
    await start(own);
    assert.equal((await ended(own)).state, 'expired');
    const polls = pollTimes(own).length;
    await sleep(1_500);
    assert.equal(pollTimes(own).length, polls, 'no poll after the code expired');
  });

  test('denied: the person aborts at the provider', async () => {
    const id = await deviceToken();
    const started = await start(id);
    await enterUserCode(started.verificationUri, started.userCode, 'deny');
    const grant = await ended(id);
    assert.equal(grant.state, 'denied');
    assert.equal(grant.error.code, 'access_denied');
    assert.match(grant.error.advice, /refused/);
    const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'not-authorized');
    assert.equal(token.hasAccessToken, false);
    assert.equal(await activities(id, 'token.authorization-failed'), 1);
  });

  test('cancelled: the server stops polling, a code entered later stores nothing', async () => {
    const id = await deviceToken();
    const started = await start(id);
    await waitFor('a first poll', async () => pollTimes(id).length >= 1);
    const cancelled = await admin.delete(`/mail-auth/tokens/${id}/device-authorize`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, 'pending', 'answered as it was');
    assert.equal((await admin.get(`/mail-auth/tokens/${id}/device-authorize`)).status, 404);
    await sleep(300); // a poll under way when it was cancelled
    const polls = pollTimes(id).length;
    await enterUserCode(started.verificationUri, started.userCode);
    await sleep(1_500);
    assert.equal(pollTimes(id).length, polls, 'no poll after the cancel');
    assert.equal((await admin.get(`/mail-auth/tokens/${id}`)).body.status, 'not-authorized');
    assert.equal((await admin.delete(`/mail-auth/tokens/${id}/device-authorize`)).status, 404);
  });

  test('refused before the provider is asked: permissions, grant type, Google mail scopes, unknown tokens', async () => {
    const id = await deviceToken();
    assert.equal((await outsider.post(`/mail-auth/tokens/${id}/device-authorize`)).status, 403);
    assert.equal((await outsider.get(`/mail-auth/tokens/${id}/device-authorize`)).status, 403);
    const none = await admin.get(`/mail-auth/tokens/${id}/device-authorize`);
    assert.equal(none.status, 404);
    assert.match(none.body.error.message, /No sign-in with a code/);
    assert.equal((await admin.post('/mail-auth/tokens/999999/device-authorize')).status, 404);

    const appOnly = await admin.post('/mail-auth/tokens', {
      name: 'device app-only',
      template: 'generic-client-credentials',
      clientId: 'x',
      clientSecret: 'y',
      tokenEndpoint: op.tokenEndpoint,
    });
    const refused = await admin.post(`/mail-auth/tokens/${appOnly.body.id}/device-authorize`);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error.details.errors[0].path, ['grantType']);

    const google = await admin.post('/mail-auth/tokens', {
      name: 'device google',
      template: 'google',
      clientId: 'google-client',
      clientSecret: 'google-secret',
      scope: 'openid email https://mail.google.com/',
    });
    const gmail = await admin.post(`/mail-auth/tokens/${google.body.id}/device-authorize`);
    assert.equal(gmail.status, 400);
    assert.deepEqual(gmail.body.error.details.errors[0].path, ['scope']);
    assert.match(gmail.body.error.details.advice, /never a Gmail scope/);

    // Without an issuer to discover it from, the device endpoint is needed; given, it is used.
    await op.addClient({ clientId: 'device-no-issuer', clientSecret: SECRET, grantTypes: [DEVICE_CODE_GRANT], tokenEndpointAuthMethod: 'client_secret_post' });
    const withoutIssuer = await admin.post('/mail-auth/tokens', {
      name: 'device no issuer',
      template: 'generic',
      clientId: 'device-no-issuer',
      clientSecret: SECRET,
      authorizationEndpoint: op.authorizationEndpoint,
      tokenEndpoint: op.tokenEndpoint,
      scope: 'mail',
    });
    const noEndpoint = await admin.post(`/mail-auth/tokens/${withoutIssuer.body.id}/device-authorize`);
    assert.equal(noEndpoint.status, 400);
    assert.deepEqual(noEndpoint.body.error.details.errors[0].path, ['deviceAuthorizationEndpoint']);
    const set = await admin.put(`/mail-auth/tokens/${withoutIssuer.body.id}`, { deviceAuthorizationEndpoint: `${op.issuer}/device/auth` });
    assert.equal(set.body.deviceAuthorizationEndpoint, `${op.issuer}/device/auth`);
    assert.equal((await start(withoutIssuer.body.id)).state, 'pending');
    const badUrl = await admin.put(`/mail-auth/tokens/${withoutIssuer.body.id}`, { deviceAuthorizationEndpoint: 'ftp://idp.example/device' });
    assert.equal(badUrl.status, 400);
    assert.deepEqual(badUrl.body.error.details.errors[0].path, ['deviceAuthorizationEndpoint']);
    // Deleting the token ends its grant: nothing polls it any more.
    assert.equal((await admin.delete(`/mail-auth/tokens/${withoutIssuer.body.id}`)).status, 200);
    assert.equal(await app.strapi.db.query('plugin::mail-auth.oauth-device-grant').count({ where: { tokenId: withoutIssuer.body.id } }), 0);
  });

  describe('two instances on one database', () => {
    let other: StrapiProcess;

    before(async () => {
      other = await startStrapiProcess({ database: app.database, env: { SERVE_ADMIN_PANEL: 'false', MAIL_AUTH_RUN_JOBS: 'false' } });
    });
    after(async () => {
      await other?.stop();
    });

    test('both poll the same grant in turns, and the token is stored once', async () => {
      const onOther = new AdminClient(other.url, admin.token);
      const id = await deviceToken();
      op.resetCounters();
      const started = await start(id);
      // The other instance is asked about the grant: from then on it polls it too.
      assert.equal((await grantOf(id, onOther)).state, 'pending');
      await waitFor('four polls', async () => pollTimes(id).length >= 4);
      await enterUserCode(started.verificationUri, started.userCode);
      const [here, there] = await Promise.all([ended(id), ended(id, onOther)]);
      assert.equal(here.state, 'authorized');
      assert.equal(there.state, 'authorized');
      assert.equal(op.counters.issued[DEVICE_CODE_GRANT], 1, 'one token issued');
      assert.equal(await activities(id, 'token.authorized'), 1, 'and stored once');
      assert.equal(await activities(id, 'token.authorization-failed'), 0, 'no poll after it (the code is used up)');
      const times = pollTimes(id);
      for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 800, `polls ${times[i] - times[i - 1]} ms apart: never both at once`);
      const stored = await app.strapi.db.query(TOKEN_UID).findOne({ where: { id } });
      assert.equal(stored.status, 'valid');
    });

    test('a grant started on one instance completes on the other alone', async () => {
      const onOther = new AdminClient(other.url, admin.token);
      const id = await deviceToken();
      const started = await start(id);
      // This instance stops polling (as if it went away); the other one finds the grant when asked.
      await app.strapi.plugin('mail-auth').service('device-grants').stop();
      op.resetCounters();
      assert.equal((await grantOf(id, onOther)).state, 'pending');
      await enterUserCode(started.verificationUri, started.userCode);
      assert.equal((await ended(id, onOther)).state, 'authorized');
      assert.equal(op.counters.issued[DEVICE_CODE_GRANT], 1);
      assert.equal((await admin.get(`/mail-auth/tokens/${id}`)).body.status, 'valid');
    });
  });
});
