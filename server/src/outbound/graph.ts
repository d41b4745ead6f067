import { SendError } from './send-error';
import { genericHttpFailure, postWithToken, type HttpFailure } from './http';
import { passThrough, type AccessTokenSource, type ComposedMessage, type MailSink, type SendObserver, type SendResult } from './types';

export interface GraphSinkOptions {
  /** https://graph.microsoft.com, or a national cloud's root. */
  baseUrl: string;
  /** The mailbox that sends: /users/{mailbox}/sendMail. */
  mailbox: string;
  token: AccessTokenSource;
  timeoutMs: number;
  /** Who granted the token (delegated tokens), to tell a missing Send As right from a missing permission. */
  tokenUser?: string | null;
}

/**
 * Microsoft Graph `POST /users/{id}/sendMail` with the message as MIME (base64 in a text/plain
 * body), so that headers, threading and attachments arrive as composed. Graph answers 202
 * with no body; the Message-ID is the one we put in.
 */
export class GraphSink implements MailSink {
  constructor(private readonly options: GraphSinkOptions) {}

  async send(message: ComposedMessage, observer: SendObserver = passThrough): Promise<SendResult> {
    const { baseUrl, mailbox } = this.options;
    const answer = await postWithToken({
      url: `${baseUrl.replace(/\/$/, '')}/v1.0/users/${encodeURIComponent(mailbox)}/sendMail`,
      contentType: 'text/plain',
      body: message.raw.toString('base64'),
      timeoutMs: this.options.timeoutMs,
      token: this.options.token,
      observer,
      classify: (failure) => classifyGraphFailure(failure, mailbox, this.options.tokenUser),
      describe: (status) => `${status} Accepted by Microsoft Graph`,
    });
    return { messageId: message.messageId, accepted: message.envelope.to, rejected: [], response: `${answer.status} Accepted`, attempts: 1 };
  }
}

/** Graph's error JSON (learn.microsoft.com/graph/errors) turned into advice. Pure. */
export function classifyGraphFailure(failure: HttpFailure, mailbox: string, tokenUser?: string | null): SendError {
  const error = (failure.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code = error?.code;
  const message = error?.message ?? (failure.text.slice(0, 200) || `HTTP ${failure.status}`);
  const reply = `${failure.status}${code ? ` ${code}` : ''}: ${message}`;
  const refuse = (reason: ConstructorParameters<typeof SendError>[2]['reason'], codeOfError: 'AUTH_FAILED' | 'SEND_REFUSED', text: string, advice: string) =>
    new SendError(codeOfError, `${text}: ${reply}`, { reason, reply, providerCode: code ?? String(failure.status), advice });

  if (failure.status === 401) {
    return refuse(
      'AUTH_REJECTED',
      'AUTH_FAILED',
      'Microsoft Graph refused the access token, also after renewing it',
      'The token must be issued for Microsoft Graph: its scope must name https://graph.microsoft.com/Mail.Send (delegated) or https://graph.microsoft.com/.default (app-only), not outlook.office.com scopes, which are for SMTP/IMAP. Change the scope and click Generate tokens.'
    );
  }
  const otherMailbox = Boolean(tokenUser) && tokenUser!.toLowerCase() !== mailbox.toLowerCase();
  if (code === 'ErrorSendAsDenied' || /send as|on behalf/i.test(message) || (failure.status === 403 && otherMailbox)) {
    const who = tokenUser ?? 'the user who generated the token';
    return refuse(
      'SEND_AS_DENIED',
      'SEND_REFUSED',
      `${who} may not send as ${mailbox}`,
      `Grant ${who} "Send As" (or "Send on Behalf") and access to ${mailbox} in the Exchange admin center (Recipients → Mailboxes → ${mailbox} → Delegation); the token also needs Mail.Send.Shared. Or generate the token signed in as ${mailbox} itself.`
    );
  }
  if (failure.status === 403) {
    return refuse(
      'SCOPE_MISSING',
      'AUTH_FAILED',
      `Microsoft Graph denied sending from ${mailbox}`,
      `A delegated token needs the Mail.Send permission (and Mail.Send.Shared plus mailbox rights to send from another mailbox); an app-only token needs the Mail.Send application permission with admin consent, and an application access policy may exclude ${mailbox}. Grant it in the Microsoft Entra admin center (App registrations → API permissions), then click Generate tokens.`
    );
  }
  if (failure.status === 404 || code === 'ErrorInvalidUser' || code === 'MailboxNotEnabledForRESTAPI') {
    return refuse(
      'SEND_AS_DENIED',
      'SEND_REFUSED',
      `Microsoft Graph knows no mailbox ${mailbox}`,
      `Check the from address: it must be a mailbox (user or shared) of the tenant with an Exchange Online licence.`
    );
  }
  if (code === 'ErrorInvalidRecipients') {
    return refuse('RECIPIENT_REJECTED', 'SEND_REFUSED', 'Microsoft Graph refused the recipients', 'Check the recipient addresses.');
  }
  if (failure.status === 413 || code === 'ErrorMessageSizeExceeded') {
    return refuse('MESSAGE_REJECTED', 'SEND_REFUSED', 'The message is too large for Microsoft Graph', 'sendMail takes at most 4 MB per request; send large files as links.');
  }
  return genericHttpFailure('Microsoft Graph', failure, code, message);
}
