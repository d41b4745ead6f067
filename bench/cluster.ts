/**
 * bench/cluster: 1, 2 and 3 Strapi instances on one PostgreSQL database share the plugin's
 * background work — 3,000 tokens due at once at a token endpoint that answers after 50 ms (a
 * provider far away: the work waits more than it computes), and 200 IMAP accounts with new
 * messages in Dovecot. For each number of instances it measures the wall time until every token
 * is renewed and every message stored, prints the throughput (tokens + messages a second) and
 * its ratio to one instance (goal for two: ≥ 1.6), and counts from the database, and from the
 * token endpoint's record of every grant, that each token was refreshed once and each message
 * handed on once. It prints the CPU time of every process taking part, as the instances share
 * this machine's cores with each other, PostgreSQL, Dovecot and this process. Not a test:
 * nothing is asserted.
 *
 *   npm run build && npx tsc -p playground/tsconfig.json && node --import tsx bench/cluster.ts
 *   BENCH_TOKENS=3000 BENCH_ACCOUNTS=200 BENCH_MESSAGES=5 BENCH_INSTANCES=1,2,3 BENCH_DELAY_MS=50 …
 *   (BENCH_MESSAGES: new messages per account; BENCH_TIMEOUT: seconds a run may take, 300)
 *
 * The instances are the compiled playground in child processes (tests/helpers/strapi-process),
 * with their jobs on, both schedules every second and the plugin's defaults otherwise
 * (refreshConcurrency 8, pollConcurrency 4, leaseSeconds 60). The data is seeded once through an
 * in-process Strapi into a template database, which every run copies (CREATE DATABASE …
 * TEMPLATE): each run starts from the same rows. The tokens are seeded valid for a day and the
 * accounts polled "in the future", so that the instances find nothing to do while they start;
 * once all are up, one transaction makes every token due and every account due at once, and the
 * clock starts. The accounts keep their messages (action keep), so every run finds them new in
 * its fresh database.
 */
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { pool } from '../server/src/inbound/pool';
import { adminClients } from '../tests/helpers/admin';
import { connectPostgres, copyPostgresDatabase, createTestDatabase, type TestDatabase } from '../tests/helpers/database';
import { startRotatingTokenEndpoint, type RotatingTokenEndpoint } from '../tests/helpers/fake-token-endpoint';
import { createAccount } from '../tests/helpers/inbound';
import { startStrapi } from '../tests/helpers/strapi';
import { startStrapiProcess, type StrapiProcess } from '../tests/helpers/strapi-process';
import { TOKEN_UID } from '../tests/helpers/tokens';
import { startDovecot, type DovecotServer } from '../tests/servers/dovecot';
import { cpuMsOf, treeCpuMs } from './process-cpu';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 3000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5);
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map(Number);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 50);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 300);
const IDLE_MS = 5000;
const CLIENT = { clientId: 'cluster-bench', clientSecret: 'cluster-bench-secret' };
const PASSWORD = 'benchpass';
const user = (i: number) => `user${i}@example.test`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(', ');

function message(account: number, i: number): string {
  return [
    `From: Customer ${i} <customer${i}@example.org>`,
    `To: Support <${user(account)}>`,
    `Subject: Question ${i} for account ${account}`,
    `Message-ID: <cluster-${account}-${i}@example.org>`,
    `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello,\r\n\r\n${'I would like to know when my order ships. '.repeat(10)}\r\n\r\nRegards`,
    '',
  ].join('\r\n');
}

