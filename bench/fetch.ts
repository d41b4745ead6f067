/**
 * bench/fetch: 10,000 messages in a Dovecot mailbox, fetched by the PostMaster (connect, SEARCH,
 * exactly-once lookups, FETCH in chunks, MIME parsing with mailparser, `message` entries and
 * receipts in the database, the event per message) against a raw imapflow FETCH of the same
 * messages in the same run. Prints both throughputs, their ratio (goal ≥ 0.7), the CPU time per
 * message of each (this process, all threads: steadier than the rates on a loaded machine), the
 * peak memory growth of the PostMaster's run (goal < 100 MB), whether each goal is met, the
 * MIME parsing alone of the same messages and the ceiling that it and the FETCH set on this
 * machine, and the machine's load. Then 200 idle accounts: one poll cycle's time, and the connections and IMAP
 * commands per account. Not a test: nothing is asserted.
 *
 *   npm run build && npx tsc -p playground/tsconfig.json && node --import tsx --expose-gc bench/fetch.ts
 *   (BENCH_MESSAGES=…, BENCH_IDLE_ACCOUNTS=…, TEST_DB=postgres|mysql, MAIL_AUTH_PARSE_WORKERS=…)
 *
 * The raw FETCH runs before and after the PostMaster (the figure is their mean), so that drift
 * (JIT, page cache, the other processes on the machine) hits both sides alike. Both read the
 * same folder over plain-text IMAP on 127.0.0.1 with the same credentials; the PostMaster keeps
 * the messages (action keep), so the second raw run reads what the first did.
 */
import { ImapFlow } from 'imapflow';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { ParserPool } from '../server/src/inbound/parser-pool';
import { adminClients } from '../tests/helpers/admin';
import { createAccount } from '../tests/helpers/inbound';
import { startStrapi } from '../tests/helpers/strapi';
import { startDovecot } from '../tests/servers/dovecot';
import { startOAuthServer } from '../tests/servers/oauth-server';
import { startTcpProxy } from '../tests/servers/tcp-proxy';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 10_000);
const IDLE = Number(process.env.BENCH_IDLE_ACCOUNTS ?? 200);
const USER = 'bench@example.test';
const PASS = 'benchpass';
const MB = 1024 * 1024;

