import { MailAuthError } from '../errors';
import type { Protocol, Security } from './account-types';

/** What the advice needs to know about the account that failed. */
export interface FailureContext {
  protocol: Protocol;
  security: Security;
  host: string;
  port: number;
  login: string;
  mailbox?: string;
  folder: string;
  /** Set when the account authenticates with an OAuth2 token. */
  token?: { name: string; template: string; grantType: 'authorization_code' | 'client_credentials' };
}

const isMicrosoft = (c: FailureContext) => c.token?.template.startsWith('microsoft') || /office365\.com|outlook\.com|microsoft\.com$/i.test(c.host);
const isGoogle = (c: FailureContext) => c.token?.template === 'google' || /gmail\.com|google(apis)?\.com$/i.test(c.host);
const sharedMailbox = (c: FailureContext) => Boolean(c.mailbox && c.mailbox.toLowerCase() !== c.login.toLowerCase());

const TLS_PORT: Partial<Record<Protocol, number>> = { imap: 993, pop3: 995 };
const PLAIN_PORT: Partial<Record<Protocol, number>> = { imap: 143, pop3: 110 };
const NAME: Record<Protocol, string> = { imap: 'IMAP', pop3: 'POP3', graph: 'Microsoft Graph', gmail: 'the Gmail API' };

/** A wrong port or a TLS mode that does not match the port. */
export function tlsMismatch(c: FailureContext, detail: string): MailAuthError {
  const proto = NAME[c.protocol];
  const advice =
    c.security === 'tls'
      ? `Port ${c.port} answers in plain text, not TLS. Use the ${proto} TLS port (${TLS_PORT[c.protocol]}) with the TLS type, or keep port ${c.port} and choose the STARTTLS type (or plain text on a trusted network).`
      : `Port ${c.port} expects TLS from the first byte (the server sent no plain-text greeting). Choose the TLS type (${c.protocol.toUpperCase()}S) for this port, or use the plain/STARTTLS port ${PLAIN_PORT[c.protocol]}.`;
  return new MailAuthError('TLS_MISMATCH', `${proto} at ${c.host}:${c.port}: ${detail}`, { advice });
}

export function certificateUntrusted(c: FailureContext, detail: string): MailAuthError {
  return new MailAuthError('CERT_UNTRUSTED', `The certificate of ${c.host}:${c.port} is not trusted: ${detail}`, {
    advice:
      'The server presented a certificate Node.js does not trust (self-signed, from a private CA, expired, or issued for another host name). Use the host name the certificate is issued for; paste the private CA\'s certificate (PEM) into the account\'s trusted certificate (or set NODE_EXTRA_CA_CERTS for the whole process); or, on a network you trust, switch certificate validation off for this account.',
  });
}

export function connectionFailed(c: FailureContext, detail: string, code: string | undefined): MailAuthError {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MailAuthError('CONNECTION_FAILED', `Host ${c.host} not found (${code})`, { advice: 'Check the host name: the DNS does not know it.' });
  }
  if (code === 'ECONNREFUSED') {
    const ports = TLS_PORT[c.protocol] ? ` (${NAME[c.protocol]}: ${PLAIN_PORT[c.protocol]} for plain/STARTTLS, ${TLS_PORT[c.protocol]} for TLS)` : '';
    return new MailAuthError('CONNECTION_FAILED', `Nothing accepts connections at ${c.host}:${c.port}`, {
      advice: `Check the host and the port${ports}, and that a firewall lets Strapi reach it.`,
    });
  }
  return new MailAuthError('CONNECTION_FAILED', `Connection to ${c.host}:${c.port} failed: ${detail}`, {
    advice: 'The connection broke. If it happens again, check the network between Strapi and the server; a wrong port or TLS mode can also cause it.',
  });
}

export function timedOut(c: FailureContext, what: string): MailAuthError {
  const plainOnTlsPort = c.security !== 'tls' && c.port === TLS_PORT[c.protocol];
  return new MailAuthError('TIMEOUT', `No answer from ${c.host}:${c.port} while ${what}`, {
    advice: plainOnTlsPort
      ? `Port ${c.port} is the TLS port: choose the TLS type (${c.protocol.toUpperCase()}S) for it.`
      : 'The server did not answer in time. Check the host, the port and the TLS mode (a TLS port waits silently for a plain-text client), and the firewall.',
  });
}

