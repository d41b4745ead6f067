import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

import { MailAuthError } from '../errors';
import type { Security } from '../inbound/account-types';
import type { FailureContext } from '../inbound/advice';
import { classifyMailError } from '../inbound/classify';
import type { StepRecorder } from '../inbound/step-recorder';

/**
 * Test & confirm's first steps for IMAP and POP3, on a connection of their own: can the port
 * be reached (connect), does it speak the chosen TLS mode, is the certificate trusted (tls)?
 * Kept apart from the protocol clients so that each failure is named by the step it stops.
 */
export async function probeMailServer(
  steps: StepRecorder,
  o: { protocol: 'imap' | 'pop3'; host: string; port: number; security: Security; tls: ConnectionOptions; timeout: number },
  context: FailureContext
): Promise<void> {
  const fail = (e: unknown) => classifyMailError(e, context);
  const socket = await steps.run(
    'connect',
    () =>
      new Promise<Socket>((resolve, reject) => {
        const s = netConnect({ host: o.host, port: o.port });
        const timer = setTimeout(() => {
          s.destroy();
          reject(fail(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
        }, o.timeout);
        s.once('connect', () => {
          clearTimeout(timer);
          resolve(s);
        });
        s.once('error', (e) => {
          clearTimeout(timer);
          reject(fail(e));
        });
      }),
    () => `${o.host}:${o.port} accepts connections`
  );
  const greetingOk = o.protocol === 'imap' ? /^\* (OK|PREAUTH)/ : /^\+OK/;
  try {
    if (o.security === 'tls') {
      const secure = await steps.run('tls', () => handshake(socket, o, fail), describeTls);
      await expectGreeting(secure, greetingOk, o.timeout).catch((e) => {
        throw fail(e);
      });
      secure.destroy();
      return;
    }
    const greeting = await expectGreeting(socket, greetingOk, o.timeout).catch((e: Error & { code?: string }) => {
      // A TLS port waits silently for the client's hello, or answers garbage to plain text.
      throw fail(e.code === 'ETIMEDOUT' ? Object.assign(e, { code: 'GREETING_TIMEOUT' }) : e);
    });
    if (o.security === 'none') {
      steps.steps.push({ name: 'tls', ok: true, ms: 0, detail: 'not used: the connection is plain text (passwords and tokens travel unencrypted)' });
      socket.destroy();
      return;
    }
    await steps.run(
      'tls',
      async () => {
        await startTls(socket, o.protocol, greeting, o.timeout, context);
        return handshake(socket, o, fail);
      },
      describeTls
    ).then((s) => s.destroy());
  } finally {
    socket.destroy();
  }
}

function handshake(socket: Socket, o: { host: string; tls: ConnectionOptions; timeout: number }, fail: (e: unknown) => MailAuthError): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, host: o.host, ...o.tls });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(fail(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
    }, o.timeout);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (e) => {
      clearTimeout(timer);
      reject(fail(e));
    });
  });
}

const describeTls = (s: TLSSocket) => {
  const cert = s.getPeerCertificate();
  const subject = cert?.subject?.CN ?? '?';
  const issuer = cert?.issuer?.CN ?? '?';
  return `${s.getProtocol() ?? 'TLS'}, certificate for ${subject} issued by ${issuer}${s.authorized ? '' : ' (not validated: certificate validation is off)'}`;
};

function readLine(socket: Socket | TLSSocket, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      fn();
    };
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(() => resolve(buf.slice(0, i)));
    };
    const onError = (e: Error) => done(() => reject(e));
    const onClose = () => done(() => reject(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' })));
    const timer = setTimeout(() => done(() => reject(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' }))), timeout);
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

async function expectGreeting(socket: Socket | TLSSocket, ok: RegExp, timeout: number): Promise<string> {
  const line = await readLine(socket, timeout);
  if (!ok.test(line)) {
    throw Object.assign(new Error(`unexpected greeting "${line.slice(0, 60)}"`), { code: /[\x00-\x08\x0e-\x1f\x80-\xff]/.test(line) ? 'ERR_SSL_WRONG_VERSION_NUMBER' : 'PROTOCOL' });
  }
  return line;
}

async function startTls(socket: Socket, protocol: 'imap' | 'pop3', _greeting: string, timeout: number, context: FailureContext) {
  const command = protocol === 'imap' ? 'a1 STARTTLS\r\n' : 'STLS\r\n';
  socket.write(command);
  const answer = await readLine(socket, timeout);
  const ok = protocol === 'imap' ? /^a1 OK/i : /^\+OK/;
  if (!ok.test(answer)) {
    throw new MailAuthError('TLS_MISMATCH', `The server at ${context.host}:${context.port} refused ${protocol === 'imap' ? 'STARTTLS' : 'STLS'}: ${answer}`, {
      advice: `The server does not offer STARTTLS on this port. Use the TLS type (${protocol.toUpperCase()}S, port ${protocol === 'imap' ? 993 : 995}) if it has one, or plain text on a trusted network only.`,
    });
  }
}
