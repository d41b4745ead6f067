import { endpointOf, type AccountRow, type RestBases } from '../inbound/create-source';
import type { FieldError } from '../errors';

/**
 * Secrets are bound to where they are sent. Whoever may update an entry must not be able to
 * send its stored secrets somewhere else by changing only where it points: a token's client
 * secret and refresh token go to its token endpoint (or the one found at its issuer); an
 * account's password goes to its host and port, in its security mode. A change of any of these
 * needs the secret again in the same request (the admin API) or clears it (an import; the
 * entry is then marked as needing configuration), and a token's grant is dropped either way:
 * it was issued by the old server.
 */

export interface DestinationChange {
  field: string;
  from: unknown;
  to: unknown;
}

const norm = (v: unknown) => (v === undefined || v === '' ? null : v);

function changes(fields: readonly string[], stored: Record<string, unknown>, next: Record<string, unknown>): DestinationChange[] {
  return fields
    .filter((f) => norm(next[f]) !== norm(stored[f]))
    .map((field) => ({ field, from: norm(stored[field]), to: norm(next[field]) }));
}

/**
 * Where a token's secrets go: its issuer and endpoints. Not the tenant of a Microsoft template:
 * its endpoints stay at login.microsoftonline.com whatever the tenant, and Microsoft shows no
 * tenant the secrets sent to it.
 */
export const TOKEN_DESTINATION_FIELDS = ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const;

export function tokenDestinationChanges(stored: object, next: object): DestinationChange[] {
  return changes(TOKEN_DESTINATION_FIELDS, stored as Record<string, unknown>, next as Record<string, unknown>);
}

/** Where an inbound account's password goes: its type (protocol and security mode) and the host and port in effect. */
export function inboundDestinationChanges(stored: Pick<AccountRow, 'type' | 'host' | 'port'>, next: Pick<AccountRow, 'type' | 'host' | 'port'>, bases?: RestBases): DestinationChange[] {
  const effective = (row: Pick<AccountRow, 'type' | 'host' | 'port'>) => ({ type: row.type, ...endpointOf(row, bases) });
  return changes(['type', 'host', 'port'], effective(stored), effective(next));
}

/** Where an outbound account's password goes: its type, host, port and security mode. */
export const OUTBOUND_DESTINATION_FIELDS = ['type', 'host', 'port', 'security'] as const;

export function outboundDestinationChanges(stored: object, next: object): DestinationChange[] {
  return changes(OUTBOUND_DESTINATION_FIELDS, stored as Record<string, unknown>, next as Record<string, unknown>);
}

/** What the change was, for messages: "host (imap.example.com → other.example)". */
export const describeChanges = (list: DestinationChange[]) =>
  list.map((c) => `${c.field} (${c.from ?? 'unset'} → ${c.to ?? 'unset'})`).join(', ');

/** How the secret is given again, by where the change came from. */
const REMEDY = {
  api: 'enter it again, or set it to null to remove it',
  import: 'the stored one was cleared: put it in the file, or enter it in the form',
} as const;

/** The field error of a change of destination that does not give the secret again. */
export function secretRequiredAgain(secretField: string, list: DestinationChange[], via: keyof typeof REMEDY = 'api'): FieldError {
  return {
    path: [secretField],
    message: `is needed again: ${describeChanges(list)} changes, and a stored secret is never sent to a new destination; ${REMEDY[via]}`,
  };
}
