import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { MailAuthError } from '../errors';
import { AUTHORIZATION_UID, INBOUND_ACCOUNT_UID, OUTBOUND_ACCOUNT_UID, TOKEN_UID } from '../shared/content-type-uids';
import { INBOUND_PASSWORD_FIELD, OUTBOUND_PASSWORD_FIELD } from '../shared/secret-fields';

/** The format written now, and the one before the key ring and row binding. */
const VERSION = 'ma2';
const LEGACY = 'ma1';
const REKEY_BATCH = 200;

/** Where the plugin stores secrets: content type, attribute and the field name bound into each value. */
const SECRET_COLUMNS = [
  {
    uid: TOKEN_UID,
    label: 'tokens',
    fields: [
      { column: 'clientSecret', field: 'oauth-token.clientSecret' },
      { column: 'accessToken', field: 'oauth-token.accessToken' },
      { column: 'refreshToken', field: 'oauth-token.refreshToken' },
    ],
  },
  { uid: INBOUND_ACCOUNT_UID, label: 'inbound accounts', fields: [{ column: 'password', field: INBOUND_PASSWORD_FIELD }] },
  { uid: OUTBOUND_ACCOUNT_UID, label: 'outbound accounts', fields: [{ column: 'password', field: OUTBOUND_PASSWORD_FIELD }] },
  { uid: AUTHORIZATION_UID, label: 'pending authorizations', fields: [{ column: 'codeVerifier', field: 'oauth-authorization.codeVerifier' }] },
] as const;
const IV_BYTES = 12;
const IVS_PER_FILL = 1024;

/**
 * A fresh random IV for each encryption, cut from random bytes drawn 1,024 IVs at a time: a
 * randomBytes() call per encryption cost as much CPU time as the cipher (the refresh job encrypts
 * an access token per token). Each IV is handed out once.
 */
class IvSource {
  private bytes = Buffer.alloc(0);
  private at = 0;

  next(): Buffer {
    if (this.at + IV_BYTES > this.bytes.length) {
      this.bytes = randomBytes(IV_BYTES * IVS_PER_FILL);
      this.at = 0;
    }
    this.at += IV_BYTES;
    return this.bytes.subarray(this.at - IV_BYTES, this.at);
  }
}

const NONE: string[] = [];

/** A key of the ring: the raw value as configured, its id (in each ciphertext), the AES key. */
interface RingKey {
  id: string;
  key: KeyObject;
}

const derive = (raw: string): KeyObject => createSecretKey(Buffer.from(hkdfSync('sha256', raw, 'strapi-plugin-mail-auth', 'secrets-at-rest-v1', 32)));
/** A key's id: not secret, 8 characters of a hash of the derived key (never of the raw value). */
const keyId = (key: KeyObject) => createHash('sha256').update(key.export()).update('key-id').digest('base64url').slice(0, 8);

/** The parts of a stored value: `ma2.<key id>.<row>:<iv>:<data>:<tag>`, or the older `ma1:<iv>:<data>:<tag>`. */
interface Sealed {
  version: 'ma1' | 'ma2';
  keyId?: string;
  /** The documentId of the row it belongs to (ma2 written with one). */
  row?: string;
  iv: string;
  data: string;
  tag: string;
}

function parse(stored: string): Sealed | undefined {
  const [head, iv, data, tag] = stored.split(':');
  if (!iv || data === undefined || !tag) return undefined;
  if (head === LEGACY) return { version: 'ma1', iv, data, tag };
  const [version, kid, row] = head.split('.');
  if (version !== VERSION || !kid) return undefined;
  return { version: 'ma2', keyId: kid, row: row || undefined, iv, data, tag };
}

/** Associated data: the field always, the row when the value is bound to one (ma1: the field only). */
const aad = (field: string, row?: string) => Buffer.from(row ? `${field}\u0000${row}` : field);

