import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A token endpoint that always fails in one way, per path: `/500`, `/timeout` (answers
 * nothing until the client gives up) and `/invalid-grant`. Counts requests per path.
 */
export async function startFailingTokenEndpoint() {
  const counts: Record<string, number> = {};
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const path = (req.url ?? '').split('?')[0];
    counts[path] = (counts[path] ?? 0) + 1;
    if (path === '/500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    } else if (path === '/invalid-grant') {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token revoked' }));
    } else if (path === '/timeout') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts,
    async stop() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface RotatingTokenEndpoint {
  /** POST here with grant_type=refresh_token (client_secret_post). */
  readonly tokenEndpoint: string;
  /** A first refresh token for `family` (one family a stored token); a family starts with one grant-able token. */
  issue(family: string): string;
  /** Every family back to the token issue() gave it, and every count to zero (the same seed, another run). */
  reset(): void;
  /** Grants answered per family, since the last reset. */
  grants(): Map<string, number>;
  /** Refresh tokens refused since the last reset: spent (rotated out) or unknown. */
  readonly refused: { spent: number; unknown: number; client: number };
  stop(): Promise<void>;
}

/**
 * A token endpoint for refresh grants as a provider far away answers them: after `delayMs`,
 * with a new refresh token every time (rotation, as Google and Microsoft may), the one used being
 * spent from the moment it arrives, so that a second use of it (a token refreshed twice by two
 * instances) is refused with invalid_grant as the provider would. Every grant is counted per
 * family, so that a bench can say how many times each stored token was refreshed. Cheap on
 * purpose (no JWTs, no storage): its CPU time should not bound what is measured.
 */
export async function startRotatingTokenEndpoint(options: { clientId: string; clientSecret: string; delayMs?: number }): Promise<RotatingTokenEndpoint> {
  const delayMs = options.delayMs ?? 50;
  const first = new Map<string, string>();
  const current = new Map<string, string>();
  const granted = new Map<string, number>();
  const refused = { spent: 0, unknown: 0, client: 0 };
  let serial = 0;
  const mint = (family: string) => `${family}.${++serial}.${Math.random().toString(36).slice(2)}`;
  const json = (res: ServerResponse, status: number, body: object) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) }).end(text);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/token') return void res.writeHead(404).end();
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
        refused.client += 1;
        return json(res, 401, { error: 'invalid_client' });
      }
      const presented = form.get('refresh_token') ?? '';
      const family = presented.slice(0, presented.indexOf('.'));
      if (form.get('grant_type') !== 'refresh_token' || !current.has(family)) {
        refused.unknown += 1;
        return json(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
      }
      if (current.get(family) !== presented) {
        refused.spent += 1;
        return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token already used' });
      }
      // Spent now, not when the answer leaves: a second request meanwhile is a second use.
      const next = mint(family);
      current.set(family, next);
      granted.set(family, (granted.get(family) ?? 0) + 1);
      setTimeout(() => json(res, 200, { access_token: mint('at'), token_type: 'Bearer', expires_in: 3600, refresh_token: next, scope: form.get('scope') ?? undefined }), delayMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenEndpoint: `${url}/token`,
    issue(family) {
      const token = mint(family);
      first.set(family, token);
      current.set(family, token);
      return token;
    },
    reset() {
      for (const [family, token] of first) current.set(family, token);
      granted.clear();
      Object.assign(refused, { spent: 0, unknown: 0, client: 0 });
    },
    grants: () => granted,
    refused,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
