import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions } from 'node:tls';
import SMTPConnection, { type SMTPConnectionAuth, type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';

import { tlsOptions, type SmtpSettings } from './settings';

/** Which part of the conversation an error came from: advice depends on it. */
export type SmtpStage = 'connect' | 'tls' | 'greeting' | 'authenticate' | 'send';

/** An error of a stage, with the stage attached. */
export class SmtpStageError extends Error {
  constructor(
    readonly stage: SmtpStage,
    readonly original: Error & { code?: string; responseCode?: number; response?: string; command?: string; timeoutType?: string }
  ) {
    super(original.message, { cause: original });
  }
}

const withTimeout = <T>(ms: number, what: string, start: (done: (err: Error | null, value?: T) => void) => () => void): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    let cancel: () => void = () => {};
    const timer = setTimeout(() => {
      cancel();
      reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
    cancel = start((err, value) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    });
  });

/** A TCP connection to the server. */
export function openSocket(settings: SmtpSettings): Promise<Socket> {
  return withTimeout(settings.timeoutMs, `Connecting to ${settings.host}:${settings.port}`, (done) => {
    const socket = netConnect({ host: settings.host, port: settings.port, autoSelectFamily: true });
    const onError = (e: Error) => done(e);
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      // From here nodemailer reports socket errors; this keeps one arriving in between from being unhandled.
      socket.on('error', () => {});
      done(null, socket);
    });
    return () => socket.destroy();
  });
}

/** Implicit TLS (port 465 style) over an open socket. */
export function startTls(socket: Socket, settings: SmtpSettings): Promise<TLSSocket> {
  return withTimeout(settings.timeoutMs, 'The TLS handshake', (done) => {
    const secure = tlsConnect({ ...tlsOptions(settings), socket } as ConnectionOptions);
    const onError = (e: Error) => done(e);
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      secure.off('error', onError);
      secure.on('error', () => {});
      done(null, secure);
    });
    return () => secure.destroy();
  });
}

/** What the TLS layer of a socket says about itself, for the test report. */
export function describeTls(socket: unknown): string | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const cert = socket.getPeerCertificate();
  const name = (x: Record<string, unknown> | undefined) => (x ? String(x.CN ?? x.O ?? '?') : '?');
  const trust = socket.authorized ? 'certificate verified' : `certificate NOT verified (${String(socket.authorizationError ?? 'validation off')})`;
  return `${socket.getProtocol() ?? 'TLS'}, ${trust}: ${name(cert?.subject as unknown as Record<string, unknown>)} issued by ${name(cert?.issuer as unknown as Record<string, unknown>)}`;
}

/**
 * One SMTP conversation over an open (and, for implicit TLS, secured) socket, as promises.
 * nodemailer's SMTPConnection speaks the protocol; this turns its callbacks and its 'error'
 * event into one rejection per call, tagged with the stage.
 */
export class SmtpSession {
  private failure?: Error;
  private readonly waiting = new Set<(e: Error) => void>();

  private constructor(readonly connection: SMTPConnection) {
    connection.on('error', (e: Error) => {
      this.failure ??= e;
      for (const reject of [...this.waiting]) reject(e);
    });
  }

  static over(socket: Socket, settings: SmtpSettings): SmtpSession {
    const ms = settings.timeoutMs;
    const secured = settings.security === 'tls';
    return new SmtpSession(
      new SMTPConnection({
        connection: socket,
        secure: secured,
        secured,
        requireTLS: settings.security === 'starttls',
        ignoreTLS: settings.security === 'none',
        name: settings.domain || undefined,
        host: settings.host,
        port: settings.port,
        tls: tlsOptions(settings),
        connectionTimeout: ms,
        greetingTimeout: ms,
        socketTimeout: ms * 4,
        socketCloseTimeout: 1000,
        logger: false,
      })
    );
  }

  private call<T>(stage: SmtpStage, start: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error) => {
        this.waiting.delete(fail);
        reject(new SmtpStageError(stage, e));
      };
      if (this.failure) return fail(this.failure);
      this.waiting.add(fail);
      start((err, value) => {
        if (!this.waiting.has(fail)) return; // the 'error' event already answered
        this.waiting.delete(fail);
        if (err) reject(new SmtpStageError(stage, err));
        else resolve(value as T);
      });
    });
  }

  /** Greeting, EHLO and (for starttls) the upgrade. */
  greet(stage: SmtpStage): Promise<void> {
    return this.call(stage, (done) => this.connection.connect((err) => done(err ?? null)));
  }

  login(auth: SMTPConnectionAuth): Promise<void> {
    return this.call('authenticate', (done) => this.connection.login(auth, (err) => done(err)));
  }

  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SMTPConnectionSendInfo> {
    return this.call('send', (done) => this.connection.send({ ...envelope, size: raw.length }, raw, (err, info) => done(err, info)));
  }

  /** The socket in use now (a TLS socket after STARTTLS). */
  get socket(): unknown {
    return this.connection._socket;
  }

  get allowsAuth(): boolean {
    return this.connection.allowsAuth;
  }

  close(): void {
    // QUIT politely when the conversation is intact; a broken one is just closed.
    if (this.failure) this.connection.close();
    else this.connection.quit();
  }
}
