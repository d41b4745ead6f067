import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { followAuthorization } from './headless';
import { startMicrosoftIdentity, type MicrosoftFailure, type MicrosoftIdentityServer } from './microsoft-identity';

const REDIRECT = 'http://127.0.0.1:9/callback';
const SCOPE = 'openid profile email offline_access https://graph.microsoft.com/Mail.ReadWrite';

describe('Microsoft identity platform stand-in', () => {
  let ms: MicrosoftIdentityServer;
  let config: oidc.Configuration;

  const post = (path: string, form: Record<string, string>, signal?: AbortSignal) =>
    fetch(`${ms.url}${path}`, { method: 'POST', body: new URLSearchParams(form), signal });
  const tokenPath = (tenant = ms.tenantId) => `/${tenant}/oauth2/v2.0/token`;

  async function codeFlow(opts: { scope?: string; loginHint?: string; cfg?: oidc.Configuration } = {}) {
    const cfg = opts.cfg ?? config;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT, scope: opts.scope ?? SCOPE, response_mode: 'query', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
    });
    const cb = await followAuthorization(url.href, REDIRECT);
    return { cb, verifier, state, tokens: () => oidc.authorizationCodeGrant(cfg, cb, { pkceCodeVerifier: verifier, expectedState: state }) };
  }

  before(async () => {
    ms = await startMicrosoftIdentity({
      clients: [{ clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 's3cret', redirectUris: [REDIRECT] }],
    });
    ms.addClient({ clientId: 'strict-app', clientSecret: 'strict-secret', redirectUris: [REDIRECT], invalidateOldRefreshTokens: true });
    ms.addUser({ email: 'carol@contoso.test', name: 'Carol' });
    config = new oidc.Configuration(
      ms.metadata() as oidc.ServerMetadata, '11111111-2222-3333-4444-555555555555', undefined, oidc.ClientSecretPost('s3cret'),
    );
    oidc.allowInsecureRequests(config);
  });
  after(() => ms?.stop());
  beforeEach(() => { ms.clearFailures(); ms.resetCounters(); });

  it('serves tenant discovery and a JWKS; common has the {tenantid} issuer template', async () => {
    const meta = (await (await fetch(`${ms.url}/${ms.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(meta.issuer, `${ms.url}/${ms.tenantId}/v2.0`);
    assert.equal(meta.token_endpoint, ms.tokenEndpoint());
    const common = (await (await fetch(`${ms.url}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(common.issuer, `${ms.url}/{tenantid}/v2.0`);
    const jwks = (await (await fetch(meta.jwks_uri)).json()) as { keys: { kid: string; kty: string }[] };
    assert.equal(jwks.keys[0].kty, 'RSA');
  });

  it('code flow with PKCE: opaque access token, refresh token, signed ID token with preferred_username and email', async () => {
    const { cb, tokens } = await codeFlow({ loginHint: 'carol@contoso.test' });
    assert.ok(cb.searchParams.get('code'));
    assert.ok(cb.searchParams.get('state'));
    const t = await tokens();
    assert.equal(t.token_type.toLowerCase(), 'bearer');
    assert.equal(t.access_token.split('.').length, 1, 'opaque');
    assert.ok(t.refresh_token);
    assert.equal(t.expires_in, 3600);
    const claims = t.claims()!;
    assert.equal(claims.preferred_username, 'carol@contoso.test');
    assert.equal(claims.email, 'carol@contoso.test');
    assert.equal(claims.tid, ms.tenantId);
    const info = ms.introspect(t.access_token);
    assert.equal(info.active, true);
    assert.equal(info.email, 'carol@contoso.test');
    assert.match(info.scope ?? '', /Mail\.ReadWrite/);
    assert.deepEqual(ms.counters.token, { authorization_code: 1 });
    assert.equal(ms.counters.authorize, 1);
  });

  it('no offline_access, no refresh token; no openid, no ID token (as documented)', async () => {
    const t = await (await codeFlow({ scope: 'https://graph.microsoft.com/Mail.Read' })).tokens();
    assert.equal(t.refresh_token, undefined);
    assert.equal(t.id_token, undefined);
  });

  it('rotates refresh tokens and keeps the old one valid by default', async () => {
    const first = await (await codeFlow()).tokens();
    const r1 = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.ok(r1.refresh_token);
    assert.notEqual(r1.refresh_token, first.refresh_token);
    assert.notEqual(r1.access_token, first.access_token);
    const again = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.ok(again.access_token, 'old refresh token still works');
    assert.equal(ms.counters.token.refresh_token, 2);
  });

  it('can invalidate a refresh token once used (configured per client)', async () => {
    const strict = new oidc.Configuration(ms.metadata() as oidc.ServerMetadata, 'strict-app', undefined, oidc.ClientSecretPost('strict-secret'));
    oidc.allowInsecureRequests(strict);
    const first = await (await codeFlow({ cfg: strict })).tokens();
    const r1 = await oidc.refreshTokenGrant(strict, first.refresh_token!);
    assert.ok(r1.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(strict, first.refresh_token!), (e: oidc.ResponseBodyError) => {
      assert.equal(e.error, 'invalid_grant');
      assert.match(e.error_description ?? '', /^AADSTS70000:/);
      return true;
    });
  });

  it('refuses a wrong PKCE verifier (AADSTS501481) and a redeemed code (AADSTS54005)', async () => {
    const { cb, verifier } = await codeFlow();
    const form = {
      grant_type: 'authorization_code', client_id: '11111111-2222-3333-4444-555555555555', client_secret: 's3cret',
      code: cb.searchParams.get('code')!, redirect_uri: REDIRECT,
    };
    const bad = await post(tokenPath(), { ...form, code_verifier: 'x'.repeat(43) });
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { error_codes: number[] }).error_codes, [501481]);
    assert.equal((await post(tokenPath(), { ...form, code_verifier: verifier })).status, 200);
    const reused = await post(tokenPath(), { ...form, code_verifier: verifier });
    assert.equal(reused.status, 400);
    const body = (await reused.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [54005]);
  });

  it('refused consent comes back to the redirect URI as access_denied with AADSTS65004', async () => {
    ms.denyNextConsent();
    const { cb, state } = await codeFlow();
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('error_subcode'), 'cancel');
    assert.match(cb.searchParams.get('error_description') ?? '', /^AADSTS65004: /);
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('code'), null);
  });

  it('shows an error page, not a redirect, for an unknown client or an unregistered redirect URI', async () => {
    const before = ms.authorizeErrors.length;
    const r = await fetch(`${ms.authorizeEndpoint('common')}?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid`, { redirect: 'manual' });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('location'), null);
    assert.match(await r.text(), /AADSTS700016/);
    const r2 = await fetch(`${ms.authorizeEndpoint()}?client_id=strict-app&response_type=code&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/evil')}&scope=openid`, { redirect: 'manual' });
    assert.equal(r2.status, 400);
    assert.deepEqual(ms.authorizeErrors.slice(before).map((e) => e.code), [700016, 50011]);
  });

  it('client credentials on a tenant path: app-only token without refresh token or email', async () => {
    const r = await post(tokenPath(), {
      grant_type: 'client_credentials', client_id: 'strict-app', client_secret: 'strict-secret', scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(r.status, 200);
    const t = (await r.json()) as Record<string, string>;
    assert.equal(t.refresh_token, undefined);
    const info = ms.introspect(t.access_token);
    assert.equal(info.active, true);
    assert.equal(info.email, undefined);
    assert.equal(info.sub, 'strict-app');
  });

  for (const tenant of ['common', 'organizations']) {
    it(`client credentials on /${tenant} answer AADSTS50059`, async () => {
      const r = await post(tokenPath(tenant), {
        grant_type: 'client_credentials', client_id: 'strict-app', client_secret: 'strict-secret', scope: 'https://graph.microsoft.com/.default',
      });
      assert.equal(r.status, 400);
      const body = (await r.json()) as { error: string; error_codes: number[] };
      assert.equal(body.error, 'invalid_request');
      assert.deepEqual(body.error_codes, [50059]);
    });
  }

  it('client credentials need a /.default scope (AADSTS1002012)', async () => {
    const r = await post(tokenPath(), { grant_type: 'client_credentials', client_id: 'strict-app', client_secret: 'strict-secret', scope: 'Mail.Read' });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error: string }).error, 'invalid_scope');
  });

  it('authenticates the client: unknown app 700016, wrong secret 7000215 (401), no secret 7000218 (401)', async () => {
    const base = { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
    const cases: [Record<string, string>, number, string, number][] = [
      [{ client_id: 'unknown', client_secret: 'x' }, 400, 'unauthorized_client', 700016],
      [{ client_id: 'strict-app', client_secret: 'wrong' }, 401, 'invalid_client', 7000215],
      [{ client_id: 'strict-app' }, 401, 'invalid_client', 7000218],
    ];
    for (const [creds, status, error, code] of cases) {
      const r = await post(tokenPath(), { ...base, ...creds });
      assert.equal(r.status, status, JSON.stringify(creds));
      const body = (await r.json()) as { error: string; error_codes: number[] };
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
    }
    assert.equal(ms.counters.token.client_credentials, 3);
  });

  const injected: [MicrosoftFailure, number, string, number][] = [
    ['AADSTS65001', 400, 'invalid_grant', 65001],
    ['700082', 400, 'invalid_grant', 700082],
    ['AADSTS70008', 400, 'invalid_grant', 70008],
    ['50173', 400, 'invalid_grant', 50173],
    ['7000222', 401, 'invalid_client', 7000222],
    ['90112', 400, 'invalid_request', 90112],
    ['700016', 400, 'unauthorized_client', 700016],
    ['900144', 400, 'invalid_request', 900144],
    ['invalid_grant', 400, 'invalid_grant', 70000],
    ['http500', 500, 'server_error', 50000],
  ];
  for (const [kind, status, error, code] of injected) {
    it(`failNext('${kind}') answers ${status} ${error} AADSTS${code} in Microsoft's error shape`, async () => {
      const t = await (await codeFlow()).tokens();
      ms.failNext(kind);
      const r = await post(tokenPath(), {
        grant_type: 'refresh_token', client_id: '11111111-2222-3333-4444-555555555555', client_secret: 's3cret', refresh_token: t.refresh_token!,
      });
      assert.equal(r.status, status);
      const body = (await r.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).filter((k) => k !== 'suberror').sort(),
        ['correlation_id', 'error', 'error_codes', 'error_description', 'error_uri', 'timestamp', 'trace_id']);
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(String(body.error_description),
        new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: ${body.trace_id}\\r\\nCorrelation ID: ${body.correlation_id}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));
      assert.match(String(body.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      // the failure was used up: the same refresh token works again
      const ok = await oidc.refreshTokenGrant(config, t.refresh_token!);
      assert.ok(ok.access_token);
    });
  }

  it('openid-client surfaces an injected failure as a ResponseBodyError with the AADSTS code', async () => {
    const t = await (await codeFlow()).tokens();
    ms.failNext('700082');
    await assert.rejects(oidc.refreshTokenGrant(config, t.refresh_token!), (e: oidc.ResponseBodyError) => {
      assert.equal(e.error, 'invalid_grant');
      assert.equal(e.status, 400);
      assert.deepEqual((e.cause as { error_codes: number[] }).error_codes, [700082]);
      return true;
    });
  });

  it("timeout: holds the token request until the client gives up, then serves the next one", async () => {
    const t = await (await codeFlow()).tokens();
    ms.failNext('timeout');
    const started = Date.now();
    await assert.rejects(post(tokenPath(), {
      grant_type: 'refresh_token', client_id: '11111111-2222-3333-4444-555555555555', client_secret: 's3cret', refresh_token: t.refresh_token!,
    }, AbortSignal.timeout(300)), /abort|timeout/i);
    assert.ok(Date.now() - started >= 250);
    assert.ok((await oidc.refreshTokenGrant(config, t.refresh_token!)).access_token);
  });

  it('a password change (revokeUser) makes refresh tokens answer AADSTS50173; expiry 700082', async () => {
    const t = await (await codeFlow({ loginHint: 'bob@example.test' })).tokens();
    ms.revokeUser('bob@example.test');
    await assert.rejects(oidc.refreshTokenGrant(config, t.refresh_token!), (e: oidc.ResponseBodyError) =>
      (e.cause as { error_codes: number[] }).error_codes[0] === 50173);
    const t2 = await (await codeFlow({ loginHint: 'bob@example.test' })).tokens();
    assert.ok((await oidc.refreshTokenGrant(config, t2.refresh_token!)).access_token, 'a new grant works');
    ms.expireRefreshTokens('bob@example.test');
    await assert.rejects(oidc.refreshTokenGrant(config, t2.refresh_token!), (e: oidc.ResponseBodyError) =>
      (e.cause as { error_codes: number[] }).error_codes[0] === 700082);
  });

  it('expireAccessTokens makes introspection inactive', async () => {
    const t = await (await codeFlow({ loginHint: 'alice@example.test' })).tokens();
    assert.equal(ms.introspect(t.access_token).active, true);
    ms.expireAccessTokens('alice@example.test');
    assert.deepEqual(ms.introspect(t.access_token), { active: false });
    assert.deepEqual(ms.introspect('garbage'), { active: false });
  });
});
