import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startStrapiProcess, type StrapiProcess } from '../helpers/strapi-process';
import { generateTokens, TOKEN_UID } from '../helpers/tokens';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const TOKENS = 20;
const LEASE_SECONDS = 5;
const SECRET = 'cluster-client-secret';

const waitFor = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/**
 * Two Strapi processes on one database each run the refresh job every second, against an
 * OAuth server that rotates refresh tokens and revokes the grant when a rotated-out one is
 * used: a token refreshed twice for the same due time would end in invalid_grant.
 */
describe(`two instances on one ${process.env.TEST_DB ?? 'sqlite'} database`, () => {
  let database: TestDatabase;
  let setup: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  const instances: StrapiProcess[] = [];

  const rows = async () =>
    (await setup.strapi.db.query(TOKEN_UID).findMany({ where: { name: { $startsWith: 'cluster-' } } })) as Array<{
      id: number;
      name: string;
      status: string;
      lastRefreshAt: string;
      lastError: { code: string; at: string } | null;
    }>;
  const activities = (kind: string) => setup.strapi.db.query('plugin::mail-auth.activity').count({ where: { kind } });

  before(async () => {
    op = await startOAuthServer();
    database = await createTestDatabase();
    // This process only sets things up: its own jobs are off.
    setup = await startStrapi({ database, env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    await op.addClient({
      clientId: 'cluster-client',
      clientSecret: SECRET,
      redirectUris: [`${setup.url}/mail-auth/oauth/callback`],
      tokenEndpointAuthMethod: 'client_secret_post',
      rotateRefreshTokens: true,
      accessTokenTtl: 4,
    });
    ({ superAdmin: admin } = await adminClients(setup.strapi, setup.url));
    for (let i = 0; i < TOKENS; i++) {
      const created = await admin.post('/mail-auth/tokens', {
        name: `cluster-${i}`,
        template: 'generic',
        clientId: 'cluster-client',
        clientSecret: SECRET,
        issuer: op.issuer,
        authorizationEndpoint: op.authorizationEndpoint,
        tokenEndpoint: op.tokenEndpoint,
        scope: 'openid email offline_access mail',
      });
      assert.equal(created.status, 201);
      assert.equal((await generateTokens(admin, created.body.id)).status, 200);
    }
    op.resetCounters();
    const env = {
      // (this process's environment says otherwise for the setup instance above)
      MAIL_AUTH_RUN_JOBS: 'true',
      SERVE_ADMIN_PANEL: 'false',
      MAIL_AUTH_REFRESH_SCHEDULE: '* * * * * *',
      MAIL_AUTH_REFRESH_MARGIN: '2',
      MAIL_AUTH_LEASE_SECONDS: String(LEASE_SECONDS),
      // leaseSeconds must be more than twice this
      MAIL_AUTH_HTTP_TIMEOUT: '2',
    };
    instances.push(...(await Promise.all([startStrapiProcess({ database, env }), startStrapiProcess({ database, env })])));
  });

  after(async () => {
    for (const instance of instances) await instance.stop();
    await setup?.stop();
    await database?.drop();
    await op?.stop();
  });

  test('over 200 refresh cycles no token is refreshed twice and no invalid_grant occurs', async () => {
    // Requests reach the server a moment before their answers are stored: wait for both.
    await waitFor(
      '200 refreshes sent and stored',
      async () => (op.counters.token.refresh_token ?? 0) >= 200 && (await activities('token.refreshed')) >= 200,
      150_000
    );
    const now = await rows();
    assert.deepEqual(
      now.filter((r) => r.status !== 'valid').map((r) => `${r.name}: ${r.status} ${r.lastError?.code}`),
      [],
      'every token is still valid'
    );
    assert.equal(await activities('token.refresh-failed'), 0, 'no refresh failed');
    // Every request that reached the OAuth server was stored as exactly one refresh.
    const refreshed = await activities('token.refreshed');
    const requests = op.counters.token.refresh_token ?? 0;
    assert.ok(refreshed >= 200, `${refreshed} refreshes recorded`);
    assert.ok(requests - refreshed <= 2 * 8, `requests ${requests} vs stored ${refreshed}: only those still in flight may differ`);
    // Both instances did part of the work.
    const logs = instances.map((i) => i.logs());
    assert.ok(logs.every((l) => !/invalid_grant/.test(l)), 'no invalid_grant in either log');
  });

  test('when one instance shuts down (SIGTERM) amid its renewals, it stores them first and the other takes its tokens: 0 lost', async () => {
    const [leaving] = instances;
    // Both run the job every second over tokens that live 4 s. The signal goes the moment the
    // provider has answered a refresh (its counter moves once the answer is made), so that it
    // falls between answers and their writes.
    const before = op.counters.token.refresh_token ?? 0;
    while ((op.counters.token.refresh_token ?? 0) === before) await new Promise((r) => setTimeout(r, 2));
    await leaving.stop();
    const stoppedAt = Date.now();
    assert.match(leaving.logs(), /Strapi has been shut down/);
    assert.doesNotMatch(leaving.logs(), /renewals still in flight/);
    await waitFor(
      'every token refreshed by the other instance',
      async () => (await rows()).every((r) => r.status !== 'valid' || new Date(r.lastRefreshAt).getTime() > stoppedAt),
      (LEASE_SECONDS + 20) * 1000
    );
    assert.ok((op.counters.token.refresh_token ?? 0) - before >= TOKENS, 'the other instance keeps refreshing');
    // A refresh sent but not stored would leave its token with a rotated-out refresh token, which
    // this provider refuses (and then revokes the grant): the leaving instance waited for its answers.
    const lost = (await rows()).filter((r) => r.status !== 'valid');
    assert.deepEqual(
      lost.map((r) => `${r.name}: ${r.status} ${r.lastError?.code}`),
      [],
      '0 tokens lost'
    );
    console.log(`cluster test: one of two instances stopped with SIGTERM during its refresh job, ${lost.length} of ${TOKENS} tokens lost`);
  });
});