/** Seeds the template database: TOKENS tokens at the endpoint, ACCOUNTS inbound accounts at Dovecot, none of them due. */
async function seed(template: TestDatabase, endpoint: RotatingTokenEndpoint, dovecot: DovecotServer) {
  const setup = await startStrapi({ database: template, env: { MAIL_AUTH_RUN_JOBS: 'false', STRAPI_LOG_LEVEL: 'error' } });
  try {
    const { strapi } = setup;
    const secrets = strapi.plugin('mail-auth').service('secrets');
    const validForADay = new Date(Date.now() + 86_400_000);
    for (let from = 0; from < TOKENS; from += 500) {
      const data = Array.from({ length: Math.min(500, TOKENS - from) }, (_, k) => {
        const i = from + k;
        return {
          name: `cluster-${i}`,
          template: 'generic',
          grantType: 'authorization_code',
          clientId: CLIENT.clientId,
          clientSecret: secrets.encrypt(CLIENT.clientSecret, 'oauth-token.clientSecret'),
          clientAuthMethod: 'client_secret_post',
          tokenEndpoint: endpoint.tokenEndpoint,
          authorizationEndpoint: endpoint.tokenEndpoint.replace(/\/token$/, '/authorize'),
          scope: 'mail',
          status: 'valid',
          accessToken: secrets.encrypt(`seeded-${i}`, 'oauth-token.accessToken'),
          accessTokenExpiresAt: validForADay,
          refreshToken: secrets.encrypt(endpoint.issue(`t${i}`), 'oauth-token.refreshToken'),
        };
      });
      await strapi.db.query(TOKEN_UID).createMany({ data });
    }
    const { superAdmin: admin } = await adminClients(strapi, setup.url);
    await pool(
      Array.from({ length: ACCOUNTS }, (_, i) => i),
      4,
      async (i) => {
        await createAccount(admin, {
          name: `cluster-${i}`,
          type: 'imap',
          host: dovecot.host,
          port: dovecot.ports.imap,
          login: user(i),
          password: PASSWORD,
          actionAfterFetch: 'keep',
          pollInterval: 300,
          // Polled by the schedule, shared out by the leases: held in IDLE, an account would be
          // fetched as its connection opens, before the clock starts (bench/latency measures IDLE).
          idle: false,
        });
      }
    );
    // Polled "in the future": not due before the clock starts.
    await strapi.db.query('plugin::mail-auth.inbound-account').updateMany({ where: {}, data: { lastPollAt: validForADay } });
  } finally {
    await setup.stop();
  }
}

interface Run {
  instances: number;
  startupMs: number[];
  tokensMs: number;
  messagesMs: number;
  ms: number;
  cpu: { instances: number[]; postgres: number; dovecot: number; bench: number; idleMsPerSecond: number[] };
  /** What the database and Dovecot were asked for during the run (work beyond the minimum shows here). */
  asked: { transactions: number; rowsUpdated: number; rowsInserted: number; imapLogins: number };
  counts: {
    renewed: number;
    grants: number;
    grantedTwice: number;
    refusedSpent: number;
    refusedOther: number;
    refreshedActivitiesTwice: number;
    refreshFailed: number;
    messages: number;
    storedTwice: number;
    missing: number;
    receipts: number;
  };
  loadBefore: string;
  loadAfter: string;
}

