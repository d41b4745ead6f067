import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { chunks, dedupeKey, imapKey, keyId, sourceIdentity, uidSet } from '../../server/src/inbound/keys';

describe('message keys', () => {
  test('uidSet compacts sorted and unsorted UIDs into ranges', () => {
    assert.equal(uidSet([1, 2, 3, 7, 9, 10]), '1:3,7,9:10');
    assert.equal(uidSet([5, 3, 4]), '3:5');
    assert.equal(uidSet([42]), '42');
  });

  test('a key names its id only for its own identity and protocol', () => {
    const id = sourceIdentity({ protocol: 'imap', host: 'Mail.Example.test', port: 993, login: 'A', folder: 'INBOX' });
    assert.equal(id, sourceIdentity({ protocol: 'imap', host: 'mail.example.test', port: 993, login: 'a', folder: 'INBOX' }), 'host and login are case-insensitive');
    assert.notEqual(id, sourceIdentity({ protocol: 'imap', host: 'mail.example.test', port: 993, login: 'a', folder: 'Support' }), 'the folder counts');
    const key = imapKey(id, '1700000000', 17);
    assert.equal(keyId(key, 'imap', id), '1700000000:17');
    assert.equal(keyId(key, 'pop3', id), undefined);
    assert.equal(keyId(key, 'imap', 'other'), undefined);
  });

  test('dedupe keys fit an index: long keys are hashed, short ones stay readable', () => {
    assert.equal(dedupeKey(3, 'pop3:abc:0001'), '3:pop3:abc:0001');
    const long = dedupeKey(3, `graph:abc:${'A'.repeat(300)}`);
    assert.ok(long.length <= 191);
    assert.match(long, /^3:h:/);
    assert.notEqual(long, dedupeKey(3, `graph:abc:${'A'.repeat(299)}B`));
  });

  test('chunks', () => {
    assert.deepEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunks([], 3), []);
  });
});
