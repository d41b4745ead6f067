/**
 * bench/latency: how long a new message takes from its arrival at the mail server to the
 * plugin's `mail-auth.message.received` event, for an IMAP account in IDLE (the default) and for
 * the polled kinds: IMAP with `idle: false`, Microsoft Graph (delta links) and Gmail (history
 * ids), against the real Dovecot and the local Graph and Gmail stand-ins. The plugin's jobs run as
 * in production (runJobs, the default poll schedule). Not a test: nothing is asserted.
 *
 *   npm run build && npx tsc -p playground/tsconfig.json && node --import tsx bench/latency.ts
 *   (BENCH_MESSAGES=100, BENCH_POLL_INTERVAL=30, BENCH_POLL_SPREAD=90, BENCH_POLL_SCHEDULE = a cron with seconds,
 *   every 30 s by default as in the plugin, TEST_DB=…)
 *
 * IDLE: BENCH_MESSAGES messages APPENDed one at a time over IMAP by a client of the bench's own,
 * each once the one before was handed on; the time runs from just before the APPEND is sent to the
 * event. Beside it, a plain imapflow client idles on the same folder: when Dovecot's EXISTS reaches
 * it is the floor that the server's notification sets.
 *
 * Polled: BENCH_MESSAGES messages to each of the three accounts, one every BENCH_POLL_SPREAD /
 * BENCH_MESSAGES seconds (so that arrivals fall evenly over the poll cycle), the accounts set to
 * BENCH_POLL_INTERVAL seconds (30, the shortest the API allows; the default is 300) and the job on
 * the plugin's default schedule, every 30 s. Also printed: how long after the job's tick the
 * message was handed on (the poll's own cost, without the wait for the tick).
 */
import { ImapFlow } from 'imapflow';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { adminClients } from '../tests/helpers/admin';
import { authorizedToken, createAccount, imapAppender } from '../tests/helpers/inbound';
import { startStrapi } from '../tests/helpers/strapi';
import { startDovecot } from '../tests/servers/dovecot';
import { startGmailServer } from '../tests/servers/gmail-server';
import { startGraphServer } from '../tests/servers/graph-server';
import { startOAuthServer } from '../tests/servers/oauth-server';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const POLL_INTERVAL = Number(process.env.BENCH_POLL_INTERVAL ?? 30);
const POLL_SPREAD = Number(process.env.BENCH_POLL_SPREAD ?? 90);
const POLL_SCHEDULE = process.env.BENCH_POLL_SCHEDULE ?? '*/30 * * * * *';
/** Seconds between two ticks of POLL_SCHEDULE (for "after the tick"); only the every-n-seconds form is known here. */
const TICK = Number(/^\*\/(\d+) \* \* \* \* \*$/.exec(POLL_SCHEDULE)?.[1] ?? 0);
const GOAL_MS = 2000;
const USER = 'latency@example.test';
const PASS = 'latencypass';
const GRAPH_USER = 'alice@example.test';

const message = (tag: string, i: number, to = USER) =>
  [
    `From: Customer ${i % 17} <customer${i % 17}@example.org>`,
    `To: Support <${to}>`,
    `Subject: ${tag} question ${i}`,
    `Message-ID: <${tag}-${i}@example.org>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello,\r\n\r\n${'I would like to know when my order ships. '.repeat(10)}\r\n\r\nRegards`,
    '',
  ].join('\r\n');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] ?? NaN };
};

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

