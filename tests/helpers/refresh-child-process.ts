import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import type { TestDatabase } from './database';

export interface RefreshChild {
  readonly pid: number;
  /**
   * Starts one run of the refresh job, or fetches of these inbound accounts side by side;
   * resolves when the child says it started (ms since the epoch).
   */
  go(fetch?: number[]): Promise<number>;
  /** Inbound accounts whose fetch (started by go) ended, with when and what it reported. */
  readonly fetchesEnded: Map<number, Record<string, unknown>>;
  /** Resolves when the run started by go() ends (it may never, if the child is killed first). */
  readonly runEnded: Promise<Record<string, unknown>>;
  /** Whether the run had ended by now. */
  ended(): boolean;
  /** SIGKILL, and the exit awaited. */
  kill(): Promise<void>;
  /** What the child wrote to stdout and stderr. */
  logs(): string;
}

/**
 * Forks refresh-child.ts on `database` with these MAIL_AUTH_* settings and waits until its
 * Strapi is loaded (jobs off: it runs the refresh job only when told to, with go()).
 */
export async function startRefreshChild(database: TestDatabase, env: Record<string, string>, readyTimeoutMs = 120_000): Promise<RefreshChild> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    STRAPI_TELEMETRY_DISABLED: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    HOST: '127.0.0.1',
    SERVE_ADMIN_PANEL: 'false',
    FORCE_COLOR: '0',
    MAIL_AUTH_RUN_JOBS: 'false',
    ...database.env,
    ...env,
  };
  delete childEnv.NODE_TEST_CONTEXT;
  const child: ChildProcess = fork(join(__dirname, 'refresh-child.ts'), [], {
    env: childEnv,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const chunks: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  const logs = () => chunks.join('');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  let onStart: ((at: number) => void) | undefined;
  let onEnd: ((m: Record<string, unknown>) => void) | undefined;
  const runEnded = new Promise<Record<string, unknown>>((r) => (onEnd = r));
  let ended = false;
  const fetchesEnded = new Map<number, Record<string, unknown>>();
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`refresh child not ready within ${readyTimeoutMs} ms:\n${logs()}`)), readyTimeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`refresh child exited before it was ready:\n${logs()}`));
    });
    child.on('message', (m: { type: string; at?: number }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (m.type === 'run-start') onStart?.(m.at!);
      else if (m.type === 'fetch-end') fetchesEnded.set((m as unknown as { account: number }).account, m as Record<string, unknown>);
      else if (m.type === 'run-end') {
        ended = true;
        onEnd?.(m as Record<string, unknown>);
      }
    });
  });
  try {
    await ready;
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    pid: child.pid!,
    go(fetch) {
      const started = new Promise<number>((r) => (onStart = r));
      child.send(fetch ? { type: 'go', fetch } : { type: 'go' });
      return started;
    },
    fetchesEnded,
    runEnded,
    ended: () => ended,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    logs,
  };
}
