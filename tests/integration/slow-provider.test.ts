// Databases: sqlite. A test of leases held against a slow token endpoint; the lease writes run on every database in cluster and refresher.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { microsoftGrant, storeGrant } from '../helpers/grants';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startStrapiProcess, type StrapiProcess } from '../helpers/strapi-process';
import { TOKEN_UID } from '../helpers/tokens';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';

const LEASE_SECONDS = 5;
const SLOW_MS = 1.5 * LEASE_SECONDS * 1000;
const TENANT = '5d2c9e1a-7b3f-4e6d-a1c8-2f4e6a8b0c1d';
const SECRET = 'slow-client-secret';
const SCOPE = 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All';
// As many tokens as the job renews at once: none waits in its queue.
const TOKENS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A token endpoint that answers after 1.5 × leaseSeconds, and two instances on one database.
 * The provider invalidates a refresh token once it is used (the strictest rotation): a second
 * refresh with the same refresh token, while the first is out, would get invalid_grant — and
 * would mark the token "reauthorization required" although the first stores a valid one.
 *
 * Instance A (this process) renews, its request out for 7.5 s — longer than its lease of 5 s;
 * the configuration refuses an httpTimeout that allows that (leaseSeconds must exceed twice
 * httpTimeout), so this test raises A's at run time, to stand for any renewal that outlives its
 * lease (a stalled event loop, a slow database). Instance B (a child process) runs the refresh
 * job every second and finds the tokens due while A's lease would have run out without A's
 * heartbeat.
 */
describe('a token endpoint answering after 1.5 × leaseSeconds, two instances', () => {
  let app: TestStrapi;
  let other: StrapiProcess;
  let ms: MicrosoftIdentityServer;

  const db = () => app.strapi.db.query(TOKEN_UID);
  const rows = async () =>
    (await db().findMany({ where: { name: { $startsWith: 'slow-' } } })) as Array<{ id: number; name: string; status: string; refreshToken: string; lastError: { code: string } | null }>;

  before(async () => {
    ms = await startMicrosoftIdentity({ tenantId: TENANT, users: ['agent@contoso.test'] });
    app = await startStrapi({ env: { MAIL_AUTH_LEASE_SECONDS: String(LEASE_SECONDS), MAIL_AUTH_HTTP_TIMEOUT: '2' } });
    const redirectUri = `${app.url}/mail-auth/oauth/callback`;
    ms.addClient({ clientId: 'slow-ms', clientSecret: SECRET, redirectUris: [redirectUri], invalidateOldRefreshTokens: true });
    const tokens = app.strapi.plugin('mail-auth').service('tokens');
    for (let i = 0; i < TOKENS; i++) {
      const created = await tokens.create({
        name: `slow-${i}`,
        template: 'microsoft',
        clientId: 'slow-ms',
        clientSecret: SECRET,
        tenant: TENANT,
        authorizationEndpoint: ms.authorizeEndpoint(TENANT),
        tokenEndpoint: ms.tokenEndpoint(TENANT),
        scope: SCOPE,
      });
      await storeGrant(app.strapi, created.id, await microsoftGrant(ms, { tenant: TENANT, clientId: 'slow-ms', clientSecret: SECRET, redirectUri, scope: SCOPE, loginHint: 'agent@contoso.test' }));
    }
    other = await startStrapiProcess({
      database: app.database,
      env: {
        MAIL_AUTH_RUN_JOBS: 'true',
        SERVE_ADMIN_PANEL: 'false',
        MAIL_AUTH_REFRESH_SCHEDULE: '* * * * * *',
        // Due for B only once its access token has run out (the test makes it so mid-way).
        MAIL_AUTH_REFRESH_MARGIN: '1',
        MAIL_AUTH_LEASE_SECONDS: String(LEASE_SECONDS),
        MAIL_AUTH_HTTP_TIMEOUT: '2',
      },
    });
  });
  after(async () => {
    await other?.stop();
    await app?.stop();
    await ms?.stop();
  });

  test('0 double refreshes, 0 false "reauthorization required": the renewing instance keeps its lease', async () => {
    const config = 'plugin::mail-auth.httpTimeout';
    const httpTimeout = app.strapi.config.get(config);
    app.strapi.config.set(config, (3 * SLOW_MS) / 1000);
    ms.slowDown(SLOW_MS);
    ms.resetCounters();
    // Due for A (margin 300 s), not for B (margin 1 s).
    await db().updateMany({ where: { name: { $startsWith: 'slow-' } }, data: { accessTokenExpiresAt: new Date(Date.now() + 60_000) } });
    const started = Date.now();
    const run = app.strapi.plugin('mail-auth').service('refresher').run();
    try {
      // Past A's first lease: the tokens' access tokens run out, and B's job (every second) wants them.
      await sleep(LEASE_SECONDS * 1000 + 500);
      await db().updateMany({ where: { name: { $startsWith: 'slow-' } }, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });
      const report = await run;
      assert.ok(Date.now() - started >= SLOW_MS, 'the answers took 1.5 × leaseSeconds');
      assert.equal(report.refreshed.length, TOKENS, JSON.stringify(report));
    } finally {
      ms.slowDown(0);
      app.strapi.config.set(config, httpTimeout);
    }
    // B's job ran meanwhile: give it two more cycles with the stored results.
    await sleep(2000);
    const requests = ms.counters.token.refresh_token ?? 0;
    const doubles = ms.counters.concurrentRefreshes;
    const now = await rows();
    const falseReauthorization = now.filter((r) => r.status === 'reauthorization-required' || r.status === 'refresh-interrupted').length;
    console.log(
      `slow provider test: answers after ${SLOW_MS} ms (leaseSeconds ${LEASE_SECONDS}), two instances, ${TOKENS} tokens: ` +
        `${requests} refresh requests, ${doubles} double refreshes, ${falseReauthorization} false "reauthorization required"`
    );
    assert.equal(doubles, 0, 'no refresh while another with the same refresh token was out');
    assert.equal(requests, TOKENS, 'one refresh per token');
    assert.deepEqual(
      now.filter((r) => r.status !== 'valid').map((r) => `${r.name}: ${r.status} ${r.lastError?.code ?? ''}`),
      [],
      'every token valid'
    );
    const secrets = app.strapi.plugin('mail-auth').service('secrets');
    for (const r of now) assert.equal(ms.refreshTokenState(secrets.open(r.refreshToken, 'oauth-token.refreshToken')), 'unused', `${r.name} stores the newest refresh token`);
    assert.doesNotMatch(other.logs(), /invalid_grant/);
  });
});
