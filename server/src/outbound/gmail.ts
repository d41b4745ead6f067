import { SendError } from './send-error';
import { genericHttpFailure, postWithToken, type HttpFailure } from './http';
import { passThrough, type AccessTokenSource, type ComposedMessage, type MailSink, type SendObserver, type SendResult } from './types';

export interface GmailSinkOptions {
  /** https://gmail.googleapis.com */
  baseUrl: string;
  /** The address the account sends as (for advice; the API sends as the token's user, "me"). */
  fromAddress: string;
  token: AccessTokenSource;
  timeoutMs: number;
}

/** Above this the JSON `raw` form is not accepted; the media upload takes up to 35 MB. */
const JSON_LIMIT = 4 * 1024 * 1024;

/**
 * The Gmail API's `users.messages.send` for the token's user ("me"), with the raw MIME:
 * base64url in JSON for usual messages, the media upload for large ones.
 */
export class GmailSink implements MailSink {
  constructor(private readonly options: GmailSinkOptions) {}

  async send(message: ComposedMessage, observer: SendObserver = passThrough): Promise<SendResult> {
    const root = this.options.baseUrl.replace(/\/$/, '');
    const large = message.raw.length > JSON_LIMIT;
    const answer = await postWithToken({
      url: large ? `${root}/upload/gmail/v1/users/me/messages/send?uploadType=media` : `${root}/gmail/v1/users/me/messages/send`,
      contentType: large ? 'message/rfc822' : 'application/json',
      body: large ? message.raw : JSON.stringify({ raw: message.raw.toString('base64url') }),
      timeoutMs: this.options.timeoutMs,
      token: this.options.token,
      observer,
      classify: (failure) => classifyGmailFailure(failure, this.options.fromAddress),
      describe: (status, body) => `${status} sent, Gmail id ${(body as { id?: string } | undefined)?.id ?? '?'}`,
    });
    const id = (answer.body as { id?: string } | undefined)?.id;
    return { messageId: message.messageId, accepted: message.envelope.to, rejected: [], response: `${answer.status} OK${id ? ` id=${id}` : ''}`, attempts: 1 };
  }
}

/** Google's error JSON (`error.errors[].reason`, `error.status`) turned into advice. Pure. */
export function classifyGmailFailure(failure: HttpFailure, fromAddress: string): SendError {
  const error = (failure.body as { error?: { message?: string; status?: string; errors?: { reason?: string }[] } } | undefined)?.error;
  const reason = error?.errors?.[0]?.reason;
  const code = reason ?? error?.status;
  const message = error?.message ?? (failure.text.slice(0, 200) || `HTTP ${failure.status}`);
  const reply = `${failure.status}${code ? ` ${code}` : ''}: ${message}`;
  const refuse = (why: ConstructorParameters<typeof SendError>[2]['reason'], codeOfError: 'AUTH_FAILED' | 'SEND_REFUSED', text: string, advice: string) =>
    new SendError(codeOfError, `${text}: ${reply}`, { reason: why, reply, providerCode: code ?? String(failure.status), advice });

  if (failure.status === 401) {
    return refuse('AUTH_REJECTED', 'AUTH_FAILED', 'The Gmail API refused the access token, also after renewing it', 'Click Generate tokens on the OAuth2 token to sign in again; the token must come from the Google template (or a Google client).');
  }
  if (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded') {
    return genericHttpFailure('The Gmail API', { ...failure, status: 429 }, code, message);
  }
  if (reason === 'dailyLimitExceeded' || /daily (user )?sending (quota|limit)/i.test(message)) {
    return refuse('THROTTLED', 'SEND_REFUSED', 'The mailbox reached its daily sending limit', 'Google limits how many messages a mailbox sends per day (500 for Gmail, 2,000 for Google Workspace). Sending works again after 24 hours.');
  }
  if (reason === 'insufficientPermissions' || error?.status === 'PERMISSION_DENIED' && /scope/i.test(message) || /insufficient authentication scopes/i.test(message)) {
    return refuse('SCOPE_MISSING', 'AUTH_FAILED', 'The token may not send mail', 'Add the scope https://www.googleapis.com/auth/gmail.send (or https://mail.google.com/) to the OAuth2 token and click Generate tokens again.');
  }
  if (reason === 'accessNotConfigured' || /has not been used in project|is disabled/i.test(message)) {
    return refuse('AUTH_UNSUPPORTED', 'AUTH_FAILED', 'The Gmail API is not enabled for the Google Cloud project', 'Enable the Gmail API for the project of the OAuth client (Google Cloud console → APIs & Services → Library → Gmail API → Enable), wait a few minutes, then test again.');
  }
  if (failure.status === 403) {
    return refuse('SEND_AS_DENIED', 'SEND_REFUSED', `Google does not let this user send as ${fromAddress}`, `Send with a token of ${fromAddress}, or add ${fromAddress} as a "Send mail as" address of the token's user (Gmail settings → Accounts).`);
  }
  if (failure.status === 400 && /recipient/i.test(message)) {
    return refuse('RECIPIENT_REJECTED', 'SEND_REFUSED', 'The Gmail API refused the recipients', 'Check the recipient addresses.');
  }
  return genericHttpFailure('The Gmail API', failure, code, message);
}
