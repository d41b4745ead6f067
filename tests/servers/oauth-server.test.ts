import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { enterUserCode, followAuthorization } from './headless';
import { DEVICE_CODE_GRANT, startOAuthServer, type OAuthTestServer } from './oauth-server';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('OAuth test server (oidc-provider)', () => {
  let op: OAuthTestServer;
  let rotating: oidc.Configuration;
  let fixed: oidc.Configuration;

  // allowInsecureRequests: the test server speaks http on loopback; never for real issuers
  const discover = (id: string, secret: string) =>
    oidc.discovery(new URL(op.issuer), id, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });

  async function codeFlow(config: oidc.Configuration, loginHint?: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email offline_access mail',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    const cb = await followAuthorization(url.href, REDIRECT);
    return { cb, state, tokens: () => oidc.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: state }) };
  }

  before(async () => {
    op = await startOAuthServer({
      clients: [
        { clientId: 'rotating', clientSecret: 'rotating-secret', redirectUris: [REDIRECT],
          grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] },
      ],
    });
    // added after start, as tests of the plugin will do
    await op.addClient({ clientId: 'fixed', clientSecret: 'fixed-secret', redirectUris: [REDIRECT], rotateRefreshTokens: false });
    rotating = await discover('rotating', 'rotating-secret');
    fixed = await discover('fixed', 'fixed-secret');
  });
  after(() => op?.stop());

  it('refuses discovery over http unless allowed', async () => {
    await assert.rejects(oidc.discovery(new URL(op.issuer), 'rotating', 'rotating-secret'), /https|insecure/i);
    assert.equal(rotating.serverMetadata().issuer, op.issuer);
    assert.equal(rotating.serverMetadata().token_endpoint, op.tokenEndpoint);
    assert.equal(rotating.serverMetadata().introspection_endpoint, op.introspectionEndpoint);
  });

  it('requires PKCE', async () => {
    const url = oidc.buildAuthorizationUrl(rotating, { redirect_uri: REDIRECT, scope: 'openid', state: 'x' });
    const cb = await followAuthorization(url.href, REDIRECT);
    assert.equal(cb.searchParams.get('error'), 'invalid_request');
    assert.match(cb.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('code flow + PKCE, rotation on: new refresh token, old one is invalid_grant', async () => {
    const tokens = await (await codeFlow(rotating)).tokens();
    assert.equal(tokens.claims()?.email, 'alice@example.test');
    assert.ok(tokens.refresh_token, 'refresh token without offline_access dance');
    assert.equal(tokens.access_token.split('.').length, 1, 'opaque access token');
    assert.match(tokens.scope ?? '', /\bmail\b/);

    const info = await op.introspect(tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.email, 'alice@example.test');
    assert.equal(info.client_id, 'rotating');
    const user = await oidc.fetchUserInfo(rotating, tokens.access_token, 'alice@example.test');
    assert.equal(user.email, 'alice@example.test');

    op.resetCounters();
    const r1 = await oidc.refreshTokenGrant(rotating, tokens.refresh_token!);
    assert.ok(r1.refresh_token);
    assert.notEqual(r1.refresh_token, tokens.refresh_token);
    assert.notEqual(r1.access_token, tokens.access_token);
    await assert.rejects(oidc.refreshTokenGrant(rotating, tokens.refresh_token!), { error: 'invalid_grant' });
    assert.deepEqual(op.counters.token, { refresh_token: 2 });
  });

  it('rotation off: the same refresh token works twice', async () => {
    const tokens = await (await codeFlow(fixed, 'bob@example.test')).tokens();
    assert.equal(tokens.claims()?.email, 'bob@example.test');
    const r1 = await oidc.refreshTokenGrant(fixed, tokens.refresh_token!);
    const r2 = await oidc.refreshTokenGrant(fixed, tokens.refresh_token!);
    assert.equal(r1.refresh_token ?? tokens.refresh_token, tokens.refresh_token);
    assert.notEqual(r1.access_token, r2.access_token);
    assert.equal((await op.introspect(r2.access_token)).email, 'bob@example.test');
  });

  it('client credentials', async () => {
    const cc = await oidc.clientCredentialsGrant(rotating, { scope: 'mail' });
    const info = await op.introspect(cc.access_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, 'rotating');
    assert.equal(info.email, undefined);
    assert.equal((await op.introspect('not-a-token')).active, false);
    assert.equal(cc.expires_in, 3600);
    await op.addClient({ clientId: 'short', clientSecret: 'short-secret', grantTypes: ['client_credentials'], accessTokenTtl: 120 });
    const short = await oidc.clientCredentialsGrant(await discover('short', 'short-secret'), { scope: 'mail' });
    assert.equal(short.expires_in, 120);
  });

  it('users added at run time can log in', async () => {
    op.addUser('carol@example.test');
    const tokens = await (await codeFlow(rotating, 'carol@example.test')).tokens();
    assert.equal(tokens.claims()?.email, 'carol@example.test');
  });

  it('refused consent ends at the redirect URI with access_denied', async () => {
    for (const arrange of [
      () => op.denyNextConsent(),
      () => 'deny@example.test',
      () => { op.denyConsentFor('bob@example.test'); return 'bob@example.test'; },
    ]) {
      const hint = arrange() ?? undefined;
      const { cb, state, tokens } = await codeFlow(rotating, hint);
      assert.equal(cb.origin + cb.pathname, REDIRECT);
      assert.equal(cb.searchParams.get('error'), 'access_denied');
      assert.ok(cb.searchParams.get('error_description'));
      assert.equal(cb.searchParams.get('state'), state);
      assert.equal(cb.searchParams.get('code'), null);
      await assert.rejects(tokens(), { error: 'access_denied' });
    }
    // only the next one was refused
    assert.ok((await codeFlow(rotating)).cb.searchParams.get('code'));
  });

  it('revokeAll makes refresh tokens invalid_grant and access tokens inactive', async () => {
    op.addUser('dave@example.test');
    const tokens = await (await codeFlow(rotating, 'dave@example.test')).tokens();
    assert.ok(op.revokeAll('dave@example.test') > 0);
    await assert.rejects(oidc.refreshTokenGrant(rotating, tokens.refresh_token!), { error: 'invalid_grant' });
    assert.equal((await op.introspect(tokens.access_token)).active, false);
  });

  it('failTokenEndpoint: 500, invalid_grant, timeout, then recovers', async () => {
    const tokens = await (await codeFlow(fixed)).tokens();
    op.resetCounters();

    op.failTokenEndpoint('500', 1);
    await assert.rejects(oidc.refreshTokenGrant(fixed, tokens.refresh_token!), (e: any) => e.cause?.status === 500);
    assert.ok((await oidc.refreshTokenGrant(fixed, tokens.refresh_token!)).access_token);

    op.failTokenEndpoint('invalid_grant', 1);
    await assert.rejects(oidc.refreshTokenGrant(fixed, tokens.refresh_token!), { error: 'invalid_grant' });

    op.failTokenEndpoint('timeout');
    const t0 = Date.now();
    await assert.rejects(
      fetch(op.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
        signal: AbortSignal.timeout(300),
      }),
      { name: 'TimeoutError' },
    );
    assert.ok(Date.now() - t0 < 2000);
    op.failTokenEndpoint('none');
    assert.ok((await oidc.refreshTokenGrant(fixed, tokens.refresh_token!)).access_token);
    assert.deepEqual(op.counters.token, { refresh_token: 5 });
  });

  it('device flow: approve, deny, expired code, slow_down', async () => {
    await op.addClient({
      clientId: 'device',
      clientSecret: 'device-secret',
      grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'],
      deviceInterval: 1,
      deviceCodeTtl: 2,
    });
    const device = await discover('device', 'device-secret');
    assert.equal(device.serverMetadata().device_authorization_endpoint, `${op.issuer}/device/auth`);
    const start = () => oidc.initiateDeviceAuthorization(device, { scope: 'openid email offline_access mail' });
    const poll = (code: string) => oidc.genericGrantRequest(device, DEVICE_CODE_GRANT, { device_code: code });
    op.resetCounters();

    const approved = await start();
    assert.equal(approved.interval, 1);
    assert.equal(approved.verification_uri, op.deviceVerificationUri);
    await assert.rejects(poll(approved.device_code), { error: 'authorization_pending' });
    op.loginNextAs('bob@example.test');
    assert.match(await enterUserCode(approved.verification_uri, approved.user_code), /Signed in/);
    const tokens = await poll(approved.device_code);
    assert.equal(tokens.claims()?.email, 'bob@example.test');
    assert.ok(tokens.refresh_token);
    await assert.rejects(poll(approved.device_code), { error: 'invalid_grant' }, 'a device code is redeemed once');

    const denied = await start();
    await enterUserCode(denied.verification_uri, denied.user_code, 'deny');
    await assert.rejects(poll(denied.device_code), { error: 'access_denied' });

    const expiring = await start();
    assert.equal(expiring.expires_in, 2);
    await new Promise((r) => setTimeout(r, 2_100));
    await assert.rejects(poll(expiring.device_code), { error: 'expired_token' });

    op.failTokenEndpoint('slow_down', 1);
    const slow = await start();
    await assert.rejects(poll(slow.device_code), { error: 'slow_down' });
    await assert.rejects(poll(slow.device_code), { error: 'authorization_pending' });
    assert.equal(op.counters.issued[DEVICE_CODE_GRANT], 1);
    assert.equal(op.counters.devicePolls.filter((p) => p.clientId === 'device').length, 7);
  });
});
