import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startStrapiProcess, type StrapiProcess } from '../helpers/strapi-process';
import { generateTokens, TOKEN_UID } from '../helpers/tokens';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const TOKENS = 20;
// A renewal's answer is held HOLD_MS in the shutdown test: the request timeout must outlast it,
// and the lease must exceed twice that timeout (config validation says so).
const HTTP_TIMEOUT = 6;
const LEASE_SECONDS = 13;
const HOLD_MS = 3000;
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
      refreshToken: string | null;
      refreshSentBy: string | null;
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
      MAIL_AUTH_HTTP_TIMEOUT: String(HTTP_TIMEOUT),
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

  test('when one instance shuts down (SIGTERM) while the provider holds its renewals\' answers, it stores them first: 0 lost', async () => {
    const [leaving] = instances;
    const secrets = setup.strapi.plugin('mail-auth').service('secrets');
    /** The instances (lease owners' first part) with a renewal redeemed at the provider and not yet stored. */
    const instancesAwaitingAnswers = async () => {
      const awaiting = new Set<string>();
      for (const r of await rows()) {
        if (!r.refreshSentBy || !r.refreshToken) continue;
        const stored = await op.provider.RefreshToken.find(secrets.open(r.refreshToken, 'oauth-token.refreshToken'));
        if (!stored || stored.consumed) awaiting.add(r.refreshSentBy.split(':')[0]);
      }
      return awaiting;
    };
    // A far provider: each rotated refresh token is in flight HOLD_MS after the old one was
    // redeemed. The signal goes once both instances have such an answer on its way, so the
    // leaving one certainly has: if it exits without storing it, that token's only valid refresh
    // token is gone, and the other instance's retry with the old one is refused (this provider
    // then revokes the grant).
    op.holdRefreshAnswers(HOLD_MS);
    await waitFor('both instances awaiting a held answer', async () => (await instancesAwaitingAnswers()).size === 2, 60_000);
    const heldAtSignal = op.heldRefreshAnswers;
    await leaving.stop();
    op.holdRefreshAnswers(0);
    const stoppedAt = Date.now();
    await waitFor(
      'every token refreshed by the other instance',
      async () => (await rows()).every((r) => r.status !== 'valid' || new Date(r.lastRefreshAt).getTime() > stoppedAt),
      (LEASE_SECONDS + 30) * 1000
    );
    const lost = (await rows()).filter((r) => r.status !== 'valid');
    console.log(
      `cluster test: one of two instances stopped with SIGTERM while ${heldAtSignal} refresh answers were held ${HOLD_MS} ms by the provider, ${lost.length} of ${TOKENS} tokens lost`
    );
    assert.deepEqual(
      lost.map((r) => `${r.name}: ${r.status} ${r.lastError?.code}`),
      [],
      '0 tokens lost'
    );
    assert.match(leaving.logs(), /Strapi has been shut down/);
    assert.doesNotMatch(leaving.logs(), /renewals still in flight/);
  });
});
