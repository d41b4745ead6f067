#!/usr/bin/env node
// The whole test suite in one command (`npm test`), or some of it (`npm test -- unit servers`).
// Builds the plugin and the playground once, then runs each suite with node's test runner,
// one file at a time (one Strapi per process), the integration suite once per database in
// TEST_DBS (default sqlite; CI: sqlite,postgres,mysql). Ends with one line that sums up all runs.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const SUITES = ['unit', 'servers', 'integration', 'e2e'];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = asked.length ? asked : SUITES;
for (const s of suites) if (!SUITES.includes(s)) fail(`unknown suite "${s}" (one of ${SUITES.join(', ')})`);
const databases = (process.env.TEST_DBS ?? 'sqlite').split(',').map((d) => d.trim()).filter(Boolean);
const env = { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' };
const parallel = process.env.TEST_PARALLEL === '1' && databases.length > 1;

function fail(message) {
  console.error(`test: ${message}`);
  process.exit(2);
}

function testFiles(dir) {
  const abs = join(root, 'tests', dir);
  let entries = [];
  try {
    entries = readdirSync(abs, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .map((e) => join(abs, e))
    .filter((f) => /\.test\.tsx?$/.test(f) && statSync(f).isFile())
    .sort()
    .map((f) => relative(root, f));
}

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/**
 * The databases an integration file runs on: all of TEST_DBS, unless its first line says
 * `// Databases: sqlite` (files about protocols, whose storage other files cover everywhere).
 */
function runsOn(file, db) {
  const m = readFileSync(join(root, file), 'utf8').slice(0, 500).match(/^\/\/ Databases: ([\w, ]+)/);
  return !m || m[1].split(',').map((d) => d.trim()).includes(db);
}

const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0 };
let failedRuns = 0;

function runTests(label, files, extraEnv = {}, { buffered = false } = {}) {
  if (!files.length) {
    console.log(`\n=== ${label}: no test files`);
    return Promise.resolve();
  }
  const header = `\n=== ${label}: ${files.length} file(s)`;
  if (!buffered) console.log(header);
  const args = [
    '--import', 'tsx',
    '--test', '--test-concurrency=1', '--test-timeout=900000',
    '--test-reporter=spec',
    ...files,
  ];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv } });
    let tail = '';
    const kept = [];
    const forward = (stream, out) =>
      stream.on('data', (chunk) => {
        // Runs side by side keep their output until they end, so that it reads in one piece.
        if (buffered) kept.push([out, chunk]);
        else out.write(chunk);
        tail = (tail + chunk.toString()).slice(-4000);
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('close', (code) => {
      if (buffered) {
        console.log(header);
        for (const [out, chunk] of kept) out.write(chunk);
      }
      console.log(`=== ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      for (const key of Object.keys(totals)) {
        const m = tail.match(new RegExp(`^\\S* ?${key} (\\d+)$`, 'm'));
        if (m) totals[key] += Number(m[1]);
      }
      if (code !== 0) failedRuns += 1;
      resolve();
    });
  });
}

// The system packages behind the suites' real servers (scripts/install-system-deps.sh installs
// them). A suite whose server is missing would be skipped whole: as root (as in CI) they are
// installed first; otherwise the run stops with the command to run, unless ALLOW_SKIP=1.
const SYSTEM_NEEDS = [
  { path: '/usr/sbin/dovecot', what: 'Dovecot', suites: ['servers', 'integration', 'e2e'] },
  { path: '/usr/bin/openssl', what: 'openssl', suites: ['servers', 'integration', 'e2e'] },
  { path: '/usr/bin/chromium', what: 'Chromium', suites: ['e2e'] },
];
const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const missingNeeds = () => SYSTEM_NEEDS.filter((n) => n.suites.some((s) => suites.includes(s)) && !executable(n.path));
if (missingNeeds().length) {
  const names = missingNeeds().map((n) => n.what).join(', ');
  if (process.getuid?.() === 0) {
    console.log(`=== installing the system packages the tests need (${names})`);
    run('bash', [join(root, 'scripts/install-system-deps.sh')]);
    if (missingNeeds().length) fail(`still missing after scripts/install-system-deps.sh: ${missingNeeds().map((n) => n.what).join(', ')}`);
  } else if (process.env.ALLOW_SKIP === '1') {
    console.warn(`test: ${names} not installed: the suites that need them are skipped (ALLOW_SKIP=1) and counted below`);
  } else {
    fail(`${names} not installed. Run: sudo bash scripts/install-system-deps.sh  (or ALLOW_SKIP=1 npm test to skip what needs them)`);
  }
}

// Suites skipped whole (describe with skip) are not counted by node's test runner: the test
// helpers append one line per skipped suite to this file (tests/servers/require-binary.ts).
const skipLog = join(mkdtempSync(join(tmpdir(), 'mail-auth-test-')), 'skipped-suites');
env.MAIL_AUTH_TEST_SKIP_LOG = skipLog;
const skippedSuites = () => {
  try {
    return readFileSync(skipLog, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

const needsStrapi = suites.some((s) => s === 'integration' || s === 'e2e');
if (needsStrapi) {
  // SKIP_BUILD=1 when the plugin's dist/ was just built (CI builds it before `verify`).
  if (process.env.SKIP_BUILD !== '1') {
    console.log('=== building the plugin');
    run('npm', ['run', 'build', '--silent']);
  }
  console.log('=== compiling the playground');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'playground/tsconfig.json']);
  // The e2e suite drives the built admin panel (playground/dist/build); SKIP_ADMIN_BUILD=1 reuses it.
  if (suites.includes('e2e') && process.env.SKIP_ADMIN_BUILD !== '1') {
    console.log('=== building the admin panel');
    const r = spawnSync(process.execPath, [join(root, 'node_modules/@strapi/strapi/bin/strapi.js'), 'build'], {
      cwd: join(root, 'playground'),
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) fail(`strapi build (admin panel) exited with ${r.status}`);
  }
}

for (const suite of suites) {
  if (suite === 'integration') {
    // TEST_PARALLEL=1 (CI) runs the databases side by side: most of a run's time is spent
    // waiting on servers and timers, not on the CPU.
    const run = (db) =>
      runTests(`integration on ${db}`, testFiles('integration').filter((f) => runsOn(f, db)), { TEST_DB: db }, { buffered: parallel });
    if (parallel) await Promise.all(databases.map(run));
    else for (const db of databases) await run(db);
  } else {
    await runTests(suite, testFiles(suite));
  }
}

const wholeSuites = skippedSuites();
totals.skipped += wholeSuites.length;
console.log(`\n${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
if (totals.skipped) {
  const suitesNote = wholeSuites.length ? `, of which ${wholeSuites.length} whole suite(s): ${[...new Set(wholeSuites)].join(', ')}` : '';
  console.log(`(SKIPPED TESTS: ${totals.skipped}${suitesNote}; see the warnings above)`);
}
process.exit(failedRuns || totals.fail || totals.cancelled ? 1 : 0);
