import type { SmtpSecurity } from '../presets';
import { SendError } from '../send-error';
import type { SmtpStage, SmtpStageError } from './session';

/**
 * Turns what went wrong in an SMTP conversation into a SendError that says what to do. Pure:
 * the mapping follows RFC 5321/3207/4954, nodemailer's error codes, and the replies Microsoft
 * (aka.ms/smtp_auth_disabled, "Fix issues with SMTP AUTH client submission") and Google
 * ("Gmail SMTP errors and codes") document.
 */
export interface SmtpContext {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth: 'none' | 'password' | 'oauth2';
  fromAddress: string;
}

type Detail = SmtpStageError['original'];

const CERT_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);
const CERT_INVALID = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'HOSTNAME_MISMATCH']);

const usualPort = (security: SmtpSecurity) => (security === 'tls' ? 465 : security === 'starttls' ? 587 : 25);

/** The first line of the server's answer, or the message. */
const replyOf = (e: Detail) => (e.response ?? e.message).split(/\r?\n/)[0].trim();
const enhancedCode = (reply: string) => /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];

/** The JSON a server puts in a failed XOAUTH2 challenge (RFC 7628 §3.2.2), when the reply carries it. */
function oauthChallenge(reply: string): { status?: string; scope?: string } | undefined {
  const m = /^334[ -](\S+)/.exec(reply);
  if (!m) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { status?: string; scope?: string };
  } catch {
    return undefined;
  }
}

/** Any code a node error carries, from itself or its causes (nodemailer wraps TLS errors). */
function codesOf(e: unknown): string[] {
  const codes: string[] = [];
  for (let x = e as { code?: unknown; originalCode?: unknown; cause?: unknown } | undefined, i = 0; x && i < 5; x = x.cause as typeof x, i += 1) {
    if (typeof x.code === 'string') codes.push(x.code);
    if (typeof x.originalCode === 'string') codes.push(x.originalCode);
  }
  return codes;
}

