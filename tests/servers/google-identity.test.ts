import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { followAuthorization } from './headless';
import { startGoogleIdentity, type GoogleFailure, type GoogleIdentityServer } from './google-identity';

const REDIRECT = 'http://127.0.0.1:9/oauth/callback';
const CLIENT = '1234-test.apps.googleusercontent.com';

describe('Google OAuth 2.0 stand-in', () => {
  let g: GoogleIdentityServer;
  let config: oidc.Configuration;

  const post = (form: Record<string, string>, signal?: AbortSignal) =>
    fetch(g.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form), signal });

  async function codeFlow(params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid email https://mail.google.com/', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      ...params,
    });
    const cb = await followAuthorization(url.href, REDIRECT);
    return { cb, verifier, state, tokens: () => oidc.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: state }) };
  }

  before(async () => {
    g = await startGoogleIdentity({ clients: [{ clientId: CLIENT, clientSecret: 'GOCSPX-test', redirectUris: [REDIRECT] }] });
    g.addUser('dora@example.test');
    config = new oidc.Configuration(g.metadata() as oidc.ServerMetadata, CLIENT, undefined, oidc.ClientSecretPost('GOCSPX-test'));
    oidc.allowInsecureRequests(config);
  });
  after(() => g?.stop());
  beforeEach(() => { g.clearFailures(); g.resetCounters(); });

  it('first offline consent: refresh token, Google-style scope, signed ID token with email', async () => {
    const { cb, tokens } = await codeFlow({ access_type: 'offline', login_hint: 'alice@example.test' });
    assert.match(cb.searchParams.get('scope') ?? '', /userinfo\.email/);
    const t = await tokens();
    assert.match(t.access_token, /^ya29\./);
    assert.ok(t.refresh_token);
    assert.equal(t.scope, 'openid https://www.googleapis.com/auth/userinfo.email https://mail.google.com/');
    assert.equal(t.claims()?.email, 'alice@example.test');
    assert.equal(t.claims()?.email_verified, true);
    const info = g.introspect(t.access_token);
    assert.equal(info.active, true);
    assert.equal(info.email, 'alice@example.test');
    assert.equal(info.azp, CLIENT);
    assert.deepEqual(g.counters.token, { authorization_code: 1 });
  });

  it('re-consent without prompt=consent gives no refresh token; with prompt=consent it does', async () => {
    assert.ok((await (await codeFlow({ access_type: 'offline', login_hint: 'bob@example.test' })).tokens()).refresh_token);
    const again = await (await codeFlow({ access_type: 'offline', login_hint: 'bob@example.test' })).tokens();
    assert.equal(again.refresh_token, undefined);
    const forced = await (await codeFlow({ access_type: 'offline', prompt: 'consent', login_hint: 'bob@example.test' })).tokens();
    assert.ok(forced.refresh_token);
  });

  it('online access (the default) never gives a refresh token', async () => {
    const t = await (await codeFlow({ login_hint: 'dora@example.test' })).tokens();
    assert.equal(t.refresh_token, undefined);
    assert.ok(t.access_token);
  });

  it('refresh does not rotate: no refresh_token in the answer, the same one keeps working', async () => {
    const first = await (await codeFlow({ access_type: 'offline', prompt: 'consent' })).tokens();
    const r1 = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.equal(r1.refresh_token, undefined);
    assert.notEqual(r1.access_token, first.access_token);
    assert.ok((await oidc.refreshTokenGrant(config, first.refresh_token!)).access_token);
    assert.equal(g.counters.token.refresh_token, 2);
  });

  it('redirect_uri_mismatch: an HTML error page (400), no redirect, reason recorded and embedded as JSON', async () => {
    const r = await fetch(`${g.authorizationEndpoint}?client_id=${CLIENT}&response_type=code&scope=email&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/other')}`, { redirect: 'manual' });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('location'), null);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    const html = await r.text();
    assert.match(html, /Error 400: redirect_uri_mismatch/);
    const embedded = /<script type="application\/json" id="error">([^<]*)<\/script>/.exec(html)![1]
      .replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)));
    assert.equal(JSON.parse(embedded).error, 'redirect_uri_mismatch');
    assert.equal(g.authorizeErrors.at(-1)?.error, 'redirect_uri_mismatch');
  });

  it('unknown client at authorize: 401 page "The OAuth client was not found."', async () => {
    const r = await fetch(`${g.authorizationEndpoint}?client_id=nope&response_type=code&scope=email&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: 'manual' });
    assert.equal(r.status, 401);
    assert.match(await r.text(), /The OAuth client was not found\./);
  });

  it('refused consent comes back as error=access_denied with the state', async () => {
    g.denyNextConsent();
    const { cb, state } = await codeFlow();
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('code'), null);
  });

  it('prompt=none before any consent: consent_required', async () => {
    g.addUser('erin@example.test');
    const { cb } = await codeFlow({ prompt: 'none', login_hint: 'erin@example.test' });
    assert.equal(cb.searchParams.get('error'), 'consent_required');
  });

  it('token endpoint refusals as Google words them', async () => {
    const { cb, verifier } = await codeFlow();
    const code = cb.searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', client_id: CLIENT, client_secret: 'GOCSPX-test', code, redirect_uri: REDIRECT };
    const expect = async (f: Record<string, string>, status: number, error: string, description: string) => {
      const r = await post(f);
      assert.equal(r.status, status, JSON.stringify(f));
      assert.deepEqual(await r.json(), { error, error_description: description });
    };
    await expect({ ...form, client_id: 'nope' }, 401, 'invalid_client', 'The OAuth client was not found.');
    await expect({ ...form, client_secret: 'wrong' }, 401, 'invalid_client', 'Unauthorized');
    await expect({ ...form, code_verifier: 'y'.repeat(43) }, 400, 'invalid_grant', 'Invalid code verifier.');
    await expect({ ...form, code: 'garbage' }, 400, 'invalid_grant', 'Malformed auth code.');
    assert.equal((await post({ ...form, code_verifier: verifier })).status, 200);
    await expect({ ...form, code_verifier: verifier }, 400, 'invalid_grant', 'Bad Request');
    await expect({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: 'GOCSPX-test' }, 400, 'unsupported_grant_type', 'Invalid grant_type: client_credentials');
  });

  const injected: [GoogleFailure, number, string, string][] = [
    ['invalid_grant', 400, 'invalid_grant', 'Token has been expired or revoked.'],
    ['invalid_grant_bad_request', 400, 'invalid_grant', 'Bad Request'],
    ['invalid_client', 401, 'invalid_client', 'The OAuth client was not found.'],
    ['invalid_client_unauthorized', 401, 'invalid_client', 'Unauthorized'],
    ['http500', 500, 'internal_failure', 'Backend Error'],
  ];
  for (const [kind, status, error, description] of injected) {
    it(`failNext('${kind}') answers ${status} ${error}, once`, async () => {
      const t = await (await codeFlow({ access_type: 'offline', prompt: 'consent' })).tokens();
      g.failNext(kind);
      const r = await post({ grant_type: 'refresh_token', client_id: CLIENT, client_secret: 'GOCSPX-test', refresh_token: t.refresh_token! });
      assert.equal(r.status, status);
      assert.deepEqual(await r.json(), { error, error_description: description });
      assert.ok((await oidc.refreshTokenGrant(config, t.refresh_token!)).access_token);
    });
  }

  it('timeout: holds the request until the client aborts', async () => {
    g.failNext('timeout');
    const started = Date.now();
    await assert.rejects(post({ grant_type: 'refresh_token', client_id: CLIENT, refresh_token: 'x' }, AbortSignal.timeout(300)), /abort|timeout/i);
    assert.ok(Date.now() - started >= 250);
    assert.equal((await post({ grant_type: 'refresh_token', client_id: CLIENT, client_secret: 'GOCSPX-test', refresh_token: 'x' })).status, 400);
  });

  it('revocation kills the grant; the next offline consent gets a refresh token again', async () => {
    const t = await (await codeFlow({ access_type: 'offline', prompt: 'consent', login_hint: 'dora@example.test' })).tokens();
    const r = await fetch(`${g.revocationEndpoint}?token=${encodeURIComponent(t.access_token)}`, { method: 'POST' });
    assert.equal(r.status, 200);
    assert.equal(g.introspect(t.access_token).active, false);
    await assert.rejects(oidc.refreshTokenGrant(config, t.refresh_token!), (e: oidc.ResponseBodyError) =>
      e.error === 'invalid_grant' && e.error_description === 'Token has been expired or revoked.');
    assert.ok((await (await codeFlow({ access_type: 'offline', login_hint: 'dora@example.test' })).tokens()).refresh_token);
    assert.equal((await fetch(`${g.revocationEndpoint}?token=${encodeURIComponent(t.access_token)}`, { method: 'POST' })).status, 400);
  });

  it('tokeninfo answers in Google\'s shape, 400 invalid_token once expired', async () => {
    const t = await (await codeFlow({ login_hint: 'alice@example.test' })).tokens();
    const info = (await (await fetch(`${g.tokeninfoEndpoint}?access_token=${t.access_token}`)).json()) as Record<string, string>;
    assert.equal(info.email, 'alice@example.test');
    assert.equal(info.aud, CLIENT);
    assert.match(info.expires_in, /^\d+$/);
    g.expireAccessTokens('alice@example.test');
    const r = await fetch(`${g.tokeninfoEndpoint}?access_token=${t.access_token}`);
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_token');
  });
});