/**
 * Secrets at rest: AES-256-GCM with keys derived (HKDF-SHA256) from the plugin's
 * `encryptionKey` (or Strapi's `admin.secrets.encryptionKey`) and `previousEncryptionKeys`.
 *
 * - A key ring: every value says which key sealed it (its id in the prefix); values are always
 *   written with the current key, and those of a previous key stay readable until they are
 *   written again or `strapi-mail-auth rekey` rewrites them all. Changing the key is: put the old
 *   one into previousEncryptionKeys, set the new one, run rekey, then drop the old one.
 * - Associated data binds the field and the row (its documentId, which is in the prefix too):
 *   a value copied into another field or another row does not decrypt there.
 * - Values written before the ring (`ma1`, field only) still decrypt, with any key of the ring.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Keys made once per configuration: from a Buffer, every cipher would import the key again.
  // Known again by the identity of the configured values (every value sealed or opened asks).
  let cached: { raw: string; previous: string[]; ring: RingKey[] } | undefined;
  const ivs = new IvSource();

  const rawKey = (): string | undefined =>
    pluginConfig(strapi, 'encryptionKey') ||
    strapi.config.get<string | undefined>('admin.secrets.encryptionKey') ||
    undefined;

  /** The current key first, then the previous ones. */
  const ring = (): RingKey[] => {
    const raw = rawKey();
    if (!raw) {
      throw new MailAuthError('ENCRYPTION_KEY_MISSING', 'No encryption key is configured: secrets cannot be stored.', {
        advice:
          "Set admin.secrets.encryptionKey in config/admin.ts (for example env('ENCRYPTION_KEY') with a long random value), or the plugin's own encryptionKey in config/plugins.ts, then restart Strapi.",
      });
    }
    const previous = pluginConfig(strapi, 'previousEncryptionKeys') ?? NONE;
    if (cached?.raw !== raw || cached.previous !== previous) {
      const keys = [raw, ...previous.filter((p) => p && p !== raw)].map((r) => {
        const key = derive(r);
        return { id: keyId(key), key };
      });
      cached = { raw, previous, ring: keys };
    }
    return cached.ring;
  };

  const failed = (field: string, message: string, advice?: string, cause?: unknown) =>
    new MailAuthError('DECRYPTION_FAILED', `The stored ${field} ${message}`, { advice, cause });

  const open = (key: KeyObject, sealed: Sealed, field: string): string => {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(aad(field, sealed.row));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8');
  };

  return {
    isConfigured(): boolean {
      return Boolean(rawKey());
    },

    /** The id of the key values are written with now. */
    currentKeyId(): string {
      return ring()[0].id;
    },

    /**
     * Seals `plain` for `field` of the row whose documentId is `row`. Every write of the plugin
     * names the row; without one (a test writing a fixture) the value is bound to the field only.
     */
    encrypt(plain: string, field: string, row?: string | null): string {
      const [current] = ring();
      if (row && /[.:]/.test(row)) throw new Error(`[mail-auth] a documentId has no "." or ":": ${row}`);
      const iv = ivs.next();
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(aad(field, row ?? undefined));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [`${VERSION}.${current.id}.${row ?? ''}`, iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
    },

    /**
     * Opens a value of `field`; with `row` (the documentId of the row it was read from), a value
     * that belongs to another row is refused even though it would decrypt.
     */
    decrypt(stored: string, field: string, row?: string | null): string {
      const sealed = parse(stored);
      if (!sealed) throw failed(field, 'is not in a known encrypted format.');
      if (row && sealed.row && sealed.row !== row) {
        throw failed(field, 'belongs to another entry: it was copied here.', 'Enter the secret again.');
      }
      const keys = ring();
      const candidates = sealed.version === 'ma1' ? keys : keys.filter((k) => k.id === sealed.keyId);
      if (!candidates.length) {
        throw failed(field, `was encrypted with a key that is not configured (key id ${sealed.keyId}).`, 'Add the key it was written with to the plugin option previousEncryptionKeys (or restore it as encryptionKey), or enter the secret again.');
      }
      let last: unknown;
      for (const { key } of candidates) {
        try {
          return open(key, sealed, field);
        } catch (cause) {
          last = cause;
        }
      }
      throw failed(field, 'cannot be decrypted: it was changed, or belongs to another field.', 'Enter the secret again; if the encryption key changed, add the old one to previousEncryptionKeys.', last);
    },

    /** Whether a stored value is written as values are written now (this format, the current key). */
    isCurrent(stored: string, row?: string | null): boolean {
      const sealed = parse(stored);
      return Boolean(sealed && sealed.version === VERSION && sealed.keyId === ring()[0].id && (!row || sealed.row === row));
    },

    /** encrypt() for optional values: null and undefined pass through. */
    seal(plain: string | null | undefined, field: string, row?: string | null): string | null | undefined {
      return plain == null ? plain : this.encrypt(plain, field, row);
    },

    open(stored: string | null | undefined, field: string, row?: string | null): string | undefined {
      return stored ? this.decrypt(stored, field, row) : undefined;
    },

    /**
     * Rewrites every stored secret that is not current (an older format, a previous key, or not
     * yet bound to its row) with the current key, bound to its row. For `strapi-mail-auth rekey`
     * after a key change; idempotent. Returns how many values each table had and rewrote.
     */
    async rekey(): Promise<Record<string, { values: number; rewritten: number }>> {
      const report: Record<string, { values: number; rewritten: number }> = {};
      for (const { uid, fields, label } of SECRET_COLUMNS) {
        const query = strapi.db.query(uid as `plugin::${string}.${string}`);
        const counts = { values: 0, rewritten: 0 };
        for (let offset = 0; ; offset += REKEY_BATCH) {
          const rows = (await query.findMany({ select: ['id', 'documentId', ...fields.map((f) => f.column)], orderBy: { id: 'asc' }, offset, limit: REKEY_BATCH })) as Array<Record<string, string | null> & { id: number; documentId: string }>;
          for (const row of rows) {
            const data: Record<string, string> = {};
            const was: Record<string, string> = {};
            for (const { column, field } of fields) {
              const stored = row[column];
              if (!stored) continue;
              counts.values++;
              if (this.isCurrent(stored, row.documentId)) continue;
              data[column] = this.encrypt(this.decrypt(stored, field, row.documentId), field, row.documentId);
              was[column] = stored;
            }
            if (!Object.keys(data).length) continue;
            // Only if the values are still those read: a refresh that stored a new token meanwhile
            // wrote it with the current key already, and is not overwritten with the old one.
            const { count } = await query.updateMany({ where: { id: row.id, ...was }, data });
            if (count) counts.rewritten += Object.keys(data).length;
          }
          if (rows.length < REKEY_BATCH) break;
        }
        report[label] = counts;
      }
      return report;
    },
  };
};
