import { Socket, connect as netConnect } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * A small POP3 client (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034): what the
 * PostMaster needs and node-pop3 lacks — STLS, a RETR that streams (dot-unstuffed, 8-bit
 * safe, with backpressure) instead of building one string, SASL XOAUTH2/OAUTHBEARER with
 * and without an initial response, and errors that say which command failed.
 */

export class Pop3Error extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The server's -ERR text, when it said one. */
    readonly serverText?: string,
    readonly command?: string,
    readonly authenticationFailed = false
  ) {
    super(message);
    this.name = 'Pop3Error';
  }
}

export interface Pop3ClientOptions {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  tls: ConnectionOptions;
  /** Milliseconds for connecting and for each answer. */
  timeout: number;
}

export type SaslInitialResponse = 'auto' | 'always' | 'never';

const CRLF = Buffer.from('\r\n');
/** RFC 5034 §4: a client must not send an AUTH command line longer than 255 octets. */
const MAX_AUTH_LINE = 255;
/** Pause the socket when this much is buffered and nobody reads. */
const HIGH_WATER = 1 << 20;

export class Pop3Client {
  private socket!: Socket | TLSSocket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting?: () => void;
  private failure?: Error;
  private closed = false;
  private busy = false;
  capabilities = new Set<string>();
  saslMechanisms = new Set<string>();

  private constructor(private readonly options: Pop3ClientOptions) {}

  /** Connects, reads the greeting, and with `starttls` upgrades before anything else. */
  static async connect(options: Pop3ClientOptions): Promise<Pop3Client> {
    const client = new Pop3Client(options);
    await client.open();
    return client;
  }

