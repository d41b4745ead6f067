import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseAddress, toAsciiDomain } from '../../server/src/discovery/address';
import { discoverInputSchema } from '../../server/src/validation/discover-input';
import { toFieldErrors } from '../../server/src/validation/format-issues';

test('an address splits at its last @, the domain in ASCII and lower case, for display in Unicode', () => {
  assert.deepEqual(parseAddress('Alice@Example.COM'), { address: 'Alice@example.com', local: 'Alice', domain: 'example.com', displayDomain: 'example.com' });
  assert.deepEqual(parseAddress('"a@b"@bücher.example'), {
    address: '"a@b"@xn--bcher-kva.example',
    local: '"a@b"',
    domain: 'xn--bcher-kva.example',
    displayDomain: 'bücher.example',
  });
  assert.equal(toAsciiDomain('例え.テスト'), 'xn--r8jz45g.xn--zckzah');
  assert.equal(toAsciiDomain('xn--bcher-kva.example'), 'xn--bcher-kva.example', 'punycode stays as it is');
  assert.equal(toAsciiDomain('example.com.'), 'example.com', 'a trailing dot is dropped');
});

test('what is not a domain to discover: one label, an IP address, bad labels, too long', () => {
  for (const bad of ['localhost', '192.0.2.1', '[192.0.2.1]', 'exa mple.com', '-bad.example', 'bad-.example', 'a..b', `${'a'.repeat(64)}.example`, `${'abc.'.repeat(64)}com`, 'evil.com/x', 'x.com#y']) {
    assert.equal(toAsciiDomain(bad), '', bad);
  }
});

test('each bad input names the address field and says what is expected', () => {
  const problems = (body: unknown) => {
    const r = discoverInputSchema.safeParse(body);
    assert.equal(r.success, false, JSON.stringify(body));
    return toFieldErrors(r.error!);
  };
  assert.deepEqual(problems({ address: 'alice.example.com' }), [{ path: ['address'], message: 'must be an e-mail address (name@domain), there is no @' }]);
  assert.deepEqual(problems({ address: 'alice@' }), [{ path: ['address'], message: 'must have a domain after the @, it is empty' }]);
  assert.deepEqual(problems({ address: '@example.com' }), [{ path: ['address'], message: 'must have a name before the @' }]);
  assert.deepEqual(problems({ address: 'x'.repeat(10_240) }), [{ path: ['address'], message: 'must be at most 320 characters (an e-mail address)' }]);
  assert.deepEqual(problems({}), [{ path: ['address'], message: 'is required' }]);
  assert.deepEqual(problems({ address: 42 }), [{ path: ['address'], message: 'must be a string (an e-mail address)' }]);
  assert.deepEqual(problems({ address: 'a@example.com', extra: 1 }), [{ path: ['extra'], message: 'is not a known field' }]);
  assert.match(problems({ address: 'a@192.0.2.1' })[0].message, /must have a valid domain name after the @/);
  assert.equal(discoverInputSchema.parse({ address: '  bob@Example.org ' }).address.address, 'bob@example.org', 'trimmed');
});
