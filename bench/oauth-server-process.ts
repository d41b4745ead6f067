/**
 * The harness OAuth server (oidc-provider) in a process of its own, for benchmarks: a real
 * token endpoint is another machine, so its work must not share the event loop of the code
 * being measured. The parent gets the endpoints over IPC and talks to it over HTTP only.
 *
 *   const op = await startOAuthServerProcess({ clientId, clientSecret, redirectUris, rotateRefreshTokens });
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import type { OAuthClientOptions } from '../tests/servers/oauth-server';

export interface OAuthServerProcess {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  introspect(token: string): Promise<{ active: boolean }>;
  /** What the server process has used so far, both read at one moment. */
  usage(): Promise<Usage>;
  stop(): Promise<void>;
}

export interface Usage {
  /** CPU time (user + system, ms). */
  cpuMs: number;
  /**
   * How long the event loop has waited for work (ms, Node's event loop utilization): time in
   * which it had no request to answer, as against time it was busy or waiting for a core.
   */
  idleMs: number;
}

interface Ready {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  introspectionEndpoint: string;
  introspectionClient: { clientId: string; clientSecret: string };
}

/**
 * `refreshAnswerDelayMs`: each refresh answer is held this long once made, as a provider that far
 * away would arrive (the server's work is done first, so its CPU time is the same).
 */
export async function startOAuthServerProcess(client: OAuthClientOptions, { refreshAnswerDelayMs = 0 } = {}): Promise<OAuthServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, OAUTH_CLIENT: JSON.stringify(client), OAUTH_REFRESH_DELAY_MS: String(refreshAnswerDelayMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the OAuth server process exited (${code}) before it was ready`)));
  });
  return {
    issuer: ready.issuer,
    authorizationEndpoint: ready.authorizationEndpoint,
    tokenEndpoint: ready.tokenEndpoint,
    async introspect(token) {
      const { clientId, clientSecret } = ready.introspectionClient;
      const r = await fetch(ready.introspectionEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ token, client_id: clientId, client_secret: clientSecret }),
      });
      if (!r.ok) throw new Error(`introspection: HTTP ${r.status}`);
      return (await r.json()) as { active: boolean };
    },
    usage: () =>
      new Promise<Usage>((resolve) => {
        child.once('message', (m) => resolve(m as Usage));
        child.send('usage');
      }),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function child() {
  const { startOAuthServer } = await import('../tests/servers/oauth-server');
  const op = await startOAuthServer();
  await op.addClient(JSON.parse(process.env.OAUTH_CLIENT!) as OAuthClientOptions);
  const delay = Number(process.env.OAUTH_REFRESH_DELAY_MS ?? 0);
  if (delay > 0) op.holdRefreshAnswers(delay);
  const ready: Ready = {
    issuer: op.issuer,
    authorizationEndpoint: op.authorizationEndpoint,
    tokenEndpoint: op.tokenEndpoint,
    introspectionEndpoint: op.introspectionEndpoint,
    introspectionClient: op.introspectionClient,
  };
  process.send!(ready);
  process.on('message', (m) => {
    if (m !== 'usage') return;
    const used = process.cpuUsage();
    const usage: Usage = { cpuMs: (used.user + used.system) / 1000, idleMs: performance.eventLoopUtilization().idle };
    process.send!(usage);
  });
  process.on('SIGTERM', () => void op.stop().finally(() => process.exit(0)));
  process.on('disconnect', () => void op.stop().finally(() => process.exit(0)));
}

if (process.argv.includes('--child')) {
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