/** The server refused the credentials. */
export function authFailed(c: FailureContext, serverText: string): MailAuthError {
  const proto = NAME[c.protocol];
  const said = serverText ? ` (server said: ${serverText})` : '';
  let advice: string;
  if (/not connected/i.test(serverText) && isMicrosoft(c)) {
    // What Exchange Online answers when the token is fine but the mailbox may not be opened by it.
    advice = appOnlyOrSharedAdvice(c);
  } else if (/not enabled for (imap|pop)/i.test(serverText)) {
    advice = isGoogle(c)
      ? `${proto} access is switched off for this Gmail account: enable it in Gmail settings → Forwarding and POP/IMAP (or in the Google Workspace admin console).`
      : `${proto} is switched off for the mailbox: enable it (Exchange Online: Set-CASMailbox -Identity ${c.mailbox || c.login} -${c.protocol === 'pop3' ? 'PopEnabled' : 'ImapEnabled'} $true).`;
  } else if (!c.token) {
    advice = `The server refused the user name or password for "${c.login}". Check both.${
      isMicrosoft(c) || isGoogle(c)
        ? ' Microsoft 365 and Gmail no longer accept passwords for IMAP/POP3: use OAuth 2.0 (create an OAuth2 token from the Microsoft or Google template and select it).'
        : ''
    }`;
  } else if (isMicrosoft(c)) {
    advice = [
      `Exchange Online refused the token of "${c.token.name}" for ${c.mailbox || c.login}.`,
      sharedMailbox(c) || c.token.grantType === 'client_credentials' ? appOnlyOrSharedAdvice(c) : `Log in with the address of the user who generated the token (or set the mailbox address for a shared mailbox).`,
      `Check that ${proto} is enabled for the mailbox (Set-CASMailbox -${c.protocol === 'pop3' ? 'PopEnabled' : 'ImapEnabled'} $true) and that the token's scope includes ${
        c.token.grantType === 'client_credentials' ? 'https://outlook.office365.com/.default' : `https://outlook.office.com/${c.protocol === 'pop3' ? 'POP' : 'IMAP'}.AccessAsUser.All`
      }.`,
    ].join(' ');
  } else if (isGoogle(c)) {
    advice = `Gmail refused the token of "${c.token.name}" for ${c.mailbox || c.login}. Log in with the address of the Google account that generated the token, and make sure the token's scope is https://mail.google.com/ (Generate tokens again after changing it).`;
  } else {
    advice = `The server refused the token of "${c.token.name}" for "${c.mailbox || c.login}". The login must be the user the token was granted to (or a mailbox that user may open), and the token's scope must allow mail access.`;
  }
  return new MailAuthError('AUTH_FAILED', `${proto} authentication failed for ${c.mailbox || c.login}${said}`, { advice });
}

function appOnlyOrSharedAdvice(c: FailureContext): string {
  const mailbox = c.mailbox || c.login;
  if (c.token?.grantType === 'client_credentials') {
    return `App-only access: register the app's service principal in Exchange Online (New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>) and give it the mailbox: Add-MailboxPermission -Identity "${mailbox}" -User <service principal id> -AccessRights FullAccess. Log in with the mailbox address.`;
  }
  return `Shared mailbox: the user who generated the token needs Full Access to it (Add-MailboxPermission -Identity "${mailbox}" -User <that user> -AccessRights FullAccess); enter the shared mailbox's address as the mailbox and the token user's address as the login.`;
}

export function folderMissing(c: FailureContext, folder: string, available?: string[]): MailAuthError {
  const list = available?.length ? ` Folders on the server: ${available.slice(0, 30).join(', ')}${available.length > 30 ? ', …' : ''}.` : '';
  return new MailAuthError('FOLDER_MISSING', `Folder "${folder}" does not exist in ${c.mailbox || c.login}`, {
    advice: `Enter the name of an existing folder (case and hierarchy separator as the server shows them), or create "${folder}" on the server.${list}`,
  });
}

export function mailboxAccessDenied(c: FailureContext, serverText: string): MailAuthError {
  const mailbox = c.mailbox || c.login;
  let advice: string;
  if (c.protocol === 'graph') {
    advice =
      c.token?.grantType === 'client_credentials'
        ? `App-only access to "${mailbox}" is refused: grant the app the Mail.ReadWrite application permission (admin consent) and, if an application access policy limits it, add the mailbox to the policy's group.`
        : `The token's user may not open "${mailbox}": give that user Full Access to the mailbox (Add-MailboxPermission -Identity "${mailbox}" -User <token user> -AccessRights FullAccess) and include Mail.ReadWrite.Shared in the token's scope.`;
  } else if (c.protocol === 'gmail') {
    advice = `A Google user token opens only its own mailbox: leave the mailbox empty (or enter the address of the account that generated the token "${c.token?.name ?? ''}"). Other mailboxes need domain-wide delegation of a service account.`;
  } else {
    advice = appOnlyOrSharedAdvice(c);
  }
  return new MailAuthError('MAILBOX_ACCESS_DENIED', `Access to mailbox ${mailbox} denied${serverText ? `: ${serverText}` : ''}`, { advice });
}

export function throttled(c: FailureContext, retryAfter: number | undefined): MailAuthError {
  return new MailAuthError('THROTTLED', `${NAME[c.protocol]} throttled the account${retryAfter ? ` (Retry-After ${retryAfter} s)` : ''}`, {
    advice: 'The provider limits requests for this mailbox or app. The next poll tries again; raise the poll interval or lower the messages per poll if it keeps happening.',
  });
}

export function protocolError(c: FailureContext, detail: string): MailAuthError {
  return new MailAuthError('PROTOCOL_ERROR', `${NAME[c.protocol]} at ${c.host}:${c.port}: ${detail}`, {
    advice: 'The server answered something unexpected. Check that host and port belong to a server of this type.',
  });
}
