import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { documentIds } from '../../server/src/db/document-id';
import { parseMessage } from '../../server/src/inbound/parse';
import { ParserPool } from '../../server/src/inbound/parser-pool';

const WORKER = join(__dirname, '..', '..', 'dist', 'parse-worker', 'index.js');

const message = (i: number) =>
  Buffer.from(
    [
      `From: "Customer ${i}" <c${i}@example.org>`,
      'To: support@example.test, =?utf-8?q?J=C3=BCrgen?= <j@example.test>',
      `Subject: =?utf-8?b?${Buffer.from(`Frage Nr. ${i} – Bestellung`).toString('base64')}?=`,
      `Message-ID: <m${i}@example.org>`,
      'Date: Thu, 01 Jan 2026 10:00:00 +0000',
      'X-Ticket: 42',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Hello ${i}`,
      '--b',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="a.pdf"',
      '',
      Buffer.alloc(300, i).toString('base64'),
      '--b--',
      '',
    ].join('\r\n')
  );

describe('parser pool', () => {
  test('in this thread: the same as parseMessage, in order, 40 at once', async () => {
    const pool = new ParserPool(0);
    const sources = Array.from({ length: 40 }, (_, i) => message(i));
    const got = await Promise.all(sources.map((s) => pool.parse(s)));
    const want = await Promise.all(sources.map(async (s) => (await parseMessage(s)).message));
    assert.deepEqual(got, want);
    assert.equal(got[7].subject, 'Frage Nr. 7 – Bestellung');
    await pool.close();
  });

  test('in a worker thread (the built one): the same as parseMessage, Dates and all; a broken source fails alone', { skip: !existsSync(WORKER) && 'run npm run build first' }, async () => {
    const pool = new ParserPool(1, 0, WORKER);
    assert.equal(pool.threaded, true);
    const sources = Array.from({ length: 30 }, (_, i) => message(i));
    const got = await Promise.all(sources.map((s) => pool.parse(s)));
    const want = await Promise.all(sources.map(async (s) => (await parseMessage(s)).message));
    assert.deepEqual(got, want);
    assert.ok(got[0].date instanceof Date);
    assert.equal(got[3].attachments[0].size, 300);
    await pool.close();
  });

  test('a worker file that cannot load leaves the work to this thread', async () => {
    const pool = new ParserPool(1, 0, join(__dirname, 'no-such-worker.js'));
    const got = await Promise.allSettled([message(1), message(2), message(3)].map((s) => pool.parse(s)));
    // the ones handed to the failed worker fail; the pool parses in this thread from then on
    assert.equal(pool.threaded, false);
    assert.equal((await pool.parse(message(4))).messageId, '<m4@example.org>');
    assert.ok(got.every((r) => r.status === 'rejected' || r.value.messageId));
    await pool.close();
  });

  test('documentIds: 24 characters of [a-z0-9] beginning with a letter, all different', () => {
    const ids = documentIds(5000);
    assert.equal(new Set(ids).size, 5000);
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9]{23}$/);
  });
});
