import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

import secretsService from '../../server/src/services/secrets';

const KEY_A = 'first-key-0123456789-abcdefghij';
const KEY_B = 'second-key-0123456789-abcdefghi';
const FIELD = 'inbound-account.password';
const ROW = 'a1b2c3d4e5f6g7h8i9j0k1l2';
const OTHER_ROW = 'z9y8x7w6v5u4t3s2r1q0p9o8';

/** The service on a configuration of its own (the plugin's options as Strapi would hand them). */
const service = (encryptionKey: string | undefined, previousEncryptionKeys: string[] = []) =>
  secretsService({
    strapi: {
      config: {
        // as Strapi's config.get: the plugin's object, or one option by its dotted path
        get(path: string) {
          const options: Record<string, unknown> = { encryptionKey, previousEncryptionKeys };
          if (path === 'plugin::mail-auth') return options;
          return path.startsWith('plugin::mail-auth.') ? options[path.slice('plugin::mail-auth.'.length)] : undefined;
        },
      },
    } as never,
  });

/** A value as the plugin wrote it before the key ring (`ma1`, the field as associated data). */
function legacyValue(raw: string, plain: string, field: string): string {
  const key = Buffer.from(hkdfSync('sha256', raw, 'strapi-plugin-mail-auth', 'secrets-at-rest-v1', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(field));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['ma1', iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
}

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'DECRYPTION_FAILED');
    assert.match(e.message, message);
    return true;
  });

describe('secrets', () => {
  test('round trip; the key id and the row are in the prefix, the plain text nowhere', () => {
    const s = service(KEY_A);
    const sealed = s.encrypt('pässwörd 🔑', FIELD, ROW);
    assert.match(sealed, new RegExp(`^ma2\\.${s.currentKeyId()}\\.${ROW}:[\\w-]+:[\\w-]+:[\\w-]+$`));
    assert.equal(s.currentKeyId().length, 8);
    assert.ok(!sealed.includes('pässwörd') && !sealed.includes(KEY_A));
    assert.equal(s.decrypt(sealed, FIELD, ROW), 'pässwörd 🔑');
    assert.equal(s.open(null, FIELD, ROW), undefined);
    assert.equal(s.seal(null, FIELD, ROW), null);
  });

  test('IVs are unique: 20,000 values of the same text, 20,000 IVs and ciphertexts', () => {
    const s = service(KEY_A);
    const values = Array.from({ length: 20_000 }, () => s.encrypt('same', FIELD, ROW));
    const ivs = new Set(values.map((v) => v.split(':')[1]));
    assert.equal(ivs.size, values.length);
    assert.equal(new Set(values).size, values.length);
    console.log(`# secrets: ${ivs.size} unique IVs of ${values.length} encryptions`);
  });

  test('tampering with any part is refused', () => {
    const s = service(KEY_A);
    const sealed = s.encrypt('secret', FIELD, ROW);
    const parts = sealed.split(':');
    const flip = (text: string) => (text[4] === 'A' ? `${text.slice(0, 4)}B${text.slice(5)}` : `${text.slice(0, 4)}A${text.slice(5)}`);
    for (const i of [1, 2, 3]) refused(() => s.decrypt(parts.map((p, j) => (j === i ? flip(p) : p)).join(':'), FIELD, ROW), /cannot be decrypted/);
    refused(() => s.decrypt('ma2:abc', FIELD, ROW), /not in a known encrypted format/);
    refused(() => s.decrypt(sealed.replace('ma2.', 'ma9.'), FIELD, ROW), /not in a known encrypted format/);
  });

  test('another field or another row: refused, even with the row named in the prefix changed too', () => {
    const s = service(KEY_A);
    const sealed = s.encrypt('secret', FIELD, ROW);
    refused(() => s.decrypt(sealed, 'outbound-account.password', ROW), /cannot be decrypted/);
    // copied into another row: the prefix names the row it belongs to
    refused(() => s.decrypt(sealed, FIELD, OTHER_ROW), /belongs to another entry/);
    // and rewriting the prefix to the other row breaks the associated data
    refused(() => s.decrypt(sealed.replace(`.${ROW}:`, `.${OTHER_ROW}:`), FIELD, OTHER_ROW), /cannot be decrypted/);
    // a value bound to no row (a fixture) still opens; one bound to a row opens without naming it (tests read so)
    assert.equal(s.decrypt(s.encrypt('fixture', FIELD), FIELD, ROW), 'fixture');
    assert.equal(s.decrypt(sealed, FIELD), 'secret');
  });

  test('a wrong key is refused naming the key id; no key at all says how to set one', () => {
    const sealed = service(KEY_A).encrypt('secret', FIELD, ROW);
    const b = service(KEY_B);
    refused(() => b.decrypt(sealed, FIELD, ROW), new RegExp(`key that is not configured \\(key id ${service(KEY_A).currentKeyId()}\\)`));
    assert.throws(() => service(undefined).encrypt('x', FIELD, ROW), (e: Error & { code?: string }) => e.code === 'ENCRYPTION_KEY_MISSING');
    refused(() => b.decrypt(legacyValue(KEY_A, 'old', FIELD), FIELD, ROW), /cannot be decrypted/);
  });

  test('rotation: values of a previous key stay readable, new ones use the current key; old values are not current', () => {
    const a = service(KEY_A);
    const old = a.encrypt('secret', FIELD, ROW);
    const ring = service(KEY_B, [KEY_A]);
    assert.equal(ring.decrypt(old, FIELD, ROW), 'secret');
    assert.equal(ring.isCurrent(old, ROW), false);
    const rewritten = ring.encrypt(ring.decrypt(old, FIELD, ROW), FIELD, ROW);
    assert.equal(ring.isCurrent(rewritten, ROW), true);
    assert.ok(rewritten.startsWith(`ma2.${service(KEY_B).currentKeyId()}.`));
    assert.notEqual(service(KEY_B).currentKeyId(), a.currentKeyId());
    // once the old key is dropped, only rewritten values open
    refused(() => service(KEY_B).decrypt(old, FIELD, ROW), /not configured/);
    assert.equal(service(KEY_B).decrypt(rewritten, FIELD, ROW), 'secret');
  });

  test('values written before the key ring (ma1) still open, with the current or a previous key, and are not current', () => {
    const legacy = legacyValue(KEY_A, 'written long ago', FIELD);
    assert.equal(service(KEY_A).decrypt(legacy, FIELD, ROW), 'written long ago');
    assert.equal(service(KEY_B, [KEY_A]).decrypt(legacy, FIELD, ROW), 'written long ago');
    assert.equal(service(KEY_A).isCurrent(legacy, ROW), false);
    refused(() => service(KEY_A).decrypt(legacy, 'oauth-token.accessToken', ROW), /cannot be decrypted/);
  });
});
