import { MailAuthError } from '../errors';
import { SMTP_PLAINTEXT_REMEDY } from '../validation/outbound-account-input';
import { plaintextCredentialsError } from '../validation/plaintext-credentials';
import { authKindOf, type OutboundAccountRow } from './account';
import { GmailSink } from './gmail';
import { GraphSink } from './graph';
import { DEFAULT_PORT } from './presets';
import { SmtpSink, type SmtpAuth } from './smtp/sink';
import type { AccessTokenSource, MailSink } from './types';

export interface SinkDependencies {
  /** The decrypted password (password authentication). */
  password?: string;
  /** The account's token through `tokens.getAccessToken` (OAuth 2.0). */
  token?: AccessTokenSource;
  graphBaseUrl: string;
  gmailBaseUrl: string;
  httpTimeoutMs: number;
  smtpTimeoutMs: number;
}

/** The sink an account sends through. */
export function createSink(account: OutboundAccountRow, deps: SinkDependencies): MailSink {
  const kind = authKindOf(account);
  const token = (): AccessTokenSource => {
    if (!deps.token) throw new MailAuthError('NOT_AUTHORIZED', `Account "${account.name}" has no OAuth2 token`, { advice: 'Choose an OAuth2 token for the account.' });
    return deps.token;
  };
  switch (account.type) {
    case 'microsoft-graph':
      return new GraphSink({
        baseUrl: deps.graphBaseUrl,
        mailbox: account.fromAddress,
        token: token(),
        timeoutMs: deps.httpTimeoutMs,
        tokenUser: typeof account.oauthToken === 'object' ? account.oauthToken?.grantedBy : undefined,
      });
    case 'gmail-api':
      return new GmailSink({ baseUrl: deps.gmailBaseUrl, fromAddress: account.fromAddress, token: token(), timeoutMs: deps.httpTimeoutMs });
    case 'smtp': {
      const security = account.security ?? 'starttls';
      const username = account.username || account.fromAddress;
      let auth: SmtpAuth = { kind: 'none' };
      if (kind === 'password') {
        if (!deps.password) throw new MailAuthError('VALIDATION', `Account "${account.name}" has no password`, { advice: 'Enter the password of the account.' });
        auth = { kind: 'password', username, password: deps.password };
      } else if (kind === 'oauth2') {
        auth = { kind: 'oauth2', username, accessToken: token() };
      }
      // Also for rows stored before the rule (or by an import): the rule holds when sending.
      const plaintext = plaintextCredentialsError('security', { plaintext: security === 'none', sendsCredentials: auth.kind !== 'none', host: account.host, allowInsecureAuth: account.allowInsecureAuth }, SMTP_PLAINTEXT_REMEDY);
      if (plaintext) {
        throw new MailAuthError('VALIDATION', `Account "${account.name}": security none ${plaintext.message}`, { advice: `Edit the account: ${SMTP_PLAINTEXT_REMEDY}.`, errors: [plaintext] });
      }
      return new SmtpSink({
        settings: {
          host: account.host ?? '',
          port: account.port ?? DEFAULT_PORT[security],
          security,
          verifyCertificate: account.verifyCertificate !== false,
          trustedCertificate: account.trustedCertificate,
          domain: account.domain,
          timeoutMs: deps.smtpTimeoutMs,
        },
        auth,
        fromAddress: account.fromAddress,
      });
    }
    default:
      throw new MailAuthError('VALIDATION', `Account "${(account as OutboundAccountRow).name}" has an unknown type`);
  }
}
