/**
 * A client secret's expiry date, as the admin entered it, and what to say about it: one
 * wording for the banner (services/notifications.ts) and for the accounts that use the token
 * (account-warnings.ts). Pure; dates are YYYY-MM-DD in UTC.
 */

import { dateOnly } from '../db/date-only';

const DAY = 86_400_000;

const today = () => new Date().toISOString().slice(0, 10);

export interface SecretExpiry {
  expired: boolean;
  /** Days from today to the date (negative once past). */
  days: number;
  message: string;
  advice: string;
}

/** Where a secret given by Microsoft, Google or another provider is made anew. */
export const newSecretAdvice = (template: string, clientId: string) =>
  template.startsWith('microsoft')
    ? `Create a new client secret in the Microsoft Entra admin center (App registrations → the app with Application (client) ID ${clientId} → Certificates & secrets → New client secret), then enter its Value and its expiry date in the token.`
    : template === 'google'
      ? `Create a new client secret in the Google Cloud console (APIs & Services → Credentials → the OAuth client ${clientId}), then enter it and its expiry date in the token.`
      : `Create a new client secret for client ${clientId} at the provider, then enter it and its expiry date in the token.`;

/** What to say of a secret expiring on `on`, seen `today`; undefined while it is further off than `warningDays`. */
export function secretExpiry(
  token: { name: string; template: string; clientId: string },
  on: string,
  today: string,
  warningDays: number
): SecretExpiry | undefined {
  const days = Math.round((Date.parse(on) - Date.parse(today)) / DAY);
  if (days > warningDays) return undefined;
  const expired = days <= 0;
  return {
    expired,
    days,
    message: expired
      ? `The client secret of OAuth2 token "${token.name}" expired on ${on}: the provider refuses its refreshes.`
      : `The client secret of OAuth2 token "${token.name}" expires on ${on}, in ${days} day${days === 1 ? '' : 's'}.`,
    advice: newSecretAdvice(token.template, token.clientId),
  };
}

/** What an account's warnings need of its token's secret (account-warnings.ts `tokenSecret`). */
export const tokenSecretFacts = (
  token: { name: string; clientId?: string | null; clientSecretExpiresOn?: string | Date | null } | null | undefined,
  warningDays: number
) =>
  token?.clientSecretExpiresOn
    ? {
        name: token.name,
        clientId: token.clientId ?? '',
        expiresOn: dateOnly(token.clientSecretExpiresOn),
        today: today(),
        warningDays,
      }
    : null;
