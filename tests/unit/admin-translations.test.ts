import assert from 'node:assert/strict';
import { test } from 'node:test';

// The same check as `node scripts/admin-translations.mjs`.
test('every string of the admin panel is in translations/en.json, with the text the code shows', async () => {
  const { check } = await import('../../scripts/admin-translations.mjs');
  const { problems, count } = check();
  assert.ok(count > 100, `found ${count} messages: the scan sees the admin's files`);
  assert.deepEqual(problems, []);
});
