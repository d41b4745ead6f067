import assert from 'node:assert/strict';
import { test } from 'node:test';

import { reconnectDelay } from '../../server/src/inbound/idle';

test('IDLE reconnects after 1 s, 2 s, 4 s … doubling up to 5 minutes', () => {
  const middle = () => 0.5; // no jitter
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => reconnectDelay(n, middle)), [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000]);
  assert.equal(reconnectDelay(1000, middle), 300_000, 'capped, also after very many attempts');
});

test('the delay varies by ± 20 % so that accounts dropped together do not reconnect together', () => {
  assert.equal(reconnectDelay(3, () => 0), 3200);
  assert.equal(reconnectDelay(3, () => 0.999999), 4800);
  const seen = new Set(Array.from({ length: 50 }, () => reconnectDelay(2)));
  assert.ok(seen.size > 10, 'spread');
  for (const d of seen) assert.ok(d >= 1600 && d <= 2400, String(d));
});
