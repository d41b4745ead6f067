/**
 * bench/refresh: 1,000 tokens due at once against the local OAuth server. Times the plugin's
 * refresh job (lease, refresh, encrypted store, activity, notifications, all through the
 * database) and a plain openid-client refresh loop with the same concurrency, in the same
 * run, on the same refresh tokens (rotation off, so both may use them), and prints the ratio.
 * The plugin sends openid-client's requests through undici's request() rather than fetch(); a
 * third loop, openid-client on that same HTTP path, shows the job's own work apart from that.
 *
 * The OAuth server (oidc-provider) runs in a process of its own, as a provider is another
 * machine: in this process it would share one event loop with the code being measured. Both
 * sides are warmed up, then measured in rounds (5 by default) whose order alternates; the ratio is
 * of the medians, and is printed round by round too (each round's job against that round's loop).
 * A last run of the job, not timed, has callers asking for tokens while it works, and checks
 * that none of them got an access token that had expired or was no longer active.
 *
 *   node --import tsx bench/refresh.ts            (TEST_DB=postgres|mysql for another database)
 *   BENCH_TOKENS=200 BENCH_ROUNDS=5 node --import tsx bench/refresh.ts
 *   BENCH_PROFILE=/tmp/job.cpuprofile …           (CPU profiles of the last timed job run, of the
 *                                                  baseline's in /tmp/job.cpuprofile.baseline and of
 *                                                  the least durable refresher's in ….least)
 *   BENCH_QUERIES=1 …                             (the statements of the last timed job run, by kind)
 *   BENCH_PROVIDER_DELAY_MS=20 …                  (a provider 20 ms away: each answer held that long)
 * Every run prints the job's database statements a token (knex's query events during the timed runs).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Session } from 'node:inspector/promises';
import * as client from 'openid-client';
import pLimit from 'p-limit';

import { stateWriter } from '../server/src/db/state-writer';
import { pool } from '../server/src/inbound/pool';
import { groupedWrites } from '../server/src/tokens/grouped-writes';
import { JOB_RESULTS_LINGER_MS } from '../server/src/tokens/store';
import { oauthFetch } from '../server/src/oauth/http';
import { startStrapi } from '../tests/helpers/strapi';
import { obtainTokens } from '../tests/servers/headless';
import { startOAuthServerProcess } from './oauth-server-process';
import { databaseServerCpuMs } from './process-cpu';

const N = Number(process.env.BENCH_TOKENS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** A provider this far away: each refresh answer arrives this many ms after the server made it. */
const PROVIDER_DELAY_MS = Number(process.env.BENCH_PROVIDER_DELAY_MS ?? 0);
const TOKEN_UID = 'plugin::mail-auth.oauth-token';

/** Starts a CPU profile when a file is given; the function returned stops it and writes the file (after the timing). */
async function startProfile(file?: string): Promise<((file: string) => Promise<void>) | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // Every 100 µs rather than the default 1 ms: a run's thousand milliseconds of work give ten
  // thousand samples, enough to tell apart parts of a few milliseconds.
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (to) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(to, JSON.stringify(profile));
    session.disconnect();
  };
}