async function run(n: number, template: TestDatabase, endpoint: RotatingTokenEndpoint, dovecot: DovecotServer): Promise<Run> {
  const database = await copyPostgresDatabase(template);
  endpoint.reset();
  const instances: StrapiProcess[] = [];
  const db = await connectPostgres(database);
  try {
    const env = {
      MAIL_AUTH_RUN_JOBS: 'true',
      SERVE_ADMIN_PANEL: 'false',
      MAIL_AUTH_REFRESH_SCHEDULE: '* * * * * *',
      MAIL_AUTH_POLL_SCHEDULE: '* * * * * *',
      MAIL_AUTH_REFRESH_MARGIN: '300',
      MAIL_AUTH_HTTP_TIMEOUT: '30',
      MAIL_AUTH_MAIL_TIMEOUT: '30',
      STRAPI_LOG_LEVEL: 'warn',
    };
    // One after the other: n Strapis starting at once on two cores only make each other slow.
    for (let i = 0; i < n; i++) instances.push(await startStrapiProcess({ database, env, readyTimeoutMs: 300_000 }));
    const dovecotMaster = Number(readFileSync(join(dovecot.dir, 'run', 'master.pid'), 'utf8').trim());
    const backends = async () => (await db.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name])).rows.map((r: { pid: number }) => r.pid) as number[];
    // Let the jobs tick with nothing to do (their first run reads the settings and the due lists),
    // then measure what an instance costs while it only ticks: every instance pays it during the run.
    await sleep(2000);
    const idle0 = instances.map((i) => treeCpuMs(i.pid));
    await sleep(IDLE_MS);
    const idleMsPerSecond = instances.map((i, k) => ((treeCpuMs(i.pid) - idle0[k]) * 1000) / IDLE_MS);

    const loadBefore = load();
    const instanceCpu0 = instances.map((i) => treeCpuMs(i.pid));
    const postgres0 = cpuMsOf(await backends());
    const dovecot0 = treeCpuMs(dovecotMaster);
    const bench0 = process.cpuUsage();
    // PostgreSQL's own counters of this database (flushed within a second of each transaction).
    const pgStats = async () =>
      (await db.query('SELECT xact_commit + xact_rollback AS transactions, tup_updated, tup_inserted FROM pg_stat_database WHERE datname = $1', [database.name])).rows[0] as Record<string, string>;
    const pg0 = await pgStats();
    const dovecotLog0 = dovecot.log().length;

    // The clock starts: everything due at once, in one transaction.
    await db.query('BEGIN');
    await db.query(`UPDATE mail_auth_oauth_tokens SET access_token_expires_at = now() - interval '1 second'`);
    await db.query('UPDATE mail_auth_inbound_accounts SET last_poll_at = NULL');
    const startedAt = (await db.query('SELECT now() AS t')).rows[0].t as Date;
    await db.query('COMMIT');
    const t0 = performance.now();

    const expected = ACCOUNTS * MESSAGES;
    let tokensMs = NaN;
    let messagesMs = NaN;
    const deadline = t0 + TIMEOUT_S * 1000;
    while (performance.now() < deadline && (Number.isNaN(tokensMs) || Number.isNaN(messagesMs))) {
      const renewed = Number((await db.query('SELECT count(*) AS n FROM mail_auth_oauth_tokens WHERE last_refresh_at >= $1', [startedAt])).rows[0].n);
      const stored = Number((await db.query('SELECT count(*) AS n FROM mail_auth_messages')).rows[0].n);
      const now = performance.now() - t0;
      if (Number.isNaN(tokensMs) && renewed >= TOKENS) tokensMs = now;
      if (Number.isNaN(messagesMs) && stored >= expected) messagesMs = now;
      await sleep(100);
    }
    const ms = Math.max(tokensMs, messagesMs);
    const instanceCpu = instances.map((i, k) => treeCpuMs(i.pid) - instanceCpu0[k]);
    const postgres1 = cpuMsOf(await backends());
    const postgres = [...postgres1].reduce((sum, [pid, cpu]) => sum + cpu - (postgres0.get(pid) ?? 0), 0);
    const dovecotCpu = treeCpuMs(dovecotMaster) - dovecot0;
    const benchCpu = process.cpuUsage(bench0);
    const loadAfter = load();
    await sleep(1000);
    const pg1 = await pgStats();
    const delta = (k: string) => Number(pg1[k]) - Number(pg0[k]);
    const asked = {
      transactions: delta('transactions'),
      rowsUpdated: delta('tup_updated'),
      rowsInserted: delta('tup_inserted'),
      imapLogins: (dovecot.log().slice(dovecotLog0).match(/imap-login: (Info: )?Login: /g) ?? []).length,
    };

    // Whatever was still in flight lands (activity entries are written in batches), then count.
    await sleep(3000);
    const one = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
    const grants = [...endpoint.grants().values()];
    const counts = {
      renewed: await one('SELECT count(*) AS n FROM mail_auth_oauth_tokens WHERE last_refresh_at >= $1', [startedAt]),
      grants: grants.reduce((a, b) => a + b, 0),
      grantedTwice: grants.filter((g) => g > 1).length,
      refusedSpent: endpoint.refused.spent,
      refusedOther: endpoint.refused.unknown + endpoint.refused.client,
      refreshedActivitiesTwice: await one(
        `SELECT count(*) AS n FROM (SELECT subject_id FROM mail_auth_activities WHERE kind = 'token.refreshed' AND created_at >= $1 GROUP BY subject_id HAVING count(*) > 1) twice`,
        [startedAt]
      ),
      refreshFailed: await one(`SELECT count(*) AS n FROM mail_auth_activities WHERE kind = 'token.refresh-failed'`),
      messages: await one('SELECT count(*) AS n FROM mail_auth_messages'),
      storedTwice: await one('SELECT count(*) AS n FROM (SELECT account_id, message_id FROM mail_auth_messages GROUP BY account_id, message_id HAVING count(*) > 1) twice'),
      missing: expected - (await one('SELECT count(*) AS n FROM (SELECT DISTINCT account_id, message_id FROM mail_auth_messages) stored')),
      receipts: await one('SELECT count(*) AS n FROM mail_auth_inbound_receipts'),
    };
    if (Number.isNaN(ms)) {
      console.log(`  ${n} instance(s): not done within ${TIMEOUT_S} s; the last instance's log ends:\n${instances.at(-1)?.logs().slice(-3000)}`);
    }
    return {
      instances: n,
      startupMs: instances.map((i) => i.startupMs),
      tokensMs,
      messagesMs,
      ms,
      cpu: { instances: instanceCpu, postgres, dovecot: dovecotCpu, bench: (benchCpu.user + benchCpu.system) / 1000, idleMsPerSecond },
      counts,
      asked,
      loadBefore,
      loadAfter,
    };
  } finally {
    await db.end();
    for (const instance of instances) await instance.stop();
    await database.drop();
  }
}