export function classifySmtpError(error: SmtpStageError, ctx: SmtpContext): SendError {
  const e = error.original;
  const stage: SmtpStage = error.stage;
  const codes = codesOf(e);
  const text = `${e.message} ${e.response ?? ''}`;
  const reply = replyOf(e);
  const responseCode = e.responseCode;
  const enhanced = enhancedCode(reply);
  const where = `${ctx.host}:${ctx.port}`;
  const providerCode = responseCode ? [responseCode, enhanced].filter(Boolean).join(' ') : codes[0];
  const make = (code: ConstructorParameters<typeof SendError>[0], reason: ConstructorParameters<typeof SendError>[2]['reason'], message: string, advice: string, transient = false) =>
    new SendError(code, message, { reason, advice, transient, reply: responseCode ? reply : undefined, providerCode, cause: e });

  // --- reaching the server
  if (codes.some((c) => ['ENOTFOUND', 'EAI_AGAIN', 'EDNS'].includes(c))) {
    return make('CONNECTION_FAILED', 'HOST_NOT_FOUND', `The host name ${ctx.host} cannot be resolved`, 'Check the spelling of the server address, and that this server can resolve it (DNS).', codes.includes('EAI_AGAIN'));
  }
  if (codes.includes('ECONNREFUSED')) {
    return make(
      'CONNECTION_FAILED',
      'CONNECTION_REFUSED',
      `${where} refused the connection`,
      `Nothing accepts connections on port ${ctx.port} of ${ctx.host}. Check the port: submission uses 587 (STARTTLS) or 465 (TLS); a firewall may also block it.`
    );
  }
  if (stage === 'connect' && (codes.includes('ETIMEDOUT') || codes.includes('EHOSTUNREACH') || codes.includes('ENETUNREACH'))) {
    return make('CONNECTION_FAILED', 'TIMEOUT', `${where} cannot be reached: ${e.message}`, 'A firewall may drop the connection (many hosts block outgoing port 25 and sometimes 465/587), or the address is wrong.', true);
  }

  // --- TLS
  const certCode = codes.find((c) => CERT_UNTRUSTED.has(c) || CERT_INVALID.has(c));
  if (certCode) {
    const untrusted = CERT_UNTRUSTED.has(certCode);
    return make(
      'TLS_FAILED',
      untrusted ? 'CERT_UNTRUSTED' : 'CERT_INVALID',
      `The certificate of ${ctx.host} is not accepted: ${e.message} (${certCode})`,
      untrusted
        ? 'The server presents a certificate from a CA this server does not trust (a private CA or a self-signed certificate). Paste that CA certificate into "Trusted certificate" of the account; switch certificate validation off only on a network you control.'
        : certCode === 'ERR_TLS_CERT_ALTNAME_INVALID' || certCode === 'HOSTNAME_MISMATCH'
          ? `The certificate is not issued for ${ctx.host}. Use the host name the certificate names (not an IP address or an alias).`
          : 'The server\'s certificate has expired or is not valid yet; the server\'s administrator must renew it (check this server\'s clock too).'
    );
  }
  const plaintextAnswer = /wrong version number|packet length too long|unknown protocol|WRONG_VERSION_NUMBER|http request/i.test(text) || codes.includes('ERR_SSL_WRONG_VERSION_NUMBER');
  if (plaintextAnswer) {
    return make(
      'TLS_FAILED',
      'TLS_MISMATCH',
      `${where} does not speak TLS from the first byte (security mode TLS)`,
      `Port ${ctx.port} expects a plain-text greeting followed by STARTTLS: set the security mode to STARTTLS (usual port 587), or use port 465 with TLS.`
    );
  }
  const noGreeting = e.timeoutType === 'GREETING_TIMEOUT' || /greeting never received/i.test(text) || (stage === 'greeting' && codes.includes('ETIMEDOUT'));
  if (noGreeting && ctx.security !== 'tls') {
    return make(
      'TLS_FAILED',
      'TLS_MISMATCH',
      `${where} sent no greeting`,
      `The server waits for a TLS handshake before it says anything: port ${ctx.port}${ctx.port === 465 ? ' is the implicit-TLS port' : ''}. Set the security mode to TLS (usual port 465), or use port 587 with STARTTLS.`,
      ctx.port !== 465
    );
  }
  if (/STARTTLS/i.test(text) && (e.code === 'ETLS' || /not (supported|advertised)|no STARTTLS/i.test(text)) && stage !== 'authenticate' && stage !== 'send') {
    return make(
      'TLS_FAILED',
      'STARTTLS_UNAVAILABLE',
      `${where} does not offer STARTTLS`,
      `Use port 465 with the security mode TLS if the server offers it. Only on a network you control, and with a server that needs no password, may the mode be "none".`
    );
  }
  if (responseCode === 538 || (responseCode === 530 && /STARTTLS|5\.7\.0.*TLS|encryption required/i.test(text))) {
    return make(
      'AUTH_FAILED',
      'STARTTLS_REQUIRED',
      `${where} requires encryption before authentication: ${reply}`,
      `Set the security mode to STARTTLS (port ${ctx.port === 25 ? '587 or 25' : ctx.port}) or TLS (port 465).`
    );
  }

  // --- authentication
  if (stage === 'authenticate' || e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    const challenge = oauthChallenge(reply) ?? oauthChallenge(e.response ?? '');
    if (/SmtpClientAuthentication is disabled|smtp_auth_disabled/i.test(text)) {
      const mailbox = /for the Mailbox/i.test(text);
      return make(
        'AUTH_FAILED',
        'SMTP_AUTH_DISABLED',
        `Microsoft 365 refused SMTP AUTH: ${reply}`,
        mailbox
          ? 'Authenticated SMTP is switched off for this mailbox. In the Microsoft 365 admin center: Users → Active users → the mailbox → Mail → Manage email apps → tick "Authenticated SMTP" (or Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false). It takes effect within an hour.'
          : 'Authenticated SMTP is switched off for the whole tenant. An Exchange administrator enables it per mailbox (Microsoft 365 admin center → Users → Active users → Mail → Manage email apps → "Authenticated SMTP") or for the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $false). Or send through "Microsoft 365 (Graph sendMail)" instead, which needs no SMTP AUTH.'
      );
    }
    if (/5\.7\.139|5\.7\.3\b/.test(text)) {
      const basicOff = /basic authentication is disabled|basic auth/i.test(text);
      return make(
        'AUTH_FAILED',
        basicOff ? 'OAUTH_REQUIRED' : 'SMTP_AUTH_DISABLED',
        `Microsoft 365 refused the login: ${reply}`,
        basicOff
          ? 'Microsoft 365 no longer accepts passwords for SMTP: use the preset "Microsoft 365 (SMTP, OAuth 2.0)" with an OAuth2 token (scope https://outlook.office.com/SMTP.Send).'
          : ctx.auth === 'oauth2'
            ? 'Microsoft 365 refused the token. Either Authenticated SMTP is off for the mailbox or the tenant (Microsoft 365 admin center → Users → Active users → Mail → Manage email apps → "Authenticated SMTP"; tenant-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $false), or the token lacks the scope https://outlook.office.com/SMTP.Send (for app-only tokens: the service principal needs SendAs/FullAccess on the mailbox), or the SMTP username is not the mailbox the token was granted for.'
            : 'Microsoft 365 refused the password: Authenticated SMTP is off for the mailbox or the tenant, security defaults block basic authentication, or the password is wrong. Microsoft is retiring passwords for SMTP: prefer the preset "Microsoft 365 (SMTP, OAuth 2.0)".'
      );
    }
    if (/5\.7\.9|Application-specific password required|5\.7\.14|log in via your web browser|5\.7\.8/i.test(text) || (/gmail|google/i.test(ctx.host) && ctx.auth === 'password')) {
      return make(
        'AUTH_FAILED',
        'OAUTH_REQUIRED',
        `Google refused the password: ${reply}`,
        'Google no longer accepts account passwords for SMTP ("less secure apps" are gone). Use the preset "Gmail (SMTP, OAuth 2.0)" with an OAuth2 token from the Google template (scope https://mail.google.com/), or an app password of an account with 2-Step Verification.'
      );
    }
    if (challenge && challenge.status === '400' && challenge.scope) {
      return make(
        'AUTH_FAILED',
        'SCOPE_MISSING',
        `The server wants a token with the scope ${challenge.scope}`,
        `Add ${challenge.scope} to the OAuth2 token's scope and click Generate tokens again.`
      );
    }
    if (/5\.7\.4|unrecognized authentication|not supported|mechanism/i.test(text) && responseCode && responseCode >= 500) {
      return make(
        'AUTH_FAILED',
        'AUTH_UNSUPPORTED',
        `${where} does not support this authentication: ${reply}`,
        ctx.auth === 'oauth2'
          ? 'The server does not offer XOAUTH2. Use password authentication with this server, or a server that supports OAuth 2.0.'
          : 'The server does not offer the login mechanisms nodemailer speaks (PLAIN, LOGIN, CRAM-MD5); check the security mode: many servers offer AUTH only after STARTTLS.'
      );
    }
    return make(
      'AUTH_FAILED',
      'AUTH_REJECTED',
      `${where} refused the login: ${reply}`,
      ctx.auth === 'oauth2'
        ? 'The server refused the OAuth2 token, also after renewing it. The SMTP username must be the mailbox the token was granted for (the "granted by" address of the token), and the token\'s scope must allow SMTP (Microsoft: https://outlook.office.com/SMTP.Send; Google: https://mail.google.com/).'
        : 'Check the SMTP username and password. Some providers want the full email address as username, or an app password.'
    );
  }

  if (/5\.7\.57|not authenticated|authentication required|authentication is required/i.test(text) && (responseCode === 530 || responseCode === 550 || responseCode === 554)) {
    return make(
      'AUTH_FAILED',
      'AUTH_REQUIRED',
      `${where} wants a login before it accepts mail: ${reply}`,
      ctx.auth === 'none'
        ? 'Switch on authentication for the account (password or OAuth 2.0); only relays for your own network accept mail without a login.'
        : 'The login did not take effect; check that the server offers AUTH after STARTTLS and that the username is the mailbox.'
    );
  }

  // --- the message
  if (/SendAsDenied|not allowed to send as|5\.2\.252|5\.7\.60|send on behalf|sender address rejected: not owned/i.test(text)) {
    return make(
      'SEND_REFUSED',
      'SEND_AS_DENIED',
      `The server does not let this login send as ${ctx.fromAddress}: ${reply}`,
      'The login may only send as its own mailbox. Either set the from address to the mailbox that logs in, or grant it "Send As" on that address (Exchange admin center → Recipients → Mailboxes → the mailbox → Delegation → Send as; for Gmail: Settings → Accounts → "Send mail as").'
    );
  }
  if (responseCode && responseCode >= 400 && responseCode < 500) {
    const throttled = responseCode === 421 || responseCode === 450 || responseCode === 451 || responseCode === 452 || /4\.7\.\d/.test(enhanced ?? '');
    return make('SEND_DEFERRED', throttled ? 'THROTTLED' : 'SERVER_UNAVAILABLE', `${where} deferred the message: ${reply}`, 'The server asks to try again later (a passing condition: rate limit, greylisting, a busy server). The send is retried automatically a few times.', true);
  }
  if (e.code === 'EENVELOPE' && stage === 'send' && /recipient|RCPT/i.test(`${e.command ?? ''} ${e.message}`)) {
    return make('SEND_REFUSED', 'RECIPIENT_REJECTED', `${where} refused the recipients: ${reply}`, 'Check the recipient addresses; the server\'s answer says why it refused them.');
  }
  if (responseCode && responseCode >= 500) {
    return make('SEND_REFUSED', 'MESSAGE_REJECTED', `${where} refused the message: ${reply}`, 'The server refused the message for good; its answer says why (size, content, sender policy).');
  }
  if (codes.some((c) => ['ECONNECTION', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKET'].includes(c))) {
    return make('CONNECTION_FAILED', 'SERVER_UNAVAILABLE', `The connection to ${where} broke: ${e.message}`, 'A network problem or the server closed the connection. The send is retried automatically.', true);
  }
  return make('SEND_REFUSED', 'UNKNOWN', `Sending through ${where} failed: ${e.message}`, `Check the server address, port and security mode (usual port for ${ctx.security}: ${usualPort(ctx.security)}).`);
}