async function main() {
  const op = await startOAuthServer();
  const verifyToken = async (token: string) => {
    const r = await op.introspect(token);
    return { active: r.active, email: r.email };
  };
  const dc = await startDovecot({ oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient }, users: { [USER]: PASS } });
  const graph = await startGraphServer({ verifyToken });
  const gmail = await startGmailServer({ verifyToken });
  await dc.createFolder(USER, 'Idle');
  await dc.createFolder(USER, 'Polled');
  graph.addFolder(GRAPH_USER, 'Polled');
  const app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'true', MAIL_AUTH_POLL_SCHEDULE: POLL_SCHEDULE, MAIL_AUTH_GMAIL_BASE_URL: gmail.url } });
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  const onReceived = async (payload: unknown) => {
    received.set((payload as { message: { messageId: string } }).message.messageId, performance.now());
  };
  app.strapi.eventHub.on('mail-auth.message.received', onReceived);
  const appender = await imapAppender(dc, USER, PASS);
  const idOf = (tag: string, i: number) => `<${tag}-${i}@example.org>`;
  const waitFor = async (what: string, check: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  };
  try {
    const { superAdmin: admin } = await adminClients(app.strapi, app.url);
    const watcher = app.strapi.plugin('mail-auth').service('idle-watcher');
    console.log(`bench/latency, ${new Date().toISOString()}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), database ${app.database.kind}`);

    // --- IMAP IDLE, with a plain imapflow client idling beside it (the server's floor)
    const raw = new ImapFlow({ host: dc.host, port: dc.ports.imap, secure: false, doSTARTTLS: false, logger: false, disableAutoIdle: true, auth: { user: USER, pass: PASS } });
    raw.on('error', () => {});
    const existsAt: number[] = [];
    raw.on('exists', (d: { count: number; prevCount: number }) => {
      for (let c = d.prevCount + 1; c <= d.count; c++) existsAt[c - 1] = performance.now();
    });
    await raw.connect();
    await raw.mailboxOpen('Idle', { readOnly: true });
    void (async () => {
      while (raw.usable) await raw.idle();
    })().catch(() => {});

    const idle = await createAccount(admin, { name: 'latency idle', type: 'imap', host: dc.host, port: dc.ports.imap, login: USER, password: PASS, folder: 'Idle', actionAfterFetch: 'mark-seen', pollInterval: 300 });
    await waitFor('the account in IDLE', () => watcher.list().some((w: { accountId: number; state: string }) => w.accountId === idle.id && w.state === 'watching'), 20_000);
    await sleep(500); // its first fetch (of an empty folder) is over
    for (let i = 0; i < MESSAGES; i++) {
      const id = idOf('idle', i);
      sent.set(id, performance.now());
      await appender.append('Idle', message('idle', i));
      await waitFor(`message ${i} in IDLE`, () => received.has(id), 60_000);
    }
    const idleLatency = stats(Array.from({ length: MESSAGES }, (_, i) => received.get(idOf('idle', i))! - sent.get(idOf('idle', i))!));
    const floor = stats(Array.from({ length: MESSAGES }, (_, i) => existsAt[i] - sent.get(idOf('idle', i))!).filter(Number.isFinite));
    const drops = watcher.list().find((w: { accountId: number }) => w.accountId === idle.id);
    await raw.logout().catch(() => {});

    // --- polled: IMAP with idle off, Graph (delta), Gmail (history), the same arrivals for each
    const token = await authorizedToken(admin, app.url, op, 'latency-rest', GRAPH_USER);
    const polled = {
      imap: await createAccount(admin, { name: 'latency imap polled', type: 'imap', host: dc.host, port: dc.ports.imap, login: USER, password: PASS, folder: 'Polled', actionAfterFetch: 'mark-seen', idle: false, pollInterval: POLL_INTERVAL }),
      graph: await createAccount(admin, { name: 'latency graph', type: 'microsoft-graph', host: '127.0.0.1', port: Number(new URL(graph.url).port), authentication: 'oauth2', oauthToken: token, mailbox: GRAPH_USER, folder: 'Polled', pollInterval: POLL_INTERVAL }),
      gmail: await createAccount(admin, { name: 'latency gmail', type: 'gmail-api', authentication: 'oauth2', oauthToken: token, pollInterval: POLL_INTERVAL }),
    };
    // their first poll (nothing yet, the cursors start here) before the first message
    const accounts = app.strapi.db.query('plugin::mail-auth.inbound-account');
    const firstPolls = async () => ((await accounts.count({ where: { id: { $in: Object.values(polled).map((a) => a.id) }, lastPollAt: { $notNull: true } } })) as number) === 3;
    for (const deadline = Date.now() + 120_000; !(await firstPolls()); await sleep(200)) if (Date.now() > deadline) throw new Error('the first polls did not come');
    const every = (POLL_SPREAD * 1000) / MESSAGES;
    const started = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      await sleep(Math.max(0, started + i * every - performance.now()));
      sent.set(idOf('gmail', i), performance.now());
      gmail.addMessage(GRAPH_USER, message('gmail', i, GRAPH_USER));
      sent.set(idOf('graph', i), performance.now());
      graph.addMessage(GRAPH_USER, message('graph', i, GRAPH_USER), 'Polled');
      sent.set(idOf('imap', i), performance.now());
      await appender.append('Polled', message('imap', i));
    }
    const all = ['imap', 'graph', 'gmail'].flatMap((tag) => Array.from({ length: MESSAGES }, (_, i) => idOf(tag, i)));
    try {
      await waitFor('every polled message', () => all.every((id) => received.has(id)), (POLL_INTERVAL + 2 * Math.max(TICK, 30) + 60) * 1000);
    } catch (e) {
      const missing = all.filter((id) => !received.has(id));
      const rows = await accounts.findMany({ where: { id: { $in: Object.values(polled).map((a) => a.id) } }, select: ['name', 'lastPollAt', 'lastPollResult', 'lastError', 'syncCursor'] });
      throw new Error(`${(e as Error).message}: ${missing.length} missing (${missing.slice(0, 10).join(', ')} …); accounts: ${JSON.stringify(rows)}`);
    }
    // performance.now() is on the monotonic clock; the ticks are on the wall clock
    const wallOf = (t: number) => performance.timeOrigin + t;
    const polledStats = (tag: string) => {
      const ids = Array.from({ length: MESSAGES }, (_, i) => idOf(tag, i));
      return {
        latency: stats(ids.map((id) => received.get(id)! - sent.get(id)!)),
        afterTick: TICK ? stats(ids.map((id) => wallOf(received.get(id)!) % (TICK * 1000))) : undefined,
      };
    };

    const line = (label: string, s: ReturnType<typeof stats>, extra = '') =>
      console.log(`${label.padEnd(34)} p50 ${ms(s.p50).padStart(8)}   p95 ${ms(s.p95).padStart(8)}   max ${ms(s.max).padStart(8)}   (${s.n} messages)${extra}`);
    console.log('');
    line('IMAP IDLE (the plugin)', idleLatency, `   IDLE connections made ${drops?.connections ?? '?'}, drops ${drops?.drops ?? '?'}`);
    line('  EXISTS at a plain imapflow IDLE', floor, '   (the server\'s own notification: the floor)');
    console.log(`  goal p95 ≤ ${GOAL_MS} ms: ${idleLatency.p95 <= GOAL_MS ? 'met' : 'NOT met'} (p95 / goal = ${(idleLatency.p95 / GOAL_MS).toFixed(3)})`);
    const imapPolled = polledStats('imap');
    for (const [tag, label] of [
      ['imap', 'IMAP polled (idle: false)'],
      ['graph', 'Microsoft Graph (delta), polled'],
      ['gmail', 'Gmail API (history), polled'],
    ] as const) {
      const p = polledStats(tag);
      line(label, p.latency, p.afterTick ? `   handed on ${ms(p.afterTick.p50)} / ${ms(p.afterTick.p95)} (p50/p95) after the tick` : '');
    }
    console.log(
      `  polling: schedule "${POLL_SCHEDULE}", poll interval ${POLL_INTERVAL} s, ${MESSAGES} arrivals each over ${POLL_SPREAD} s; ` +
        `IMAP polled p95 / IDLE p95 = ${(imapPolled.latency.p95 / idleLatency.p95).toFixed(0)}×`
    );
    console.log(`machine load (1, 5, 15 min) ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores`);
  } finally {
    app.strapi.eventHub.off('mail-auth.message.received', onReceived);
    await appender.close();
    await app.stop();
    await Promise.all([graph.stop(), gmail.stop()]);
    await dc.stop();
    await op.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  }
);
