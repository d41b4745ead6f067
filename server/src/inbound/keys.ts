import { createHash } from 'node:crypto';

/**
 * Message keys: what exactly-once is keyed on. A key names the message on its server in a
 * way that survives reconnects (IMAP UIDVALIDITY + UID, POP3 UIDL, Graph and Gmail ids),
 * prefixed with a short hash of the server, mailbox and folder, so that pointing an account
 * elsewhere never makes a new message look like one handed on before.
 */
export const sourceIdentity = (parts: { protocol: string; host: string; port: number; login: string; mailbox?: string; folder: string }) =>
  createHash('sha256')
    .update([parts.protocol, parts.host.toLowerCase(), parts.port, parts.login.toLowerCase(), (parts.mailbox ?? '').toLowerCase(), parts.folder].join('\n'))
    .digest('base64url')
    .slice(0, 12);

export const imapKey = (identity: string, uidValidity: string, uid: number) => `imap:${identity}:${uidValidity}:${uid}`;
export const pop3Key = (identity: string, uidl: string) => `pop3:${identity}:${uidl}`;
export const graphKey = (identity: string, id: string) => `graph:${identity}:${id}`;
export const gmailKey = (identity: string, id: string) => `gmail:${identity}:${id}`;

/** The server-side id a key names, when the key belongs to this identity (and protocol). */
export function keyId(key: string, protocol: string, identity: string): string | undefined {
  const prefix = `${protocol}:${identity}:`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
}

/** The unique column: account and key; long keys (Graph ids) hashed so it fits an index. */
export function dedupeKey(accountId: number, key: string): string {
  const full = `${accountId}:${key}`;
  return full.length <= 191 ? full : `${accountId}:h:${createHash('sha256').update(key).digest('base64url')}`;
}

/** Compact IMAP sequence set for sorted UIDs: 1,2,3,7 → "1:3,7". */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}:${sorted[i]}`);
  }
  return parts.join(',');
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
