import assert from 'node:assert/strict';
import { test } from 'node:test';

import config from '../../server/src/config';

const validate = (options: Record<string, unknown>) => config.validator({ ...config.default, ...options });

test('leaseSeconds must exceed twice httpTimeout: the error names the field and the least value', () => {
  assert.doesNotThrow(() => validate({}), 'the defaults fit together');
  assert.doesNotThrow(() => validate({ leaseSeconds: 5, httpTimeout: 2 }));
  assert.throws(() => validate({ leaseSeconds: 5, httpTimeout: 300 }), /leaseSeconds: must be more than twice httpTimeout \(300 s\), at least 601/);
  assert.throws(() => validate({ leaseSeconds: 60, httpTimeout: 30 }), /leaseSeconds: .*at least 61/, 'equal to twice is not enough');
  assert.ok(config.default.leaseSeconds > 2 * config.default.httpTimeout);
});
