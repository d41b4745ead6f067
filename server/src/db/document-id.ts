import { randomBytes } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALPHABET = `${LETTERS}0123456789`;

/**
 * `documentId`s for rows written in bulk (db/bulk-insert.ts: messages, receipts, activity
 * entries): 24 characters of [a-z0-9] beginning with a letter, the shape of Strapi's own (cuid2)
 * ids, from the system's random source. Left to Strapi, each row's id costs a SHA-3 hash in JavaScript: about 0.05 ms,
 * a third of what storing a fetched message costs otherwise.
 */
export function documentIds(count: number): string[] {
  const bytes = randomBytes(count * 24);
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let id = LETTERS[bytes[i * 24] % LETTERS.length];
    for (let j = 1; j < 24; j++) id += ALPHABET[bytes[i * 24 + j] % ALPHABET.length];
    ids[i] = id;
  }
  return ids;
}
