import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { callbackResult, generateTokens, storedSecrets, TOKEN_UID } from '../helpers/tokens';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const CLIENT_SECRET = 'client-secret-VALUE-9f8e7d';

describe(`OAuth2 tokens (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  let outsider: AdminClient;
  const output: string[] = [];
  const restore: Array<() => void> = [];

  const tokenBody = (name: string, clientId: string, extra: Record<string, unknown> = {}) => ({
    name,
    template: 'generic',
    clientId,
    clientSecret: CLIENT_SECRET,
    clientAuthMethod: 'client_secret_post',
    issuer: op.issuer,
    authorizationEndpoint: op.authorizationEndpoint,
    tokenEndpoint: op.tokenEndpoint,
    scope: 'openid email offline_access mail',
    extraAuthorizationParams: { login_hint: 'alice@example.test' },
    ...extra,
  });

  /** A code-flow token at the OAuth server, authorized through the callback. */
  const authorizedToken = async (name: string, options: { rotate?: boolean; ttl?: number } = {}) => {
    const clientId = `client-${name}`;
    await op.addClient({
      clientId,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${app.url}/mail-auth/oauth/callback`],
      grantTypes: ['authorization_code', 'refresh_token'],
      rotateRefreshTokens: options.rotate ?? true,
      accessTokenTtl: options.ttl,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    const created = await admin.post('/mail-auth/tokens', tokenBody(name, clientId));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const flow = await generateTokens(admin, created.body.id);
    assert.equal(flow.status, 200, flow.html);
    return created.body.id as number;
  };

  /** Makes the stored access token expire now, as time passing would. */
  const expireAccessToken = (id: number) =>
    app.strapi.db.query(TOKEN_UID).update({ where: { id }, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });

  before(async () => {
    // Everything Strapi and the plugin print, to check that no secret is ever logged.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    op = await startOAuthServer();
    app = await startStrapi({ env: { MAIL_AUTH_HTTP_TIMEOUT: '2' } });
    app.strapi.log.level = 'debug';
    ({ superAdmin: admin, outsider } = await adminClients(app.strapi, app.url));
  });
  after(async () => {
    restore.forEach((r) => r());
    await app?.stop();
    await op?.stop();
  });

  test('the full code flow with PKCE stores valid tokens and who granted them', async () => {
    const id = await authorizedToken('code-flow');
    const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'valid');
    assert.equal(token.grantedBy, 'alice@example.test');
    assert.equal(token.hasRefreshToken, true);
    assert.equal(token.hasClientSecret, true);
    assert.ok(new Date(token.accessTokenExpiresAt).getTime() > Date.now());
    assert.equal(token.redirectUri, `${app.url}/mail-auth/oauth/callback`);

    const { accessToken } = await storedSecrets(app.strapi, id);
    const introspection = await op.introspect(accessToken!);
    assert.equal(introspection.active, true);
    assert.equal(introspection.email, 'alice@example.test');
  });

  test('the authorization URL carries state, PKCE S256, nonce and the extra parameters', async () => {
    await op.addClient({ clientId: 'client-url', clientSecret: CLIENT_SECRET, redirectUris: [`${app.url}/mail-auth/oauth/callback`], tokenEndpointAuthMethod: 'client_secret_post' });
    const created = await admin.post('/mail-auth/tokens', tokenBody('url-check', 'client-url'));
    const res = await admin.post(`/mail-auth/tokens/${created.body.id}/authorize`);
    assert.equal(res.status, 200);
    const url = new URL(res.body.authorizationUrl);
    assert.equal(url.origin + url.pathname, op.authorizationEndpoint);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{40,}$/);
    assert.ok(url.searchParams.get('nonce'));
    assert.equal(url.searchParams.get('login_hint'), 'alice@example.test');
    assert.equal(url.searchParams.get('redirect_uri'), res.body.redirectUri);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mail_auth_oauth_'));
    assert.ok(cookie, 'a browser-binding cookie is set');
    assert.match(cookie!, /HttpOnly/i);
    assert.match(cookie!, /SameSite=Lax/i);
  });

  test('a replayed, unknown, other-browser or expired state is refused and stores nothing', async () => {
    const clientId = 'client-states';
    await op.addClient({ clientId, clientSecret: CLIENT_SECRET, redirectUris: [`${app.url}/mail-auth/oauth/callback`], tokenEndpointAuthMethod: 'client_secret_post' });
    const id = (await admin.post('/mail-auth/tokens', tokenBody('states', clientId))).body.id as number;
    const untouched = async () => {
      const { row } = await storedSecrets(app.strapi, id);
      assert.equal(row.status, 'not-authorized');
      assert.equal(row.accessToken, null);
      assert.equal(row.refreshToken, null);
    };

    // another browser: the callback without the cookie of the browser that asked
    const other = await generateTokens(admin, id, { cookie: null });
    assert.equal(other.status, 400);
    assert.equal(callbackResult(other.html).error?.code, 'STATE_INVALID');
    assert.match(callbackResult(other.html).error!.message, /another browser|another admin/);
    await untouched();

    // another admin's browser: their own binding cookie does not fit this state
    const role = await createRole(app.strapi, `Authorizers ${Date.now()}`, ['plugin::mail-auth.read', 'plugin::mail-auth.authorize']);
    const second = await AdminClient.login(app.url, await createAdmin(app.strapi, [role]));
    const theirs = await second.post(`/mail-auth/tokens/${id}/authorize`);
    const theirCookie = theirs.headers.getSetCookie()[0].split(';')[0];
    const crossed = await generateTokens(admin, id, { cookie: theirCookie.replace(/^[^=]+/, (n) => n) });
    assert.equal(crossed.status, 400);
    await untouched();

    // unknown state
    const unknown = await fetch(`${app.url}/mail-auth/oauth/callback?code=abc&state=not-a-state`);
    assert.equal(unknown.status, 400);
    assert.equal(callbackResult(await unknown.text()).error?.code, 'STATE_INVALID');
    await untouched();

    // expired state: the pending authorization is older than 10 minutes
    const res = await admin.post(`/mail-auth/tokens/${id}/authorize`);
    const cookie = res.headers.getSetCookie()[0].split(';')[0];
    await app.strapi.db
      .query('plugin::mail-auth.oauth-authorization')
      .updateMany({ where: { tokenId: id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const { followAuthorization } = await import('../servers/headless');
    const cb = await followAuthorization(res.body.authorizationUrl, res.body.redirectUri);
    const expired = await fetch(cb, { headers: { cookie } });
    assert.equal(expired.status, 400);
    assert.match(callbackResult(await expired.text()).error!.message, /expired/);
    await untouched();

    // replay: the first use succeeds, the second is refused and changes nothing
    const ok = await generateTokens(admin, id);
    assert.equal(ok.status, 200, ok.html);
    const before = await storedSecrets(app.strapi, id);
    const replay = await ok.replay();
    assert.equal(replay.status, 400);
    assert.match(callbackResult(replay.html).error!.message, /unknown or was already used|already used/);
    const afterReplay = await storedSecrets(app.strapi, id);
    assert.equal(afterReplay.accessToken, before.accessToken);
    assert.equal(afterReplay.refreshToken, before.refreshToken);
  });

  test('the callback: a repeated parameter answers 400 naming it; the binding cookie is Secure when server.url is https; the page posts on a channel, not to window.opener', async () => {
    const clientId = 'client-callback-hardening';
    await op.addClient({ clientId, clientSecret: CLIENT_SECRET, redirectUris: [`${app.url}/mail-auth/oauth/callback`], tokenEndpointAuthMethod: 'client_secret_post' });
    const id = (await admin.post('/mail-auth/tokens', tokenBody('callback hardening', clientId))).body.id as number;
    const res = await admin.post(`/mail-auth/tokens/${id}/authorize`);
    const [cookieLine] = res.headers.getSetCookie();
    assert.match(cookieLine, /; path=\/mail-auth\/oauth\/callback/);
    assert.match(cookieLine, /; httponly/i);
    assert.doesNotMatch(cookieLine, /; secure/i, 'plain http and an http server.url: not Secure');
    const state = new URL(res.body.authorizationUrl).searchParams.get('state')!;
    for (const query of [`code=a&state=${state}&state=other`, `code=a&code=b&state=${state}`]) {
      const twice = await fetch(`${app.url}/mail-auth/oauth/callback?${query}`, { headers: { cookie: cookieLine.split(';')[0] } });
      assert.equal(twice.status, 400, query);
      const result = callbackResult(await twice.text());
      assert.equal(result.error?.code, 'STATE_INVALID');
      assert.match(result.error!.message, /has the parameter (state|code) more than once/);
    }
    // refused before it was looked at: the authorization is still pending and works once
    assert.equal((await generateTokens(admin, id)).status, 200);

    // Behind a TLS proxy the request is plain HTTP here, but the public URL is https.
    const url = app.strapi.config.get('server.absoluteUrl');
    app.strapi.config.set('server.absoluteUrl', 'https://helpdesk.example.test');
    try {
      const proxied = await admin.post(`/mail-auth/tokens/${id}/authorize`);
      assert.equal(proxied.status, 200);
      assert.match(proxied.headers.getSetCookie()[0], /; secure/i);
    } finally {
      app.strapi.config.set('server.absoluteUrl', url);
    }

    const script = await (await fetch(`${app.url}/mail-auth/oauth/callback.js`)).text();
    assert.match(script, /new BroadcastChannel\("mail-auth-oauth"\)/);
    assert.doesNotMatch(script, /opener/);
  });

  test('consent refused at the provider: the error and its advice are stored and shown', async () => {
    const clientId = 'client-denied';
    await op.addClient({ clientId, clientSecret: CLIENT_SECRET, redirectUris: [`${app.url}/mail-auth/oauth/callback`], tokenEndpointAuthMethod: 'client_secret_post' });
    const id = (await admin.post('/mail-auth/tokens', tokenBody('denied', clientId))).body.id as number;
    op.denyNextConsent();
    const flow = await generateTokens(admin, id);
    assert.equal(flow.status, 400);
    const result = callbackResult(flow.html);
    assert.equal(result.error?.code, 'access_denied');
    assert.match(result.error!.advice!, /Generate tokens again/);
    const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'not-authorized');
    assert.equal(token.lastError.code, 'access_denied');
  });

  test('refresh with rotation stores the new refresh token; the rotated-out one is refused', async () => {
    const id = await authorizedToken('rotating', { rotate: true });
    const first = await storedSecrets(app.strapi, id);
    const res = await admin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'valid');
    const second = await storedSecrets(app.strapi, id);
    assert.notEqual(second.refreshToken, first.refreshToken, 'the rotated refresh token is stored');
    assert.notEqual(second.accessToken, first.accessToken);

    // Put the rotated-out refresh token back, as a crash before storing would have left it.
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    await app.strapi.db.query(TOKEN_UID).update({
      where: { id },
      data: { refreshToken: secrets.encrypt(first.refreshToken!, 'oauth-token.refreshToken') },
    });
    await expireAccessToken(id);
    await assert.rejects(
      app.strapi.plugin('mail-auth').service('tokens').getAccessToken(id),
      (e: { code: string }) => e.code === 'REAUTHORIZATION_REQUIRED'
    );
    const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'reauthorization-required');
    assert.equal(token.lastError.code, 'invalid_grant');
    assert.match(token.lastError.advice, /Generate tokens/);
    // and it is not tried again until someone generates tokens
    const countBefore = op.counters.token.refresh_token ?? 0;
    await assert.rejects(app.strapi.plugin('mail-auth').service('tokens').getAccessToken(id));
    assert.equal(op.counters.token.refresh_token ?? 0, countBefore);
    // Generate tokens again makes it valid
    const again = await generateTokens(admin, id);
    assert.equal(again.status, 200, again.html);
    assert.equal((await admin.get(`/mail-auth/tokens/${id}`)).body.status, 'valid');
  });

  test('refresh without rotation keeps using the same refresh token', async () => {
    const id = await authorizedToken('steady', { rotate: false });
    const first = await storedSecrets(app.strapi, id);
    const sealed = () => app.strapi.db.query(TOKEN_UID).findOne({ where: { id }, select: ['refreshToken', 'accessToken'] });
    const before = await sealed();
    for (let i = 0; i < 2; i++) assert.equal((await admin.post(`/mail-auth/tokens/${id}/refresh`)).status, 200);
    const later = await storedSecrets(app.strapi, id);
    assert.equal(later.refreshToken, first.refreshToken);
    assert.notEqual(later.accessToken, first.accessToken);
    // The same refresh token handed back is not encrypted and written again (a new IV would change every byte).
    const after = await sealed();
    assert.equal(after.refreshToken, before.refreshToken);
    assert.notEqual(after.accessToken, before.accessToken);
  });

  test('a 5xx or a timeout at the token endpoint gives status error and keeps the old tokens', async () => {
    const id = await authorizedToken('flaky');
    const before = await storedSecrets(app.strapi, id);
    for (const mode of ['500', 'timeout'] as const) {
      op.failTokenEndpoint(mode, 1);
      const res = await admin.post(`/mail-auth/tokens/${id}/refresh`);
      assert.equal(res.status, 502, JSON.stringify(res.body));
      const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
      assert.equal(token.status, 'error');
      assert.equal(token.lastError.code, mode === '500' ? 'http_500' : 'timeout');
      assert.ok(new Date(token.nextAttemptAt).getTime() > Date.now(), 'a next attempt is scheduled');
      const now = await storedSecrets(app.strapi, id);
      assert.equal(now.accessToken, before.accessToken);
      assert.equal(now.refreshToken, before.refreshToken);
    }
    op.failTokenEndpoint('none');
    assert.equal((await admin.post(`/mail-auth/tokens/${id}/refresh`)).body.status, 'valid');
  });

  test('client credentials: refresh gets an access token and no refresh token', async () => {
    await op.addClient({ clientId: 'client-cc', clientSecret: CLIENT_SECRET, grantTypes: ['client_credentials'], redirectUris: [], tokenEndpointAuthMethod: 'client_secret_post' });
    const created = await admin.post('/mail-auth/tokens', {
      name: 'app-only',
      template: 'generic-client-credentials',
      clientId: 'client-cc',
      clientSecret: CLIENT_SECRET,
      tokenEndpoint: op.tokenEndpoint,
      scope: 'mail',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.grantType, 'client_credentials');
    const refused = await admin.post(`/mail-auth/tokens/${created.body.id}/authorize`);
    assert.equal(refused.status, 400, 'no browser sign-in for client credentials');
    const res = await admin.post(`/mail-auth/tokens/${created.body.id}/refresh`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'valid');
    assert.equal(res.body.hasRefreshToken, false);
    const at = await app.strapi.plugin('mail-auth').service('tokens').getAccessToken('app-only');
    assert.equal((await op.introspect(at)).active, true);
  });

  test('Exchange Online app-only refuses /common and /organizations with advice', async () => {
    for (const tenant of ['common', 'organizations']) {
      const res = await admin.post('/mail-auth/tokens', {
        name: `exo-${tenant}`,
        template: 'microsoft-app-only',
        clientId: '00000000-0000-0000-0000-000000000001',
        clientSecret: 'x',
        tenant,
      });
      assert.equal(res.status, 400);
      const err = res.body.error.details.errors.find((e: { path: string[] }) => e.path[0] === 'tenant');
      assert.match(err.message, /tenant's own endpoint/);
    }
    const ok = await admin.post('/mail-auth/tokens', {
      name: 'exo-tenant',
      template: 'microsoft-app-only',
      clientId: '00000000-0000-0000-0000-000000000001',
      clientSecret: 'x',
      tenant: 'contoso.onmicrosoft.com',
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.scope, 'https://outlook.office365.com/.default');
  });

  test('20 parallel getAccessToken calls on an expiring token cause exactly one refresh', async () => {
    const id = await authorizedToken('parallel');
    await expireAccessToken(id);
    op.resetCounters();
    const tokens = app.strapi.plugin('mail-auth').service('tokens');
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(id)));
    assert.equal(new Set(results).size, 1, 'all callers get the same token');
    assert.equal(op.counters.token.refresh_token, 1);
    assert.equal((await op.introspect(results[0])).active, true);
  });

  test('bad input: 400 naming the field, and nothing is stored', async () => {
    const count = () => app.strapi.db.query(TOKEN_UID).count();
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ template: 'generic', clientId: 'x' }, 'name'],
      [{ name: 'no-client', template: 'generic' }, 'clientId'],
      [{ name: 'bad-template', template: 'yahoo', clientId: 'x' }, 'template'],
      [{ name: 'no-endpoint', template: 'generic', clientId: 'x', scope: 'mail' }, 'tokenEndpoint'],
      [{ name: 'bad-url', template: 'generic', clientId: 'x', scope: 'mail', tokenEndpoint: 'ftp://x', authorizationEndpoint: 'https://a.example/' }, 'tokenEndpoint'],
      [{ name: 'http-url', template: 'generic', clientId: 'x', scope: 'mail', tokenEndpoint: 'http://login.example.com/token', authorizationEndpoint: 'https://a.example/' }, 'tokenEndpoint'],
      [{ name: 'typo', template: 'google', clientId: 'x', clientSecret: 'y', scpoe: 'z' }, 'scpoe'],
      [{ name: 'ms-no-secret', template: 'microsoft', clientId: 'x' }, 'clientSecret'],
      [{ name: 'ms-bad-tenant', template: 'microsoft', clientId: 'x', clientSecret: 'y', tenant: 'not a tenant' }, 'tenant'],
      [{ name: 'oidc-no-issuer', template: 'generic', clientId: 'x', scope: 'openid mail', tokenEndpoint: 'https://t.example/token', authorizationEndpoint: 'https://t.example/auth' }, 'issuer'],
      [{ name: 42, template: 'generic', clientId: 'x' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/mail-auth/tokens', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
      assert.equal(res.body.error.name, 'ValidationError');
      const paths = res.body.error.details.errors.map((e: { path: string[] }) => e.path[0]);
      assert.ok(paths.includes(field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(res.body.error.details.errors)}`);
    }
    // duplicate name
    const dup = await admin.post('/mail-auth/tokens', { name: 'code-flow', template: 'google', clientId: 'x', clientSecret: 'y' });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body.error.details.errors[0].path, ['name']);
    assert.equal(await count(), before);
    // the template is permanent
    const some = (await admin.get('/mail-auth/tokens?search=code-flow')).body.results[0];
    const change = await admin.put(`/mail-auth/tokens/${some.id}`, { template: 'google' });
    assert.equal(change.status, 400);
    assert.deepEqual(change.body.error.details.errors[0].path, ['template']);
  });

  test('update keeps a secret that is not sent, and delete removes the token', async () => {
    const created = await admin.post('/mail-auth/tokens', { name: 'to-edit', template: 'google', clientId: 'x', clientSecret: 'first-secret' });
    const id = created.body.id;
    const renamed = await admin.put(`/mail-auth/tokens/${id}`, { name: 'edited', description: 'changed' });
    assert.equal(renamed.status, 200);
    assert.equal((await storedSecrets(app.strapi, id)).clientSecret, 'first-secret');
    await admin.put(`/mail-auth/tokens/${id}`, { clientSecret: 'second-secret' });
    assert.equal((await storedSecrets(app.strapi, id)).clientSecret, 'second-secret');
    assert.equal((await admin.delete(`/mail-auth/tokens/${id}`)).status, 200);
    assert.equal((await admin.get(`/mail-auth/tokens/${id}`)).status, 404);
  });

  test('RBAC: every token route answers 403 without its permission', async () => {
    const id = (await admin.get('/mail-auth/tokens')).body.results[0].id;
    const calls: Array<[string, string]> = [
      ['GET', '/mail-auth/tokens'],
      ['POST', '/mail-auth/tokens'],
      ['GET', `/mail-auth/tokens/${id}`],
      ['PUT', `/mail-auth/tokens/${id}`],
      ['DELETE', `/mail-auth/tokens/${id}`],
      ['POST', `/mail-auth/tokens/${id}/authorize`],
      ['POST', `/mail-auth/tokens/${id}/refresh`],
      ['GET', '/mail-auth/templates'],
      ['GET', '/mail-auth/activity'],
    ];
    for (const [method, path] of calls) {
      const res = await outsider.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    // a reader may read but not authorize
    const role = await createRole(app.strapi, `Readers ${Date.now()}`, ['plugin::mail-auth.read']);
    const reader = await AdminClient.login(app.url, await createAdmin(app.strapi, [role]));
    assert.equal((await reader.get('/mail-auth/tokens')).status, 200);
    assert.equal((await reader.post(`/mail-auth/tokens/${id}/refresh`)).status, 403);
    assert.equal((await reader.post('/mail-auth/tokens', {})).status, 403);
  });

  test('activity records who authorized and refreshed', async () => {
    const res = await admin.get('/mail-auth/activity?subjectType=token&pageSize=100');
    assert.equal(res.status, 200);
    const kinds = new Set(res.body.results.map((a: { kind: string }) => a.kind));
    for (const kind of ['token.created', 'token.authorized', 'token.refreshed', 'token.refresh-failed']) assert.ok(kinds.has(kind), kind);
    const authorized = res.body.results.find((a: { kind: string }) => a.kind === 'token.authorized');
    assert.match(authorized.actor, /@example\.test/);
  });

  test('secrets: none in clear in the database rows, the API answers or the log output', async () => {
    const rows = await app.strapi.db.connection('mail_auth_oauth_tokens').select('*');
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    const clear: string[] = [CLIENT_SECRET];
    for (const row of rows) {
      if (row.access_token) clear.push(secrets.decrypt(row.access_token, 'oauth-token.accessToken'));
      if (row.refresh_token) clear.push(secrets.decrypt(row.refresh_token, 'oauth-token.refreshToken'));
    }
    assert.ok(clear.length > 10, `secrets to look for: ${clear.length}`);
    const rawRows = JSON.stringify(rows);
    const pending = JSON.stringify(await app.strapi.db.connection('mail_auth_oauth_authorizations').select('*'));
    const activity = JSON.stringify(await app.strapi.db.connection('mail_auth_activities').select('*'));
    const list = JSON.stringify((await admin.get('/mail-auth/tokens?pageSize=100')).body);
    const one = JSON.stringify((await admin.get(`/mail-auth/tokens/${rows[0].id}`)).body);
    const logs = output.join('');
    for (const secret of clear) {
      assert.ok(!rawRows.includes(secret), 'a token or secret in clear in the tokens table');
      assert.ok(!pending.includes(secret) && !activity.includes(secret), 'a secret in another table');
      assert.ok(!list.includes(secret) && !one.includes(secret), 'a secret in an API answer');
      assert.ok(!logs.includes(secret), 'a secret in the log output');
    }
    assert.ok(!list.includes('"clientSecret"') && !list.includes('"accessToken"') && !list.includes('"refreshToken"'));
  });

  test('lists come in pages: 25 by default, at most 100, unreadable numbers fall back, search narrows the total', async () => {
    for (let i = 0; i < 30; i++) {
      const created = await admin.post('/mail-auth/tokens', { name: `paged ${String(i).padStart(2, '0')}`, template: 'google', clientId: `paged-${i}`, clientSecret: 'paged-secret' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const total = (await admin.get('/mail-auth/tokens?pageSize=100')).body.pagination.total as number;
    assert.ok(total >= 30, `${total} tokens`);
    const first = (await admin.get('/mail-auth/tokens')).body;
    assert.deepEqual(first.pagination, { page: 1, pageSize: 25, total, pageCount: Math.ceil(total / 25) });
    assert.equal(first.results.length, 25);
    const last = (await admin.get(`/mail-auth/tokens?page=${first.pagination.pageCount}`)).body;
    assert.equal(last.results.length, total - 25 * (first.pagination.pageCount - 1));
    assert.ok(!last.results.some((t: { id: number }) => first.results.some((f: { id: number }) => f.id === t.id)), 'pages do not overlap');
    assert.equal((await admin.get('/mail-auth/tokens?pageSize=500')).body.pagination.pageSize, 100);
    const odd = (await admin.get('/mail-auth/tokens?page=0&pageSize=abc')).body.pagination;
    assert.deepEqual([odd.page, odd.pageSize], [1, 25]);
    const searched = (await admin.get(`/mail-auth/tokens?search=${encodeURIComponent('paged 1')}&pageSize=5`)).body;
    assert.deepEqual(searched.pagination, { page: 1, pageSize: 5, total: 10, pageCount: 2 });
    assert.deepEqual(
      searched.results.map((t: { name: string }) => t.name),
      ['paged 10', 'paged 11', 'paged 12', 'paged 13', 'paged 14']
    );
    const activity = (await admin.get('/mail-auth/activity?subjectType=token&kind=token.created&pageSize=7&page=2')).body;
    assert.equal(activity.pagination.page, 2);
    assert.equal(activity.results.length, 7);
    assert.ok(activity.pagination.total >= 30);
  });
});