async function main() {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const op = await startOAuthServerProcess({
    clientId: 'bench',
    clientSecret: 'bench-secret',
    redirectUris: [redirectUri],
    rotateRefreshTokens: false,
    tokenEndpointAuthMethod: 'client_secret_post',
  }, { refreshAnswerDelayMs: PROVIDER_DELAY_MS });
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

  const loopConfiguration = (fetch?: client.CustomFetch) => {
    const c = new client.Configuration({ issuer: op.issuer, token_endpoint: op.tokenEndpoint }, 'bench', undefined, client.ClientSecretPost('bench-secret'));
    client.allowInsecureRequests(c);
    if (fetch) c[client.customFetch] = fetch;
    return c;
  };
  // Baseline: openid-client alone, same refresh tokens, same concurrency.
  const config = loopConfiguration();
  // The same loop on the HTTP path the plugin uses (undici's request() instead of fetch()), so that
  // the job's own work shows apart from what its cheaper requests save.
  const sameHttp = loopConfiguration(oauthFetch);
  // CPU time of this process (the server's is in its own): how much of the wall time is our work.
  const cpu = { base: [] as number[], mine: [] as number[], serverBase: [] as number[], serverMine: [] as number[], same: [] as number[], serverSame: [] as number[], database: [] as number[], least: [] as number[], serverLeast: [] as number[], databaseLeast: [] as number[] };
  // How long the OAuth server waited for requests: a client that keeps its requests out keeps it busy.
  const serverIdle = { base: [] as number[], same: [] as number[], mine: [] as number[] };
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  /** One openid-client loop over every refresh token: its wall time, and the CPU time of both processes into `into`. */
  const loop = async (configuration: client.Configuration, into: { cpu: number[]; server: number[]; idle: number[] }, profile?: string) => {
    const profiler = await startProfile(profile);
    const s0 = await op.usage();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await pool(grants, CONCURRENCY, async (rt) => {
      await client.refreshTokenGrant(configuration, rt, { scope: 'openid email mail' });
    });
    const ms = performance.now() - t0;
    into.cpu.push(cpuMs(c0));
    const s1 = await op.usage();
    into.server.push(s1.cpuMs - s0.cpuMs);
    into.idle.push(s1.idleMs - s0.idleMs);
    await profiler?.(profile!);
    return ms;
  };
  const baseline = (profile?: string) => loop(config, { cpu: cpu.base, server: cpu.serverBase, idle: serverIdle.base }, profile);
  const baselineSameHttp = () => loop(sameHttp, { cpu: cpu.same, server: cpu.serverSame, idle: serverIdle.same });

  /**
   * The least a refresher that keeps its tokens in this database can do, timed like the others:
   * the loop on the plugin's HTTP path, plus what no such refresher can leave out, done as the job
   * does it — each batch of tokens leased by one UPDATE (a cluster's instances must not refresh
   * with the same refresh token) that returns the columns it needs (a SELECT after it on MariaDB),
   * each refresh token opened and each new access token sealed (secrets at rest), each answer
   * written under its lease with a compare-and-swap on its refresh token, the answers that arrive
   * together in one UPDATE (the plugin's own group commit and statement). Left out: everything
   * else the job does (due list, checks, backoff, notifications, events, activity log, heartbeats,
   * callers sharing a renewal). The job against this is its bookkeeping; this against the plain
   * loop is what storing the tokens durably, in the job's way, costs on this machine.
   */
  const ids = (await strapi.db.query(TOKEN_UID).findMany({ select: ['id'], orderBy: { id: 'asc' } })).map((r: { id: number }) => r.id);
  const tokenRows = stateWriter(strapi, TOKEN_UID);
  const knex = strapi.db.connection;
  const table = strapi.db.metadata.get(TOKEN_UID).tableName;
  /** A token as the least durable refresher leases it: the columns it needs, and its batch's lease owner. */
  type LeastRow = { id: number; document_id: string; refresh_token: string; owner: string };
  const leastDurable = async (profile?: string) => {
    const profiler = await startProfile(profile);
    const s0 = await op.usage();
    const d0 = databaseServerCpuMs();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const write = groupedWrites(tokenRows, async () => new Map(), JOB_RESULTS_LINGER_MS);
    const batches: number[][] = [];
    for (let i = 0; i < ids.length; i += CONCURRENCY * 4) batches.push(ids.slice(i, i + CONCURRENCY * 4));
    const leased = async (batch: number[]): Promise<LeastRow[]> => {
      const owner = `least-durable:${Math.random()}`;
      const needed = ['id', 'document_id', 'refresh_token'];
      const until = tokenRows.column('leaseUntil');
      const lease = { [tokenRows.column('leaseOwner')]: owner, [until]: new Date(Date.now() + 60_000) };
      const free = () => knex(table).whereIn('id', batch).andWhere((q) => q.whereNull(until).orWhere(until, '<', new Date()));
      // Returned by the UPDATE where the dialect can (PostgreSQL, SQLite), read back where not.
      const rows = strapi.db.dialect.useReturning()
        ? await free().update(lease, needed)
        : (await free().update(lease), await knex(table).select(needed).whereIn('id', batch).andWhere(tokenRows.column('leaseOwner'), owner));
      return rows.map((r: Omit<LeastRow, 'owner'>) => ({ ...r, owner }));
    };
    // The next batch is leased while the last of this one are refreshed, and `CONCURRENCY` requests
    // are out while twice as many tokens are in hand (some storing their answers), as in the job.
    const queue: LeastRow[] = [];
    let b = 0;
    let leasing: Promise<void> | undefined;
    const refill = () => (leasing ??= leased(batches[b++]).then((rows) => void queue.push(...rows)).finally(() => (leasing = undefined)));
    const take = async () => {
      while (!queue.length) await refill();
      const row = queue.shift()!;
      if (queue.length < CONCURRENCY && b < batches.length) void refill();
      return row;
    };
    const requests = pLimit(CONCURRENCY);
    await pool(ids, CONCURRENCY * 2, async () => {
      const row = await take();
      const refreshToken = secrets.open(row.refresh_token, 'oauth-token.refreshToken', row.document_id)!;
      const answer = await requests(() => client.refreshTokenGrant(sameHttp, refreshToken, { scope: 'openid email mail' }));
      const written = await write(
        {
          id: row.id,
          when: { leaseOwner: row.owner, refreshToken: row.refresh_token },
          data: {
            accessToken: secrets.encrypt(answer.access_token, 'oauth-token.accessToken', row.document_id),
            accessTokenExpiresAt: new Date(Date.now() + (answer.expires_in ?? 3600) * 1000),
            lastRefreshAt: new Date(),
            updatedAt: new Date(),
            leaseOwner: null,
            leaseUntil: null,
          },
        },
        undefined,
        true
      );
      if (!written) throw new Error(`token ${row.id} was not written`);
    });
    const ms = performance.now() - t0;
    cpu.least.push(cpuMs(c0));
    cpu.serverLeast.push((await op.usage()).cpuMs - s0.cpuMs);
    cpu.databaseLeast.push(databaseServerCpuMs() - d0);
    await profiler?.(profile!);
    return ms;
  };

  // The job's statements (knex's query events): a round trip each, the figure that batching lowers.
  const statements = { counting: false, runs: [] as number[], kinds: new Map<string, number>() };
  strapi.db.connection.on('query', (q: { sql: string }) => {
    if (!statements.counting) return;
    statements.runs[statements.runs.length - 1] += 1;
    const kind = q.sql.replace(/\s+/g, ' ').slice(0, 60);
    statements.kinds.set(kind, (statements.kinds.get(kind) ?? 0) + 1);
  });

  const refresher = strapi.plugin('mail-auth').service('refresher');
  const tokens = strapi.plugin('mail-auth').service('tokens');
  const expireAll = () => strapi.db.query(TOKEN_UID).updateMany({ where: {}, data: { accessTokenExpiresAt: new Date(Date.now() - 1000) } });
  const job = async (profile?: string) => {
    await expireAll();
    const profiler = await startProfile(profile);
    const s0 = await op.usage();
    const d0 = databaseServerCpuMs();
    const c0 = process.cpuUsage();
    statements.kinds.clear();
    statements.runs.push(0);
    statements.counting = true;
    const t0 = performance.now();
    const report = await refresher.run();
    const ms = performance.now() - t0;
    statements.counting = false;
    cpu.mine.push(cpuMs(c0));
    const s1 = await op.usage();
    cpu.serverMine.push(s1.cpuMs - s0.cpuMs);
    serverIdle.mine.push(s1.idleMs - s0.idleMs);
    cpu.database.push(databaseServerCpuMs() - d0);
    await profiler?.(profile!);
    if (report.refreshed.length !== N) {
      throw new Error(`the job refreshed ${report.refreshed.length} of ${N}: ${JSON.stringify(report.failed.slice(0, 3))}`);
    }
    return ms;
  };

  // Callers asking for tokens while the job runs must never get a dead one.
  const jobWithCallers = async () => {
    await expireAll();
    let stale = 0;
    let asked = 0;
    let running = true;
    const callers = Array.from({ length: 4 }, async () => {
      while (running) {
        const id = 1 + Math.floor(Math.random() * N);
        const at = await tokens.getAccessToken(id).catch(() => undefined);
        asked += 1;
        if (at && !(await op.introspect(at)).active) stale += 1;
      }
    });
    const t0 = performance.now();
    const report = await refresher.run();
    const ms = performance.now() - t0;
    running = false;
    await Promise.all(callers);
    return { ms, stale, asked, refreshed: report.refreshed.length };
  };

  console.log('warming up …');
  await baseline();
  await job();
  await baselineSameHttp();
  await leastDurable();
  const least: number[] = [];
  const same: number[] = [];
  const base: number[] = [];
  const mine: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const last = round === ROUNDS - 1 && process.env.BENCH_PROFILE;
    const runs = [
      async () => base.push(await baseline(last ? `${last}.baseline` : undefined)),
      async () => same.push(await baselineSameHttp()),
      async () => least.push(await leastDurable(last ? `${last}.least` : undefined)),
      async () => mine.push(await job(last || undefined)),
    ];
    // Every other round in the opposite order: a machine that slows down (or speeds up) during
    // the run then weighs on each side alike, not on whichever always comes last.
    for (const run of round % 2 ? runs.reverse() : runs) await run();
  }
  const checked = await jobWithCallers();
  const after = await strapi.db.query(TOKEN_UID).count({ where: { accessTokenExpiresAt: { $lt: new Date() } } });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const ratio = median(mine) / median(base);
  console.log(`database: ${app.database.kind}, tokens: ${N}, concurrency: ${CONCURRENCY}, rounds: ${ROUNDS}${PROVIDER_DELAY_MS ? `, provider answers held ${PROVIDER_DELAY_MS} ms` : ''}`);
  console.log(`openid-client loop: ${list(base)} ms (median ${median(base).toFixed(0)})`);
  console.log(`openid-client loop on the plugin's HTTP path (undici request()): ${list(same)} ms (median ${median(same).toFixed(0)})`);
  console.log(`the least durable refresher (lease, seal, grouped UPDATE; nothing else): ${list(least)} ms (median ${median(least).toFixed(0)})`);
  console.log(`plugin refresh job: ${list(mine)} ms (median ${median(mine).toFixed(0)})`);
  const perToken = (xs: number[]) => median(xs) / N;
  console.log(
    `CPU time of this process per token (median): openid-client ${perToken(cpu.base).toFixed(2)} ms, on the plugin's HTTP path ${perToken(cpu.same).toFixed(2)} ms, the least durable refresher ${perToken(cpu.least).toFixed(2)} ms, plugin ${perToken(cpu.mine).toFixed(2)} ms`
  );
  const timedRuns = statements.runs.slice(-ROUNDS);
  console.log(`database statements of the job per token (median of the timed runs): ${(median(timedRuns) / N).toFixed(3)}`);
  if (process.env.BENCH_QUERIES) {
    for (const [kind, count] of [...statements.kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(6)}  ${kind}`);
  }
  console.log(`CPU time of the OAuth server per token (median): during the loop ${perToken(cpu.serverBase).toFixed(2)} ms, during the job ${perToken(cpu.serverMine).toFixed(2)} ms`);
  console.log(`CPU time of the database server per token (median): during the job ${perToken(cpu.database).toFixed(2)} ms, during the least durable refresher ${perToken(cpu.databaseLeast).toFixed(2)} ms`);
  console.log(
    `the OAuth server's event loop waiting for requests (median): ${median(serverIdle.base).toFixed(0)} ms during the loop, ${median(serverIdle.same).toFixed(0)} ms during the same-path loop, ${median(serverIdle.mine).toFixed(0)} ms during the job`
  );
  // These processes share this machine's cores: no run can be shorter than all their CPU time spread over all cores.
  const cores = availableParallelism();
  const floor = (N * (perToken(cpu.mine) + perToken(cpu.serverMine))) / cores;
  console.log(`the job's wall time cannot be below ${floor.toFixed(0)} ms here (the CPU time of both processes over ${cores} cores): a ratio of at least ${(floor / median(base)).toFixed(2)}`);
  if (app.database.kind !== 'sqlite') {
    const withDatabase = floor + (N * perToken(cpu.database)) / cores;
    console.log(`… nor below ${withDatabase.toFixed(0)} ms with the database server's CPU time on the same cores: a ratio of at least ${(withDatabase / median(base)).toFixed(2)}`);
  }
  // What the three processes spend on a token, all told: on two cores kept busy, the wall time
  // tends to this, and it drifts less with the machine's speed than the wall time does (every process slows alike).
  const serverSide = app.database.kind !== 'sqlite';
  const allCpu = (mine: number[], server: number[], database?: number[]) => perToken(mine) + perToken(server) + (database && serverSide ? perToken(database) : 0);
  const allCpuOf = { base: allCpu(cpu.base, cpu.serverBase), least: allCpu(cpu.least, cpu.serverLeast, cpu.databaseLeast), mine: allCpu(cpu.mine, cpu.serverMine, cpu.database) };
  console.log(
    `CPU time a token of this process, the OAuth server${serverSide ? ' and the database server' : ''} together (medians): openid-client loop ${allCpuOf.base.toFixed(2)} ms, ` +
      `the least durable refresher ${allCpuOf.least.toFixed(2)} ms, plugin ${allCpuOf.mine.toFixed(2)} ms: ` +
      `ratio plugin/baseline by CPU time ${(allCpuOf.mine / allCpuOf.base).toFixed(2)}, the least durable refresher ${(allCpuOf.least / allCpuOf.base).toFixed(2)}`
  );
  console.log(`job with 4 callers asking for tokens: ${checked.ms.toFixed(0)} ms, refreshed ${checked.refreshed}; tokens handed out: ${checked.asked}, of which expired or inactive: ${checked.stale}`);
  console.log(`tokens still expired after the job: ${after}`);
  console.log(`ratio plugin/baseline (medians): ${ratio.toFixed(2)} (goal ≤ 1.2: ${ratio <= 1.2 ? 'met' : 'NOT met'})`);
  console.log(`ratio plugin/loop on the same HTTP path (the job's own work alone): ${(median(mine) / median(same)).toFixed(2)}`);
  // Each round's run against that round's loop (a second or two apart): on a machine whose speed
  // drifts during the run, the medians above can come from different phases of it; these cannot.
  const byRound = (xs: number[]) => xs.map((ms, i) => ms / base[i]);
  const leastPaired = byRound(least);
  console.log(
    `the least durable refresher / baseline: ${(median(least) / median(base)).toFixed(2)} by medians, ${leastPaired.map((r) => r.toFixed(2)).join(', ')} round by round (median ${median(leastPaired).toFixed(2)}); the job / the least durable refresher: ${(median(mine) / median(least)).toFixed(2)}`
  );
  const paired = byRound(mine);
  console.log(`ratio plugin/baseline round by round: ${paired.map((r) => r.toFixed(2)).join(', ')} (median ${median(paired).toFixed(2)})`);
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
