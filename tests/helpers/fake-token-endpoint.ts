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
