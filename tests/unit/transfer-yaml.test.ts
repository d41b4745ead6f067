import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_DOCUMENT_BYTES } from '../../server/src/transfer/limits';
import { parseYaml } from '../../server/src/transfer/yaml-document';

const issuesOf = (text: string) => {
  const result = parseYaml(text);
  assert.equal(result.ok, false, `expected ${JSON.stringify(text.slice(0, 60))} to be refused`);
  return (result as { issues: Array<{ message: string; line?: number; column?: number }> }).issues;
};

const valueOf = (text: string) => {
  const result = parseYaml(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.yaml.value;
};

describe('parseYaml: hostile and broken input', () => {
  test('a syntax error is reported with its line and column', () => {
    const [issue] = issuesOf('- Name: a\n  Config:\n    ClientID: [1, 2\n  Name: b\n');
    assert.equal(issue.line, 4);
    assert.ok(issue.column! >= 1);
    assert.match(issue.message, /flow sequence|indent|\]/i);
  });

  test('duplicate keys are refused where they are', () => {
    const [issue] = issuesOf('- Name: a\n  Name: b\n');
    assert.match(issue.message, /unique|duplicate/i);
    assert.equal(issue.line, 2);
  });

  test('custom and standard explicit tags are refused, named', () => {
    const custom = issuesOf('- Name: !!js/function "function () {}"\n');
    assert.match(custom[0].message, /Tags are not allowed \(!!js\/function\)/);
    const local = issuesOf('- Name: a\n  Config: !ruby/object:Gem {}\n');
    assert.match(local.map((i) => i.message).join(' '), /!ruby\/object:Gem/);
    assert.equal(local.find((i) => /Tags/.test(i.message))!.line, 2);
    assert.match(issuesOf('- Name: !!str 12\n')[0].message, /!!str/);
  });

  test('a billion-laughs alias bomb is refused before it expands', () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const [issue] = issuesOf(`- ${rows.join('\n  ')}\n`);
    assert.match(issue.message, new RegExp(`Aliases .* at most ${MAX_ALIAS_COUNT}`));
    assert.ok(Date.now() - started < 2000, 'refused quickly');
  });

  test('a few aliases are fine', () => {
    assert.deepEqual(valueOf('- &p {a: x}\n- *p\n'), [{ a: 'x' }, { a: 'x' }]);
  });

  test('deep nesting is refused without exhausting the stack', () => {
    // 10,000 levels crash a plain parseDocument() of yaml 2.9 (fatal, not catchable).
    for (const text of ['['.repeat(10_000) + ']'.repeat(10_000), '- '.repeat(10_000) + 'x\n', '{a: '.repeat(5_000) + '1' + '}'.repeat(5_000)]) {
      const [issue] = issuesOf(text);
      assert.match(issue.message, new RegExp(`nested more than ${MAX_DEPTH} levels`));
      assert.equal(issue.line, 1);
    }
    assert.ok(parseYaml('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)).ok, 'the limit itself is allowed');
  });

  test('documents over the size limit are refused before parsing', () => {
    const [issue] = issuesOf(`- Name: "${'x'.repeat(MAX_DOCUMENT_BYTES)}"\n`);
    assert.match(issue.message, new RegExp(`at most ${MAX_DOCUMENT_BYTES} bytes`));
    // counted in bytes, not characters
    assert.equal(parseYaml(`# ${'é'.repeat(MAX_DOCUMENT_BYTES / 2)}\n[]`).ok, false);
  });

  test('more than one document is refused', () => {
    assert.match(issuesOf('- Name: a\n---\n- Name: b\n')[0].message, /more than one YAML document/);
  });

  test('unknown aliases are refused', () => {
    assert.match(issuesOf('- Name: *nowhere\n')[0].message, /alias|anchor/i);
  });
});

describe('parseYaml: values', () => {
  test('numbers are read as the text they are written as', () => {
    assert.deepEqual(valueOf('- ClientID: 0123\n  Secret: 1e5\n  Big: 123456789012345678901234567890\n  Hex: 0x1F\n'), [
      { ClientID: '0123', Secret: '1e5', Big: '123456789012345678901234567890', Hex: '0x1F' },
    ]);
  });

  test('YAML 1.1 features stay off whatever the directive says', () => {
    assert.deepEqual(valueOf('%YAML 1.1\n---\n- a: yes\n  <<: {b: 1}\n'), [{ a: 'yes', '<<': { b: '1' } }]);
  });

  test('booleans and nulls are YAML 1.2 core', () => {
    assert.deepEqual(valueOf('- a: true\n  b: null\n  c:\n'), [{ a: true, b: null, c: null }]);
  });

  test('locate() finds a node, or its nearest ancestor', () => {
    const result = parseYaml('- Name: a\n- Name: b\n  Config:\n    ClientID: x\n');
    assert.ok(result.ok);
    assert.deepEqual(result.yaml.locate(['1', 'Config', 'ClientID']), { line: 4, column: 15 });
    assert.deepEqual(result.yaml.locate(['1', 'Config', 'Missing']), { line: 4, column: 5 });
    assert.equal(result.yaml.locate(['0'])!.line, 1);
  });
});
