import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';

const VERSION = 'ma1';
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

/**
 * Secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the plugin's
 * `encryptionKey` or Strapi's `admin.secrets.encryptionKey`. The field a value belongs to
 * is bound in as associated data, so a ciphertext copied into another field or row type
 * does not decrypt.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  // A KeyObject, made once: from a Buffer, every cipher would import the key again.
  let cached: { raw: string; key: KeyObject } | undefined;
  const ivs = new IvSource();

  const rawKey = (): string | undefined =>
    strapi.config.get<string | undefined>(`plugin::${PLUGIN_ID}.encryptionKey`) ||
    strapi.config.get<string | undefined>('admin.secrets.encryptionKey') ||
    undefined;

  const key = (): KeyObject => {
    const raw = rawKey();
    if (!raw) {
      throw new MailAuthError('ENCRYPTION_KEY_MISSING', 'No encryption key is configured: secrets cannot be stored.', {
        advice:
          "Set admin.secrets.encryptionKey in config/admin.ts (for example env('ENCRYPTION_KEY') with a long random value), or the plugin's own encryptionKey in config/plugins.ts, then restart Strapi.",
      });
    }
    if (cached?.raw !== raw) {
      cached = { raw, key: createSecretKey(Buffer.from(hkdfSync('sha256', raw, 'strapi-plugin-mail-auth', 'secrets-at-rest-v1', 32))) };
    }
    return cached.key;
  };

  return {
    isConfigured(): boolean {
      return Boolean(rawKey());
    },

    encrypt(plain: string, field: string): string {
      const iv = ivs.next();
      const cipher = createCipheriv('aes-256-gcm', key(), iv);
      cipher.setAAD(Buffer.from(field));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
    },

    decrypt(stored: string, field: string): string {
      const [version, iv, data, tag] = stored.split(':');
      if (version !== VERSION || !iv || data === undefined || !tag) {
        throw new MailAuthError('DECRYPTION_FAILED', `The stored ${field} is not in a known encrypted format.`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(field));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new MailAuthError('DECRYPTION_FAILED', `The stored ${field} cannot be decrypted.`, {
          advice: 'The encryption key changed since it was stored: restore the previous key, or enter the secret again.',
          cause,
        });
      }
    },

    /** encrypt() for optional values: null and undefined pass through. */
    seal(plain: string | null | undefined, field: string): string | null | undefined {
      return plain == null ? plain : this.encrypt(plain, field);
    },

    open(stored: string | null | undefined, field: string): string | undefined {
      return stored ? this.decrypt(stored, field) : undefined;
    },
  };
};
