/**
 * What an account's settings let the plugin see coming, before anything fails: the things
 * other helpdesks leave an administrator to find out from a refused login weeks later. Pure:
 * the account services add these to the account as the API shows it, and Test & confirm
 * repeats them beside its steps.
 */

import { secretExpiry, tokenSecretFacts } from './secret-expiry';

export type AccountWarningCode = 'MICROSOFT_BASIC_AUTH' | 'GRANTOR_NOT_MAILBOX' | 'CLIENT_SECRET_EXPIRING';

export interface AccountWarning {
  code: AccountWarningCode;
  /** The field the warning is about, for the form to show it there. */
  field: string;
  message: string;
  advice: string;
}

/** What the checks need to know of an account, inbound or outbound. */
export interface WarningFacts {
  direction: 'inbound' | 'outbound';
  host: string | null;
  /** `password` or `oauth2` (an outbound account without authentication: null). */
  authentication: string | null;
  /** The mailbox the account serves: an inbound account's mailbox or login, an outbound one's from address. */
  mailbox: string | null;
  /** The account says it serves a mailbox that is not the signed-in user's (a shared mailbox, Send As). */
  sharedMailbox: boolean;
  /** Who granted the account's OAuth2 token, when it uses one that has been authorized. */
  grantedBy: string | null;
  /** Its token's template, when it uses one. */
  tokenTemplate: string | null;
  /** Its token's client secret expiry date (YYYY-MM-DD) as entered, with what the warning needs. */
  tokenSecret?: { name: string; clientId: string; expiresOn: string | null; today: string; warningDays: number } | null;
}

/** What the checks need to know of an account's OAuth2 token (none: the account uses none). */
export const tokenWarningFacts = (
  token: { name: string; template: string; grantedBy?: string | null; clientId?: string | null; clientSecretExpiresOn?: string | Date | null } | null | undefined,
  warningDays: number
): Pick<WarningFacts, 'grantedBy' | 'tokenTemplate' | 'tokenSecret'> => ({
  grantedBy: token?.grantedBy ?? null,
  tokenTemplate: token?.template ?? null,
  tokenSecret: tokenSecretFacts(token, warningDays),
});

/** Microsoft's mail hosts, where Basic authentication is off (IMAP, POP) or being retired (SMTP AUTH). */
const MICROSOFT_HOSTS = /(^|\.)(office365\.com|outlook\.com|office\.com)$/i;

export const isMicrosoftMailHost = (host: string | null | undefined) => Boolean(host && MICROSOFT_HOSTS.test(host.trim().replace(/\.$/, '')));

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function accountWarnings(facts: WarningFacts): AccountWarning[] {
  const warnings: AccountWarning[] = [];

  if (facts.authentication === 'password' && isMicrosoftMailHost(facts.host)) {
    warnings.push({
      code: 'MICROSOFT_BASIC_AUTH',
      field: 'authentication',
      message:
        facts.direction === 'inbound'
          ? `${facts.host} is Microsoft 365 / Outlook.com, where password (Basic) authentication for IMAP and POP3 is switched off.`
          : `${facts.host} is Microsoft 365 / Outlook.com, where password (Basic) authentication for SMTP AUTH is being retired.`,
      advice:
        'Use the "Microsoft 365 (OAuth 2.0)" preset with an OAuth2 token of the Microsoft template instead: the login then keeps working when Microsoft switches Basic authentication off for good.',
    });
  }

  // Only an email address can be compared: some providers name the grantor by a subject id.
  const grantor = facts.grantedBy?.includes('@') ? facts.grantedBy : null;
  if (facts.authentication === 'oauth2' && grantor && facts.mailbox && !facts.sharedMailbox && !sameAddress(grantor, facts.mailbox)) {
    const microsoft = Boolean(facts.tokenTemplate?.startsWith('microsoft')) || isMicrosoftMailHost(facts.host);
    const rights =
      facts.direction === 'inbound'
        ? microsoft
          ? `give ${grantor} Full Access to ${facts.mailbox} (Exchange: Add-MailboxPermission -Identity ${facts.mailbox} -User ${grantor} -AccessRights FullAccess) and enter ${facts.mailbox} as the shared mailbox`
          : `make sure ${grantor} may open ${facts.mailbox} and enter it as the shared mailbox`
        : microsoft
          ? `give ${grantor} "Send As" on ${facts.mailbox} (Exchange: Add-RecipientPermission -Identity ${facts.mailbox} -Trustee ${grantor} -AccessRights SendAs) and tick "shared mailbox"`
          : `make sure ${grantor} may send as ${facts.mailbox} and tick "shared mailbox"`;
    warnings.push({
      code: 'GRANTOR_NOT_MAILBOX',
      field: 'oauthToken',
      message: `The token was granted by ${grantor}, but this account ${facts.direction === 'inbound' ? 'reads' : 'sends as'} ${facts.mailbox}.`,
      advice: `Either generate the token signed in as ${facts.mailbox}, or ${rights}.`,
    });
  }

  const secret = facts.tokenSecret;
  const expiry = facts.authentication === 'oauth2' && secret?.expiresOn && facts.tokenTemplate
    ? secretExpiry({ name: secret.name, template: facts.tokenTemplate, clientId: secret.clientId }, secret.expiresOn, secret.today, secret.warningDays)
    : undefined;
  if (expiry) warnings.push({ code: 'CLIENT_SECRET_EXPIRING', field: 'oauthToken', message: expiry.message, advice: expiry.advice });

  return warnings;
}
