import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { freePort } from '../servers/ports';
import { createTestDatabase, type TestDatabase } from './database';

// Not imported from ./strapi: that module loads @strapi/strapi into the test process.
const PLAYGROUND_DIR = resolve(__dirname, '..', '..', 'playground');
const STRAPI_BIN = resolve(__dirname, '..', '..', 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');

export interface StartStrapiProcessOptions {
  /** An existing database (two processes on one database); a fresh one, dropped by stop(), by default. */
  database?: TestDatabase;
  /** Extra environment for the playground's config (MAIL_AUTH_*, ENCRYPTION_KEY, NODE_ENV …). */
  env?: Record<string, string>;
  /** A fixed port (e.g. to restart on the same URL after kill()); a free one by default. */
  port?: number;
  /** How long to wait for GET /_health to answer 204 (default 120 s). */
  readyTimeoutMs?: number;
}

export interface StrapiProcess {
  /** http://127.0.0.1:PORT, the instance's PUBLIC_URL. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly database: TestDatabase;
  /**
   * Everything the process wrote to stdout and stderr so far, interleaved in arrival order,
   * without terminal colour codes.
   */
  logs(): string;
  /** Resolves once the process has exited (also when it crashed on its own). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from spawn to the first 204 of /_health. */
  readonly startupMs: number;
  /** SIGTERM, SIGKILL after 10 s, then drops the database unless it was passed in. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), waits for the exit; leaves the database alone (stop() still drops it). */
  kill(): Promise<void>;
}

/** Thrown when the process exits or never becomes healthy; carries its output. */
export class StrapiStartError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(`${message}\n----- strapi output -----\n${output}\n----- end of strapi output -----`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when `promise` settled within `ms`, false otherwise; leaves no timer behind. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the compiled playground (playground/dist, with the admin panel built into
 * playground/dist/build) as a child process with `strapi start`, on a free port of 127.0.0.1
 * and a fresh database, and waits until GET /_health answers 204. Unlike startStrapi() in
 * ./strapi.ts it serves the built admin panel, so a browser can use it, and it can be killed.
 */
export async function startStrapiProcess(options: StartStrapiProcessOptions = {}): Promise<StrapiProcess> {
  if (!existsSync(join(PLAYGROUND_DIR, 'dist', 'src', 'index.js'))) {
    throw new Error('playground/dist is missing: compile the playground (npm test does) before starting it');
  }
  const serveAdmin = (options.env?.SERVE_ADMIN_PANEL ?? 'true') !== 'false';
  if (serveAdmin && !existsSync(join(PLAYGROUND_DIR, 'dist', 'build', 'index.html'))) {
    throw new Error(
      'playground/dist/build is missing: build the admin panel (npm test -- e2e does, or ' +
        'node node_modules/@strapi/strapi/bin/strapi.js build in playground/)'
    );
  }

  const database = options.database ?? (await createTestDatabase());
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRAPI_TELEMETRY_DISABLED: 'true',
    // Strapi's update notifier asks the npm registry for its latest version (at most once a
    // day, unless server.logger.updates.enabled is false); point it at a closed loopback
    // port so that tests never leave 127.0.0.1.
    npm_config_registry: 'http://127.0.0.1:9/',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    SERVE_ADMIN_PANEL: 'true',
    FORCE_COLOR: '0',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'loopback-guard.cjs')}`.trim(),
    ...database.env,
    ...options.env,
  };
  // The test runner marks its children with NODE_TEST_CONTEXT; Strapi is not one of them.
  delete env.NODE_TEST_CONTEXT;

  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [STRAPI_BIN, 'start'], {
    cwd: PLAYGROUND_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  // eslint-disable-next-line no-control-regex
  const logs = () => chunks.join('').replace(/\x1b\[[0-9;]*m/g, '');

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      chunks.push(`\n[spawn error] ${err.message}\n`);
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
  });

  let dropped = false;
  const dropDatabase = async () => {
    if (options.database || dropped) return;
    dropped = true;
    await database.drop();
  };

  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number) => {
    if (exitInfo) return;
    child.kill(signal);
    if (!(await settlesWithin(exited, graceMs)) && !exitInfo) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  // Readiness: /_health answers 204 once the server listens with everything bootstrapped.
  const deadline = started + (options.readyTimeoutMs ?? 120_000);
  let startupMs = -1;
  while (startupMs < 0) {
    if (exitInfo) {
      await dropDatabase();
      throw new StrapiStartError(
        `strapi start exited before it was healthy (code ${exitInfo.code}, signal ${exitInfo.signal})`,
        logs()
      );
    }
    if (Date.now() > deadline) {
      await signalAndWait('SIGTERM', 10_000);
      await dropDatabase();
      throw new StrapiStartError(`strapi start was not healthy at ${url}/_health within the timeout`, logs());
    }
    try {
      const res = await fetch(`${url}/_health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 204) startupMs = Date.now() - started;
    } catch {
      // not listening yet
    }
    if (startupMs < 0) await sleep(200);
  }

  return {
    url,
    port,
    pid: child.pid!,
    database,
    logs,
    exited,
    startupMs,
    async stop() {
      await signalAndWait('SIGTERM', 10_000);
      await dropDatabase();
    },
    async kill() {
      if (!exitInfo) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
