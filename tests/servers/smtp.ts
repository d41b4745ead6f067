import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import { createTestCA } from './tls';

/**
 * An SMTP submission server (smtp-server) for tests: password logins, XOAUTH2 checked by token
 * introspection, TLS with the test CA's certificate. It keeps every message instead of relaying.
 */

export type SmtpAuthMethod = 'PLAIN' | 'LOGIN' | 'XOAUTH2';

export interface SmtpServerOptions {
  /** `starttls`: AUTH is refused until the client upgraded, as real submission servers do. */
  security: 'none' | 'starttls' | 'tls';
  /** Default PLAIN + LOGIN, and XOAUTH2 when `introspect` is given. */
  authMethods?: SmtpAuthMethod[];
  authOptional?: boolean;
  /** user → password. Default alice@example.test/alicepass, bob@example.test/bobpass. */
  users?: Record<string, string>;
  /** Checks an XOAUTH2 bearer token, e.g. `oauthServer.introspect`. */
  introspect?: (token: string) => Promise<{ active: boolean; email?: string }>;
}

export interface ReceivedMessage {
  envelope: { from: string | undefined; to: string[] };
  user: string | undefined;
  authMethod: SmtpAuthMethod | undefined;
  /** The name the client gave in EHLO/HELO. */
  clientHostname: string;
  secure: boolean;
  raw: Buffer;
}

/** Where `failNext` makes the server answer with an error. */
export type SmtpFailStage = 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';

export interface SmtpReply {
  /** e.g. 451, 535, 554 */
  code: number;
  /** The text after the code, e.g. '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' */
  message: string;
}

export interface SmtpTestServer {
  host: '127.0.0.1';
  port: number;
  security: SmtpServerOptions['security'];
  caPem: string;
  received: ReceivedMessage[];
  /** Every AUTH the server answered, in order. */
  authAttempts: { method: SmtpAuthMethod; user: string | undefined; ok: boolean }[];
  /**
   * The next `count` times a client reaches `stage`, answer with `reply` instead of going on (a
   * 4xx to test retries, Microsoft's 535 5.7.139, a SendAs refusal at DATA …).
   */
  failNext(stage: SmtpFailStage, reply: SmtpReply, count?: number): void;
  /** Resolves with `received` once it holds at least n messages. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  stop(): Promise<void>;
}

export async function startSmtpServer(opts: SmtpServerOptions): Promise<SmtpTestServer> {
  const ca = await createTestCA();
  const users = opts.users ?? { 'alice@example.test': 'alicepass', 'bob@example.test': 'bobpass' };
  const authMethods = opts.authMethods ?? ['PLAIN', 'LOGIN', ...(opts.introspect ? (['XOAUTH2'] as const) : [])];
  const received: ReceivedMessage[] = [];
  const methods = new Map<string, SmtpAuthMethod>(); // session id → how it logged in
  const waiters = new Set<() => void>();
  const authAttempts: SmtpTestServer['authAttempts'] = [];
  const failures: Record<SmtpFailStage, SmtpReply[]> = { AUTH: [], MAIL: [], RCPT: [], DATA: [] };
  const injected = (stage: SmtpFailStage) => {
    const reply = failures[stage].shift();
    return reply && Object.assign(new Error(reply.message), { responseCode: reply.code });
  };

  const server = new SMTPServer({
    name: 'smtp.example.test',
    secure: opts.security === 'tls',
    key: ca.keyPem,
    cert: ca.certPem,
    disabledCommands: opts.security === 'none' ? ['STARTTLS'] : [],
    allowInsecureAuth: opts.security === 'none',
    authMethods,
    authOptional: opts.authOptional ?? false,
    // smtp-server would otherwise reverse-resolve 127.0.0.1 through DNS
    disableReverseLookup: true,
    logger: false,
    // smtp-server waits 30 s for connected clients on close by default
    closeTimeout: 500,
    onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb) {
      const method = auth.method as SmtpAuthMethod;
      const attempt = { method, user: auth.username, ok: false };
      authAttempts.push(attempt);
      const ok = () => { attempt.ok = true; methods.set(session.id, method); cb(null, { user: auth.username }); };
      const failure = injected('AUTH');
      if (failure) return cb(failure);
      if (method !== 'XOAUTH2') {
        const known = auth.username !== undefined && Object.hasOwn(users, auth.username);
        return known && users[auth.username!] === auth.password ? ok() : cb(new Error('Invalid username or password'));
      }
      (opts.introspect ?? (async () => ({ active: false })))(auth.accessToken ?? '')
        .catch(() => ({ active: false, email: undefined }))
        .then((info) => {
          if (info.active && info.email === auth.username) return ok();
          // SASL XOAUTH2 failure: smtp-server sends this as a 334 challenge, then 535 (RFC 7628 style)
          cb(null, { data: { status: '401', schemes: 'bearer', scope: 'mail' } });
        });
    },
    onMailFrom(_address, _session, cb) {
      cb(injected('MAIL') ?? null);
    },
    onRcptTo(_address, _session, cb) {
      cb(injected('RCPT') ?? null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = injected('DATA');
        if (failure) return cb(failure);
        const from = session.envelope.mailFrom;
        received.push({
          envelope: { from: from ? from.address : undefined, to: session.envelope.rcptTo.map((r) => r.address) },
          user: typeof session.user === 'string' ? session.user : undefined,
          authMethod: methods.get(session.id),
          clientHostname: session.hostNameAppearsAs,
          secure: session.secure,
          raw: Buffer.concat(chunks),
        });
        for (const w of waiters) w();
        cb(null);
      });
    },
  });
  server.on('error', () => {}); // client resets etc.; the client side reports what matters

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;

  return {
    host: '127.0.0.1',
    port,
    security: opts.security,
    caPem: ca.caPem,
    received,
    authAttempts,
    failNext(stage, reply, count = 1) {
      for (let i = 0; i < count; i++) failures[stage].push(reply);
    },
    waitFor(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for ${n} messages, got ${received.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