/** The CPU time of every process taking part in a run, ms. */
const cpuOf = (r: Run) => r.cpu.instances.reduce((a, b) => a + b, 0) + r.cpu.postgres + r.cpu.dovecot + r.cpu.bench;
/** The shortest a run can be for its tokens alone: the endpoint's delay for each round of 8 refreshes (refreshConcurrency) an instance. */
const waitFloorMs = (r: Run) => Math.ceil(TOKENS / (8 * r.instances)) * DELAY_MS;

function print(r: Run, one: Run | undefined) {
  const work = TOKENS + ACCOUNTS * MESSAGES;
  const rate = work / (r.ms / 1000);
  const c = r.counts;
  const ratio = one ? rate / (work / (one.ms / 1000)) : NaN;
  const goal = r.instances === 2 ? ` (goal ≥ 1.6: ${ratio >= 1.6 ? 'met' : 'NOT met'})` : '';
  console.log(`\n${r.instances} instance(s) (started in ${r.startupMs.map(seconds).join(', ')}; load ${r.loadBefore} before, ${r.loadAfter} after)`);
  console.log(
    `  all ${TOKENS} tokens renewed after ${seconds(r.tokensMs)} (${(TOKENS / (r.tokensMs / 1000)).toFixed(0)}/s), all ${ACCOUNTS * MESSAGES} messages stored after ${seconds(r.messagesMs)} (${((ACCOUNTS * MESSAGES) / (r.messagesMs / 1000)).toFixed(0)}/s)`
  );
  console.log(`  throughput ${rate.toFixed(0)} items/s over ${seconds(r.ms)}${one && r !== one ? `: ${ratio.toFixed(2)}× one instance${goal}` : ''}`);
  const total = cpuOf(r);
  console.log(
    `  CPU time: instances ${r.cpu.instances.map(seconds).join(' + ')}, PostgreSQL backends ${seconds(r.cpu.postgres)}, Dovecot ${seconds(r.cpu.dovecot)}, ` +
      `this process (token endpoint, counting) ${seconds(r.cpu.bench)}; all ${seconds(total)} = ${(total / r.ms).toFixed(2)} of ${availableParallelism()} cores over the run`
  );
  const idle = r.cpu.idleMsPerSecond.reduce((a, b) => a + b, 0);
  console.log(
    `  an instance with nothing due (both jobs ticking every second) uses ${r.cpu.idleMsPerSecond.map((x) => x.toFixed(0)).join(', ')} ms of CPU a second: ` +
      `${seconds(idle * (r.ms / 1000))} of this run's CPU time at that rate`
  );
  // What a run cannot beat: the token endpoint's wait at refreshConcurrency 8 an instance, and all CPU time over every core.
  const waitFloor = waitFloorMs(r);
  console.log(
    `  floors: the endpoint's ${DELAY_MS} ms at 8 refreshes at a time an instance ${seconds(waitFloor)}; the CPU time over ${availableParallelism()} cores ${seconds(total / availableParallelism())}; ` +
      `CPU time an item ${((total / work) * 1000).toFixed(0)} µs`
  );
  if (one && r !== one) {
    // A machine busy with other work gives these processes a share of its cores that more processes do not enlarge:
    // the ratio is then that of the CPU time an item, not of the wait.
    // With the whole machine (no other work), a run takes at least the longer of its two floors.
    const best = (x: Run) => Math.max(waitFloorMs(x), cpuOf(x) / availableParallelism());
    console.log(
      `  the ratio the CPU time an item allows: ${(cpuOf(one) / total).toFixed(2)} at the CPU share the one-instance run got (${(cpuOf(one) / one.ms).toFixed(2)} cores); ` +
        `${(best(one) / best(r)).toFixed(2)} with all ${availableParallelism()} cores free (the longer floor of each run)`
    );
  }
  console.log(
    `  asked of PostgreSQL: ${r.asked.transactions} transactions, ${r.asked.rowsUpdated} rows updated, ${r.asked.rowsInserted} inserted; of Dovecot: ${r.asked.imapLogins} IMAP logins (${ACCOUNTS} accounts)`
  );
  console.log(
    `  exactly once: tokens renewed ${c.renewed} of ${TOKENS}; grants at the endpoint ${c.grants}, tokens granted twice ${c.grantedTwice}, spent refresh tokens presented again ${c.refusedSpent}, other refusals ${c.refusedOther}; ` +
      `tokens with two token.refreshed entries ${c.refreshedActivitiesTwice}; refresh failures ${c.refreshFailed}`
  );
  console.log(`                messages stored ${c.messages} of ${ACCOUNTS * MESSAGES} (receipts ${c.receipts}), stored twice ${c.storedTwice}, missing ${c.missing}`);
}