/** A few kinds of realistic mail: plain, HTML alternative, with a small attachment. */
function message(i: number): string {
  const head = [
    `From: Customer ${i % 97} <customer${i % 97}@example.org>`,
    `To: Support <${USER}>`,
    `Subject: Question number ${i} about my order`,
    `Message-ID: <bench-${i}@example.org>`,
    `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  const text = `Hello,\r\n\r\n${'I have a question about my order and would like to know when it ships. '.repeat(8 + (i % 20))}\r\n\r\nRegards\r\n`;
  if (i % 3 === 0) return [...head, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n');
  const b = `b${i}`;
  const alternative = [
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${b}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    `<html><body><p>${text.replace(/\r\n/g, '<br>')}</p></body></html>`,
    `--${b}--`,
  ];
  if (i % 3 === 1) return [...head, `Content-Type: multipart/alternative; boundary="${b}"`, '', ...alternative, ''].join('\r\n');
  const m = `m${i}`;
  const attachment = Buffer.alloc(4096, i % 251).toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    ...head,
    `Content-Type: multipart/mixed; boundary="${m}"`,
    '',
    `--${m}`,
    `Content-Type: multipart/alternative; boundary="${b}"`,
    '',
    ...alternative,
    `--${m}`,
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    '',
    attachment,
    `--${m}--`,
    '',
  ].join('\r\n');
}

async function rawFetch(host: string, port: number, folder: string, keep?: Buffer[]) {
  const client = new ImapFlow({ host, port, secure: false, doSTARTTLS: false, logger: false, disableAutoIdle: true, auth: { user: USER, pass: PASS } });
  client.on('error', () => {});
  const started = performance.now();
  const cpu = process.cpuUsage();
  await client.connect();
  await client.mailboxOpen(folder);
  let count = 0;
  let bytes = 0;
  for await (const m of client.fetch('1:*', { uid: true, source: true, size: true })) {
    count += 1;
    bytes += m.source?.length ?? 0;
    if (keep && m.source) keep.push(m.source);
  }
  await client.logout();
  return { count, bytes, ms: performance.now() - started, cpuMs: cpuMs(process.cpuUsage(cpu)) };
}

/**
 * The MIME parsing alone, of the same sources, as the PostMaster parses them (its parser pool, in
 * chunks of 200): what mailparser costs here, whatever the rest of the pipeline does.
 */
async function parseOnly(sources: Buffer[], parser: ParserPool) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < sources.length; i += 200) await Promise.all(sources.slice(i, i + 200).map((source) => parser.parse(source)));
  const result = { ms: performance.now() - started, cpuMs: cpuMs(process.cpuUsage(cpu)) };
  await parser.close();
  return result;
}

/** CPU time of this process (all its threads), in ms. */
const cpuMs = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1000;

/** Samples the process's memory while `work` runs; growth is measured from a collected baseline. */
async function withMemory<T>(work: () => Promise<T>) {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  const peak = { rss: base.rss, heapUsed: base.heapUsed };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  }, 50);
  try {
    const result = await work();
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    (globalThis as { gc?: () => void }).gc?.();
    const retained = (process.memoryUsage().heapUsed - base.heapUsed) / MB;
    return { result, rssGrowth: (peak.rss - base.rss) / MB, heapGrowth: (peak.heapUsed - base.heapUsed) / MB, retained };
  } finally {
    clearInterval(timer);
  }
}

/** BENCH_PROFILE=file.cpuprofile: a CPU profile of the PostMaster's run only. */
async function profile(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_PROFILE;
  if (!file) return async () => {};
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile: result } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(result));
    session.disconnect();
  };
}

async function main() {
  const op = await startOAuthServer();
  const dc = await startDovecot({ oauth: { introspectionUrl: op.introspectionEndpoint, ...op.introspectionClient }, users: { [USER]: PASS } });
  const app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
  try {
    const { superAdmin: admin } = await adminClients(app.strapi, app.url);
    const postmaster = app.strapi.plugin('mail-auth').service('postmaster');

    let started = performance.now();
    await dc.createFolder(USER, 'Bench');
    await dc.deliverMany(USER, TOTAL, message, 'Bench');
    console.log(`${TOTAL} messages delivered in ${((performance.now() - started) / 1000).toFixed(1)} s (database: ${app.database.kind})`);

    const account = await createAccount(admin, {
      name: 'bench',
      type: 'imap',
      host: '127.0.0.1',
      port: dc.ports.imap,
      login: USER,
      password: PASS,
      folder: 'Bench',
      actionAfterFetch: 'keep',
      maxMessagesPerPoll: TOTAL,
    });

    const before = await rawFetch(dc.host, dc.ports.imap, 'Bench');
    const stopProfile = await profile();
    const plugin = await withMemory(async () => {
      const t0 = performance.now();
      const cpu = process.cpuUsage();
      const report = await postmaster.fetch(account.id);
      return { report, ms: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(cpu)) };
    });
    await stopProfile();
    // Measured as the PostMaster's run is: what a FETCH alone leaves on the heap before V8 collects it.
    const { result: afterwards, ...rawMemory } = await withMemory(() => rawFetch(dc.host, dc.ports.imap, 'Bench'));
    const sources: Buffer[] = [];
    await rawFetch(dc.host, dc.ports.imap, 'Bench', sources);
    // measured as the PostMaster's run is: the parsing's own garbage, for the memory goal
    const { result: parsing, ...parseMemory } = await withMemory(() => parseOnly(sources, new ParserPool(0)));
    // and in worker threads, away from Strapi's heap and its async hooks (the built worker)
    const workerFile = resolve(__dirname, '..', 'dist', 'parse-worker', 'index.js');
    const inWorkers = existsSync(workerFile) ? await parseOnly(sources, new ParserPool(2, 0, workerFile)) : undefined;
    sources.length = 0;
    if (plugin.result.report.fetched !== TOTAL || plugin.result.report.errors.length) {
      throw new Error(`the PostMaster fetched ${plugin.result.report.fetched} of ${TOTAL}: ${JSON.stringify(plugin.result.report.errors)}`);
    }
    const rawMs = (before.ms + afterwards.ms) / 2;
    const rawRate = TOTAL / (rawMs / 1000);
    const pluginRate = TOTAL / (plugin.result.ms / 1000);
    const perMessage = (ms: number) => `${((ms * 1000) / TOTAL).toFixed(0)} µs`;
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const ratio = pluginRate / rawRate;
    const growth = Math.max(plugin.rssGrowth, plugin.heapGrowth);
    console.log(
      `raw imapflow FETCH      ${rawRate.toFixed(0).padStart(7)} msg/s  (${(before.ms / 1000).toFixed(2)} s and ${(afterwards.ms / 1000).toFixed(2)} s for ${(before.bytes / MB).toFixed(1)} MB; ` +
        `CPU of this process ${perMessage((before.cpuMs + afterwards.cpuMs) / 2)} per message)`
    );
    console.log(
      `PostMaster fetch+store  ${pluginRate.toFixed(0).padStart(7)} msg/s  (${(plugin.result.ms / 1000).toFixed(2)} s; CPU of this process, all threads, ${perMessage(plugin.result.cpuMs)} per message; ` +
        `parse workers: ${app.strapi.config.get('plugin::mail-auth.parseWorkers') ?? 'default'})`
    );
    console.log(`ratio                   ${ratio.toFixed(2)}  (goal ≥ 0.7: ${met(ratio >= 0.7)})`);
    // The PostMaster must at least FETCH and parse each message: their CPU time spread over every
    // core of the machine (Dovecot's and the database's own work left out) bounds its rate.
    const cores = availableParallelism();
    const rawCpu = (before.cpuMs + afterwards.cpuMs) / 2 / TOTAL;
    const parseCpu = Math.min(parsing.cpuMs, inWorkers?.cpuMs ?? Infinity) / TOTAL;
    const ceiling = cores / ((rawCpu + parseCpu) / 1000);
    console.log(
      `MIME parsing alone      ${(TOTAL / (parsing.ms / 1000)).toFixed(0).padStart(7)} msg/s  (mailparser in this thread, as the PostMaster parses by default; CPU ${perMessage(parsing.cpuMs)} per message; ` +
        `peak growth RSS ${parseMemory.rssGrowth.toFixed(1)} MB, heap ${parseMemory.heapGrowth.toFixed(1)} MB)`
    );
    if (inWorkers) {
      console.log(
        `  in 2 worker threads    ${(TOTAL / (inWorkers.ms / 1000)).toFixed(0).padStart(7)} msg/s  (CPU of all threads ${perMessage(inWorkers.cpuMs)} per message)`
      );
    }
    console.log(
      `ceiling here            ${ceiling.toFixed(0).padStart(7)} msg/s  (FETCH and the cheaper parsing's CPU alone over ${cores} cores, nothing stored): a ratio of at most ${(ceiling / rawRate).toFixed(2)}`
    );
    console.log(
      `peak memory growth      RSS ${plugin.rssGrowth.toFixed(1)} MB, heap ${plugin.heapGrowth.toFixed(1)} MB  (goal < 100 MB: ${met(growth < 100)}); heap still held after a full GC: ${plugin.retained.toFixed(1)} MB`
    );
    console.log(`  (the raw FETCH's own peak growth, for comparison: RSS ${rawMemory.rssGrowth.toFixed(1)} MB, heap ${rawMemory.heapGrowth.toFixed(1)} MB)`);
    console.log(`machine load (1, 5, 15 min) ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores`);

    // 200 idle accounts (an empty folder each would cost 200 doveadm calls: they share one)
    await dc.createFolder(USER, 'Idle');
    const proxy = await startTcpProxy({ host: dc.host, port: dc.ports.imap });
    const accounts = app.strapi.db.query('plugin::mail-auth.inbound-account');
    await accounts.update({ where: { id: account.id }, data: { lastPollAt: new Date() } });
    for (let i = 0; i < IDLE; i++) {
      await createAccount(admin, { name: `idle ${i}`, type: 'imap', host: '127.0.0.1', port: proxy.port, login: USER, password: PASS, folder: 'Idle', actionAfterFetch: 'mark-seen' });
    }
    for (const round of ['first', 'second']) {
      await accounts.updateMany({ where: { name: { $startsWith: 'idle ' } }, data: { lastPollAt: null } });
      const connectionsBefore = proxy.connections;
      started = performance.now();
      const reports = await postmaster.runDue();
      const ms = performance.now() - started;
      const polled = Object.keys(reports).length;
      const failed = Object.values(reports).filter((r: any) => r.errors.length).length;
      const sessions = proxy.sent.slice(connectionsBefore);
      const commands = sessions.map((s) => Buffer.concat(s).toString('latin1').split('\r\n').filter(Boolean).length);
      const mean = commands.reduce((a, b) => a + b, 0) / commands.length;
      const names = Buffer.concat(sessions[0]).toString('latin1').split('\r\n').filter(Boolean).map((l) => l.split(' ')[1] + (l.split(' ')[1] === 'UID' ? ` ${l.split(' ')[2]}` : ''));
      console.log(
        `${IDLE} idle accounts, ${round} poll cycle: ${(ms / 1000).toFixed(2)} s (${(ms / polled).toFixed(0)} ms per account, ${app.strapi.config.get('plugin::mail-auth.pollConcurrency')} at a time), ` +
          `${polled} polled, ${failed} failed, ${proxy.connections - connectionsBefore} connections, ${mean.toFixed(1)} commands per account (${names.join(', ')})`
      );
    }
    await proxy.stop();
  } finally {
    await app.stop();
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
