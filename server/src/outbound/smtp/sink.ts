import type { Socket } from 'node:net';
import type { SMTPConnectionAuth } from 'nodemailer/lib/smtp-connection';
import XOAuth2 from 'nodemailer/lib/xoauth2';

import { isTokenError, SendError } from '../send-error';
import { passThrough, type AccessTokenSource, type ComposedMessage, type MailSink, type SendObserver, type SendResult } from '../types';
import { classifySmtpError, type SmtpContext } from './advice';
import { describeTls, openSocket, SmtpSession, SmtpStageError, startTls } from './session';
import type { SmtpSettings } from './settings';

export type SmtpAuth =
  | { kind: 'none' }
  | { kind: 'password'; username: string; password: string }
  | { kind: 'oauth2'; username: string; accessToken: AccessTokenSource };

export interface SmtpSinkOptions {
  settings: SmtpSettings;
  auth: SmtpAuth;
  fromAddress: string;
}

/**
 * Sends through an SMTP server: connect, TLS (implicit or STARTTLS), AUTH (PLAIN/LOGIN with a
 * password, or XOAUTH2 with the token from `tokens`), MAIL/RCPT/DATA, QUIT. One message per
 * connection, like nodemailer's default transport. When the server refuses the access token,
 * the token is renewed once and the login tried once more.
 */
export class SmtpSink implements MailSink {
  constructor(private readonly options: SmtpSinkOptions) {}

  private get context(): SmtpContext {
    const { settings, auth, fromAddress } = this.options;
    return { host: settings.host, port: settings.port, security: settings.security, auth: auth.kind, fromAddress };
  }

  async send(message: ComposedMessage, observer: SendObserver = passThrough): Promise<SendResult> {
    const { auth } = this.options;
    try {
      return await this.attempt(message, observer, false);
    } catch (e) {
      // A server that refuses the token with a plain 535 (no XOAUTH2 challenge, so nodemailer
      // did not renew it itself) gets one renewed token on a new connection.
      if (auth.kind === 'oauth2' && e instanceof RefusedToken) return this.attempt(message, observer, true).catch((again) => this.fail(again));
      return this.fail(e);
    }
  }

  private fail(e: unknown): never {
    if (e instanceof RefusedToken) throw classifySmtpError(e.error, this.context);
    if (e instanceof SmtpStageError) throw classifySmtpError(e, this.context);
    throw e;
  }

  private async attempt(message: ComposedMessage, observer: SendObserver, renewed: boolean): Promise<SendResult> {
    const { settings, auth } = this.options;
    let login: (SMTPConnectionAuth & { renewedInLogin?: () => boolean; renewFailure?: () => unknown }) | undefined;
    if (auth.kind === 'password') {
      login = { user: auth.username, pass: auth.password };
    } else if (auth.kind === 'oauth2') {
      const token = await observer.step(renewed ? 'access token (renewed)' : 'access token', () => auth.accessToken({ forceRefresh: renewed }), () =>
        renewed ? 'renewed after the server refused the previous one' : 'valid'
      );
      let renewedInLogin = renewed;
      let renewFailure: unknown;
      const oauth2 = new XOAuth2({
        user: auth.username,
        accessToken: token,
        // nodemailer asks for a new token when the server answers the XOAUTH2 challenge with an error.
        provisionCallback: (_user, renew, callback) => {
          if (renewedInLogin && renew) return callback(new Error('The renewed access token was refused as well'));
          renewedInLogin ||= renew;
          auth.accessToken({ forceRefresh: renew }).then(
            (t) => callback(null, t),
            (err: unknown) => {
              renewFailure = err;
              callback(err instanceof Error ? err : new Error(String(err)));
            }
          );
        },
      });
      login = { type: 'OAuth2', user: auth.username, method: 'XOAUTH2', oauth2, renewedInLogin: () => renewedInLogin, renewFailure: () => renewFailure };
    }

    const socket = await observer.step('connect', () => wrap('connect', openSocket(settings)), (s) => `${settings.host}:${settings.port} (${s.remoteAddress ?? '?'})`);
    let session: SmtpSession | undefined;
    try {
      let wire: Socket = socket;
      if (settings.security === 'tls') wire = await observer.step('TLS', () => wrap('tls', startTls(socket, settings)), describeTls);
      session = SmtpSession.over(wire, settings);
      const current = session;
      if (settings.security === 'starttls') {
        await observer.step('greeting and STARTTLS', () => current.greet('tls'), () => describeTls(current.socket));
      } else {
        await observer.step('greeting', () => current.greet('greeting'), () => (settings.security === 'none' ? 'no encryption (security mode none)' : undefined));
      }
      if (login) {
        const credentials = login;
        try {
          await observer.step('authenticate', () => current.login(credentials), () =>
            auth.kind === 'oauth2'
              ? `as ${credentials.user} (XOAUTH2${!renewed && credentials.renewedInLogin?.() ? ', after renewing the refused token' : ''})`
              : `as ${credentials.user} (password)`
          );
        } catch (e) {
          const failure = credentials.renewFailure?.();
          if (failure && isTokenError(failure)) throw failure; // the token could not be renewed: say why, not "535"
          if (auth.kind === 'oauth2' && !credentials.renewedInLogin?.() && e instanceof SmtpStageError && isRefusal(e)) throw new RefusedToken(e);
          throw e;
        }
      }
      const info = await observer.step('send', () => current.send(message.envelope, message.raw), (i) => i.response);
      if (!info.accepted.length) throw new SmtpStageError('send', Object.assign(new Error('No recipient was accepted'), { code: 'EENVELOPE', response: info.rejectedErrors?.[0]?.response, responseCode: info.rejectedErrors?.[0]?.responseCode }));
      return { messageId: message.messageId, accepted: info.accepted, rejected: info.rejected, response: info.response, attempts: 1 };
    } finally {
      if (session) session.close();
      else socket.destroy();
    }
  }
}

/** The server said no to the access token (as opposed to a broken connection). */
class RefusedToken extends Error {
  constructor(readonly error: SmtpStageError) {
    super(error.message);
  }
}

const isRefusal = (e: SmtpStageError) => {
  const code = e.original.responseCode ?? 0;
  return code >= 500 && code < 600;
};

/** Tags a failure before the SMTP conversation started with its stage. */
const wrap = <T>(stage: 'connect' | 'tls', p: Promise<T>): Promise<T> =>
  p.catch((e: unknown) => {
    throw e instanceof SendError ? e : new SmtpStageError(stage, e as Error);
  });