async function main() {
  const endpoint = await startRotatingTokenEndpoint({ ...CLIENT, delayMs: DELAY_MS });
  // Password accounts: the introspection URL is never asked (and is on loopback all the same).
  const dovecot = await startDovecot({
    oauth: { introspectionUrl: endpoint.tokenEndpoint.replace(/\/token$/, '/introspect'), clientId: 'unused', clientSecret: 'unused' },
    users: Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [user(i), PASSWORD])),
  });
  const template = await createTestDatabase('postgres');
  try {
    let t = performance.now();
    await pool(Array.from({ length: ACCOUNTS }, (_, i) => i), 4, (i) => dovecot.deliverMany(user(i), MESSAGES, (k) => message(i, k)));
    console.log(`${ACCOUNTS * MESSAGES} messages delivered to ${ACCOUNTS} mailboxes in ${seconds(performance.now() - t)}`);
    t = performance.now();
    await seed(template, endpoint, dovecot);
    console.log(`${TOKENS} tokens and ${ACCOUNTS} accounts seeded in ${seconds(performance.now() - t)}; token endpoint answers after ${DELAY_MS} ms`);
    console.log(`machine: ${availableParallelism()} cores, load ${load()}`);

    const runs: Run[] = [];
    for (const n of INSTANCES) {
      const r = await run(n, template, endpoint, dovecot);
      runs.push(r);
      print(r, runs.find((x) => x.instances === 1));
    }
    const one = runs.find((x) => x.instances === 1);
    if (one) {
      const rate = (r: Run) => 1 / r.ms;
      console.log(
        `\nthroughput against one instance: ${runs
          .filter((r) => r !== one)
          .map((r) => `${r.instances} instances ${(rate(r) / rate(one)).toFixed(2)}×`)
          .join(', ')} (goal for 2: ≥ 1.6)`
      );
    }
  } finally {
    await template.drop();
    await dovecot.stop();
    await endpoint.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  }
);
