import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for tests that need to see what a
 * client sent (`sent`) or to break connections at chosen points (`cutAfter`): a connection
 * is destroyed, both ways and without a goodbye, once that many bytes passed through it (in
 * either direction), as a crash or a network failure would leave it.
 */
export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /** Per connection, what the client sent (capped at 1 MB each). */
  sent: Buffer[][];
  /** Connections accepted so far. */
  connections: number;
  /** Connections the proxy cut. */
  cuts: number;
  /** Per connection, the bytes that passed (both ways). */
  bytes: number[];
  /** Bytes after which the next connections are cut: a number, a function per connection, or undefined for never. */
  cutAfter: number | ((connection: number) => number | undefined) | undefined;
  /**
   * Cut when the client sends something matching `pattern`: before it reaches the server
   * (`forward: false`), or after the server had a moment to act on it but before its answer
   * reaches the client (`forward: true`).
   */
  cutOnClient: { pattern: RegExp; forward: boolean } | undefined;
  /** Connections open now. */
  open(): number;
  /** Cuts every open connection now (a network failure under held connections); returns how many. */
  cutAll(): number;
  stop(): Promise<void>;
}

const CAP = 1 << 20;

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  /** Per open connection, what cuts it. */
  const live = new Set<() => void>();
  const proxy: TcpProxy = {
    host: '127.0.0.1',
    port: 0,
    sent: [],
    connections: 0,
    cuts: 0,
    bytes: [],
    cutAfter: undefined,
    cutOnClient: undefined,
    open: () => live.size,
    cutAll: () => {
      const open = [...live];
      for (const cut of open) cut();
      return open.length;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((client) => {
    const index = proxy.connections++;
    const limit = typeof proxy.cutAfter === 'function' ? proxy.cutAfter(index) : proxy.cutAfter;
    const trigger = proxy.cutOnClient;
    const log: Buffer[] = [];
    let logged = 0;
    proxy.sent.push(log);
    const upstream = connect(target);
    sockets.add(client);
    sockets.add(upstream);
    let passed = 0;
    let cut = false;
    const cutNow = () => {
      if (cut) return;
      cut = true;
      proxy.cuts++;
      client.destroy();
      upstream.destroy();
    };
    live.add(cutNow);
    // Forwards a chunk, or only its part below the limit before cutting.
    let silenced = false;
    const pass = (chunk: Buffer, to: Socket, fromClient: boolean) => {
      if (cut || (silenced && !fromClient)) return;
      if (fromClient && trigger && trigger.pattern.test(chunk.toString('latin1'))) {
        if (!trigger.forward) return cutNow();
        // the server gets the command; its answer never reaches the client
        silenced = true;
        upstream.write(chunk);
        setTimeout(cutNow, 100);
        return;
      }
      let part = chunk;
      if (limit !== undefined && passed + chunk.length >= limit) part = chunk.subarray(0, Math.max(0, limit - passed));
      passed += part.length;
      proxy.bytes[index] = passed;
      if (fromClient && logged < CAP) {
        log.push(part);
        logged += part.length;
      }
      if (part.length) to.write(part);
      if (part !== chunk || (limit !== undefined && passed >= limit)) setImmediate(cutNow);
    };
    client.on('data', (c: Buffer) => pass(c, upstream, true));
    upstream.on('data', (c: Buffer) => pass(c, client, false));
    const close = () => {
      // the server hung up on a command whose answer was being held back: that is the cut
      if (silenced && !cut) {
        cut = true;
        proxy.cuts++;
      }
      live.delete(cutNow);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.port = (server.address() as { port: number }).port;
  return proxy;
}