  private attach(socket: Socket | TLSSocket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      if (this.buffer.length > HIGH_WATER) socket.pause();
      this.wake();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(Object.assign(new Pop3Error('The server closed the connection', 'EConnectionClosed'), {})));
  }

  private wake() {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private fail(e: Error) {
    if (!this.failure) this.failure = e;
    this.closed = true;
    this.wake();
  }

  private connectSocket(): Promise<void> {
    const { host, port, security, tls, timeout } = this.options;
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (e?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      const timer = setTimeout(() => {
        socket.destroy();
        done(new Pop3Error(`Connecting to ${host}:${port} timed out`, 'ETIMEDOUT'));
      }, timeout);
      const socket =
        security === 'tls'
          ? tlsConnect({ host, port, ...tls }, () => done())
          : netConnect({ host, port }, () => done());
      socket.once('error', (e) => done(e));
      this.attach(socket);
    });
  }

  private async open() {
    await this.connectSocket();
    // A TLS port waits silently for a ClientHello: no greeting is the sign of a plain client there.
    await this.expectOk(await this.readLine('GREETING_TIMEOUT'), 'greeting');
    await this.capa();
    if (this.options.security === 'starttls') {
      if (!this.capabilities.has('STLS')) {
        throw new Pop3Error(`The server at ${this.options.host}:${this.options.port} does not offer STLS`, 'STARTTLS_UNAVAILABLE');
      }
      await this.command('STLS');
      await this.upgrade();
      await this.capa();
    }
  }

  private upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    this.buffer = Buffer.alloc(0);
    const { host, tls, timeout } = this.options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Pop3Error('TLS upgrade timed out', 'UPGRADE_TIMEOUT')), timeout);
      const secure = tlsConnect({ socket: plain, host, ...tls }, () => {
        clearTimeout(timer);
        resolve();
      });
      secure.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      this.attach(secure);
    });
  }

  private async capa() {
    this.capabilities = new Set();
    this.saslMechanisms = new Set();
    await this.write('CAPA');
    const first = await this.readLine();
    if (!first.startsWith('+OK')) return; // CAPA is optional (RFC 2449)
    for (const line of await this.readMultilineText()) {
      const [name, ...args] = line.trim().split(/\s+/);
      this.capabilities.add(name.toUpperCase());
      if (name.toUpperCase() === 'SASL') for (const m of args) this.saslMechanisms.add(m.toUpperCase());
    }
  }

  get secure(): boolean {
    return 'encrypted' in this.socket && Boolean((this.socket as TLSSocket).encrypted);
  }

  private async write(line: string) {
    if (this.closed) throw this.failure ?? new Pop3Error('Connection closed', 'EConnectionClosed');
    if (this.busy) throw new Error('POP3 command sent while a multi-line answer is still being read');
    this.socket.write(`${line}\r\n`);
  }

  /** One CRLF-terminated line (without the CRLF), waiting for data as needed. */
  private async readLine(timeoutCode?: string): Promise<string> {
    for (;;) {
      const i = this.buffer.indexOf(CRLF);
      if (i >= 0) {
        const line = this.buffer.subarray(0, i).toString('latin1');
        this.buffer = this.buffer.subarray(i + 2);
        this.resumeIfDrained();
        return line;
      }
      await this.more(timeoutCode);
    }
  }

  private resumeIfDrained() {
    if (this.buffer.length < HIGH_WATER / 2 && this.socket.isPaused()) this.socket.resume();
  }

  /** Waits for more data; only while waiting does the answer timeout run (slow consumers are fine). */
  private more(code = 'ETIMEDOUT'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.resumeIfDrained();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Pop3Error(`No answer from ${this.options.host}:${this.options.port} within ${this.options.timeout} ms`, code));
        this.socket.destroy();
      }, this.options.timeout);
      this.waiting = () => {
        clearTimeout(timer);
        if (this.failure && !this.buffer.length) reject(this.failure);
        else resolve();
      };
    });
  }

  private async expectOk(line: string, command: string): Promise<string> {
    if (line.startsWith('+OK')) return line.slice(3).trim();
    if (line.startsWith('-ERR')) {
      const text = line.slice(4).trim();
      throw new Pop3Error(`${command}: ${text || 'refused'}`, 'POP3_ERR', text, command);
    }
    throw new Pop3Error(`${command}: unexpected answer "${line.slice(0, 80)}"`, 'PROTOCOL_ERROR', undefined, command);
  }

  /** A command with a one-line answer; returns the text after +OK. */
  async command(line: string): Promise<string> {
    await this.write(line);
    return this.expectOk(await this.readLine(), line.split(' ')[0]);
  }

  /**
   * The body of a multi-line answer, as raw chunks with the dot-stuffing removed, up to the
   * terminating "." line. Lines are cut only at CRLF, so 8-bit bytes pass through untouched.
   */
  private async *multiline(): AsyncGenerator<Buffer> {
    this.busy = true;
    try {
      for (;;) {
        const out: Buffer[] = [];
        let start = 0;
        let end = false;
        for (;;) {
          const i = this.buffer.indexOf(CRLF, start);
          if (i < 0) break;
          const line = this.buffer.subarray(start, i + 2);
          start = i + 2;
          if (line.length === 3 && line[0] === 0x2e) {
            end = true;
            break;
          }
          out.push(line[0] === 0x2e ? line.subarray(1) : line);
        }
        this.buffer = this.buffer.subarray(start);
        if (out.length) yield out.length === 1 ? out[0] : Buffer.concat(out);
        if (end) return;
        await this.more();
      }
    } finally {
      this.busy = false;
      this.resumeIfDrained();
    }
  }

  private async readMultilineText(): Promise<string[]> {
    const parts: Buffer[] = [];
    for await (const chunk of this.multiline()) parts.push(chunk);
    return Buffer.concat(parts).toString('latin1').split('\r\n').filter(Boolean);
  }

  async login(user: string, password: string): Promise<void> {
    try {
      await this.command(`USER ${user}`);
      await this.command(`PASS ${password}`);
    } catch (e) {
      throw this.asAuthFailure(e);
    }
  }

  /**
   * SASL with a bearer token: XOAUTH2 (Google, Microsoft) or OAUTHBEARER (RFC 7628). With
   * `auto`, the initial response rides on the AUTH line when the line fits RFC 5034's 255
   * octets, otherwise (Microsoft's long tokens) it follows on its own line after "+ ".
   */
  async authenticateToken(user: string, token: string, options: { mechanism?: 'XOAUTH2' | 'OAUTHBEARER'; initialResponse?: SaslInitialResponse } = {}) {
    const mechanism =
      options.mechanism ?? (this.saslMechanisms.has('XOAUTH2') || !this.saslMechanisms.has('OAUTHBEARER') ? 'XOAUTH2' : 'OAUTHBEARER');
    const payload =
      mechanism === 'XOAUTH2'
        ? `user=${user}\x01auth=Bearer ${token}\x01\x01`
        : `n,a=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},\x01host=${this.options.host}\x01port=${this.options.port}\x01auth=Bearer ${token}\x01\x01`;
    const encoded = Buffer.from(payload).toString('base64');
    const style = options.initialResponse ?? 'auto';
    const oneLine = style === 'always' || (style === 'auto' && `AUTH ${mechanism} ${encoded}`.length <= MAX_AUTH_LINE);
    await this.write(oneLine ? `AUTH ${mechanism} ${encoded}` : `AUTH ${mechanism}`);
    let line = await this.readLine();
    if (!oneLine && line.startsWith('+')) {
      this.socket.write(`${encoded}\r\n`);
      line = await this.readLine();
    }
    if (line.startsWith('+ ') || line === '+') {
      // A refusal arrives as a challenge carrying the error (base64 JSON); an empty answer ends it.
      const detail = decodeChallenge(line.slice(1).trim());
      this.socket.write('\r\n');
      line = await this.readLine();
      if (line.startsWith('-ERR')) {
        throw new Pop3Error(`AUTH ${mechanism}: ${line.slice(4).trim()}${detail ? ` (${detail})` : ''}`, 'AUTH_FAILED', `${line.slice(4).trim()}${detail ? ` ${detail}` : ''}`, 'AUTH', true);
      }
    }
    try {
      await this.expectOk(line, `AUTH ${mechanism}`);
    } catch (e) {
      throw this.asAuthFailure(e);
    }
    return mechanism;
  }

  private asAuthFailure(e: unknown) {
    if (e instanceof Pop3Error && e.code === 'POP3_ERR') {
      return new Pop3Error(e.message, 'AUTH_FAILED', e.serverText, e.command, true);
    }
    return e;
  }

  async stat(): Promise<{ messages: number; size: number }> {
    const [messages, size] = (await this.command('STAT')).split(/\s+/).map(Number);
    return { messages, size };
  }

  /** Message numbers with their unique ids, in mailbox order. */
  async uidl(): Promise<{ number: number; uidl: string }[]> {
    await this.command('UIDL');
    return (await this.readMultilineText()).map((line) => {
      const [n, uidl] = line.trim().split(/\s+/);
      return { number: Number(n), uidl };
    });
  }

  async list(): Promise<Map<number, number>> {
    await this.command('LIST');
    return new Map((await this.readMultilineText()).map((line) => line.trim().split(/\s+/).map(Number) as [number, number]));
  }

  /**
   * The message as a stream. The connection takes no other command until the stream has
   * been read to its end (or destroyed, which closes the connection).
   */
  async retrieve(number: number): Promise<Readable> {
    await this.command(`RETR ${number}`);
    const body = this.multiline();
    const stream = Readable.from(body, { objectMode: false });
    stream.on('close', () => {
      if (!stream.readableEnded) this.destroy();
    });
    return stream;
  }

  /** The message's header lines (TOP n 0, RFC 1939 §7). */
  async headers(number: number): Promise<string[]> {
    await this.command(`TOP ${number} 0`);
    return this.readMultilineText();
  }

  async delete(number: number): Promise<void> {
    await this.command(`DELE ${number}`);
  }

  /** QUIT: only now does the server remove the messages marked with DELE (RFC 1939 §6). */
  async quit(): Promise<void> {
    await this.command('QUIT');
    this.destroy();
  }

  destroy() {
    this.closed = true;
    this.socket?.destroy();
  }
}

function decodeChallenge(b64: string): string {
  if (!b64) return '';
  try {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    const json = JSON.parse(text) as { status?: string; schemes?: string; scope?: string };
    return json.status ? `status ${json.status}` : text;
  } catch {
    return '';
  }
}
