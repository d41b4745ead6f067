/**
 * bench/refresh: 1,000 tokens due at once against the local OAuth server. Times the plugin's
 * refresh job (lease, refresh, encrypted store, activity, notifications, all through the
 * database) and a plain openid-client refresh loop with the same concurrency, in the same
 * run, on the same refresh tokens (rotation off, so both may use them), and prints the ratio.
 * Also checks that no caller got an access token that had expired or was no longer active.
 *
 *   node --import tsx bench/refresh.ts            (TEST_DB=postgres|mysql for another database)
 *   BENCH_TOKENS=200 node --import tsx bench/refresh.ts
 */
import * as client from 'openid-client';

import { startStrapi } from '../tests/helpers/strapi';
import { obtainTokens } from '../tests/servers/headless';
import { startOAuthServer } from '../tests/servers/oauth-server';

const N = Number(process.env.BENCH_TOKENS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TOKEN_UID = 'plugin::mail-auth.oauth-token';

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    })
  );
}

async function main() {
  const op = await startOAuthServer();
  const redirectUri = 'http://127.0.0.1:9/callback';
  await op.addClient({
    clientId: 'bench',
    clientSecret: 'bench-secret',
    redirectUris: [redirectUri],
    rotateRefreshTokens: false,
    tokenEndpointAuthMethod: 'client_secret_post',
  });
  const app = await startStrapi({
    env: { MAIL_AUTH_RUN_JOBS: 'false', STRAPI_LOG_LEVEL: 'error', MAIL_AUTH_REFRESH_CONCURRENCY: String(CONCURRENCY) },
  });
  const { strapi } = app;
  const secrets = strapi.plugin('mail-auth').service('secrets');

  console.log(`obtaining ${N} grants …`);
  const grants: string[] = [];
  await pool(Array.from({ length: N }, (_, i) => i), 16, async () => {
    const t = await obtainTokens({ issuer: op.issuer, clientId: 'bench', clientSecret: 'bench-secret', redirectUri, scope: 'openid email mail' });
    grants.push(t.refresh_token!);
  });
  const expired = new Date(Date.now() - 1000);
  for (let i = 0; i < N; i++) {
    await strapi.db.query(TOKEN_UID).create({
      data: {
        name: `bench-${i}`,
        template: 'generic',
        grantType: 'authorization_code',
        clientId: 'bench',
        clientSecret: secrets.encrypt('bench-secret', 'oauth-token.clientSecret'),
        clientAuthMethod: 'client_secret_post',
        issuer: op.issuer,
        tokenEndpoint: op.tokenEndpoint,
        authorizationEndpoint: op.authorizationEndpoint,
        scope: 'openid email mail',
        status: 'valid',
        accessToken: secrets.encrypt('expired', 'oauth-token.accessToken'),
        accessTokenExpiresAt: expired,
        refreshToken: secrets.encrypt(grants[i], 'oauth-token.refreshToken'),
      },
    });
  }

  // Baseline: openid-client alone, same refresh tokens, same concurrency.
  const config = new client.Configuration(
    { issuer: op.issuer, token_endpoint: op.tokenEndpoint },
    'bench',
    undefined,
    client.ClientSecretPost('bench-secret')
  );
  client.allowInsecureRequests(config);
  const baseline = async () => {
    const t0 = performance.now();
    await pool(grants, CONCURRENCY, async (rt) => {
      await client.refreshTokenGrant(config, rt, { scope: 'openid email mail' });
    });
    return performance.now() - t0;
  };

  const refresher = strapi.plugin('mail-auth').service('refresher');
  const tokens = strapi.plugin('mail-auth').service('tokens');
  const plugin = async () => {
    await strapi.db.query(TOKEN_UID).updateMany({ where: {}, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });
    // Callers asking for tokens while the job runs must never get a dead one.
    let stale = 0;
    let asked = 0;
    let running = process.env.BENCH_NO_CALLERS !== "1";
    const callers = (async () => {
      while (running) {
        const id = 1 + Math.floor(Math.random() * N);
        const at = await tokens.getAccessToken(id).catch(() => undefined);
        asked += 1;
        if (at && !(await op.introspect(at)).active) stale += 1;
      }
    })();
    const t0 = performance.now();
    const report = await refresher.run();
    const ms = performance.now() - t0;
    running = false;
    await callers;
    if (report.refreshed.length !== N) {
      throw new Error(`the job refreshed ${report.refreshed.length} of ${N}: ${JSON.stringify(report.failed.slice(0, 3))}`);
    }
    return { ms, stale, asked, report };
  };

  const b1 = await baseline();
  const p1 = await plugin();
  const b2 = await baseline();
  const p2 = await plugin();
  const base = Math.min(b1, b2);
  const mine = Math.min(p1.ms, p2.ms);
  const after = await strapi.db.query(TOKEN_UID).count({ where: { accessTokenExpiresAt: { $lt: new Date() } } });
  console.log(`database: ${app.database.kind}, tokens: ${N}, concurrency: ${CONCURRENCY}`);
  console.log(`openid-client loop: ${b1.toFixed(0)} ms, ${b2.toFixed(0)} ms`);
  console.log(`plugin refresh job: ${p1.ms.toFixed(0)} ms, ${p2.ms.toFixed(0)} ms (refreshed ${p1.report.refreshed.length}, ${p2.report.refreshed.length})`);
  console.log(`tokens handed out during the job: ${p1.asked + p2.asked}, of which expired or inactive: ${p1.stale + p2.stale}`);
  console.log(`tokens still expired after the job: ${after}`);
  console.log(`ratio plugin/baseline (best of 2 each): ${(mine / base).toFixed(2)} (goal ≤ 1.2)`);
  await app.stop();
  await op.stop();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  }
);
