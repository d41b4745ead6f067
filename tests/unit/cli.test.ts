import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';

// The command line is plain CommonJS (it ships without a TypeScript toolchain).
const load = createRequire(__filename);
const { parseArgs, UsageError } = load('../../bin/lib/args.js');
const { runDiff, runExport, runImport, runRekey } = load('../../bin/lib/commands.js');

type Call = Record<string, unknown>;

/** A stand-in for the transfer service: records calls, answers what it is given. */
function fakeTransfer(answers: { import?: (request: Call) => unknown; diff?: () => unknown; export?: () => unknown }) {
  const calls: Call[] = [];
  return {
    calls,
    service: {
      import: async (request: Call) => {
        calls.push(request);
        return answers.import!(request);
      },
      diff: async () => answers.diff!(),
      export: async (options: Call) => {
        calls.push(options);
        return answers.export!();
      },
    },
  };
}

function fakeIo(options: { tty?: boolean; answer?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty;
  if (options.answer !== undefined) setImmediate(() => stdin.write(`${options.answer}\n`));
  return {
    io: { stdin, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const report = (over: Call = {}) => ({ dryRun: true, overwrite: false, created: [], updated: [], unchanged: [], skipped: [], needsConfiguration: [], errors: [], ...over });
const pluginError = (message: string, errors: unknown[] = []) => Object.assign(new Error(message), { name: 'MailAuthError', errors });

const dir = mkdtempSync(join(tmpdir(), 'mail-auth-cli-unit-'));
const file = join(dir, 'in.yaml');
writeFileSync(file, '- Name: x\n');

describe('parseArgs', () => {
  test('commands, flags, values and aliases', () => {
    assert.deepEqual(parseArgs(['export', '--out=a.yaml', '--include-secrets', '--names', 'a, b']), {
      help: false, command: 'export', out: 'a.yaml', names: ['a', 'b'], includeSecrets: true, overwrite: false, dryRun: false, yes: false, json: false, noCompile: false,
    });
    const imp = parseArgs(['import', 'f.yaml', '--overwrite', '-y', '--dry-run', '--no-compile']);
    assert.equal(imp.file, 'f.yaml');
    assert.ok(imp.overwrite && imp.yes && imp.dryRun && imp.noCompile);
    assert.equal(parseArgs(['diff', 'f.yaml', '--json']).json, true);
    assert.deepEqual(parseArgs(['rekey', '--json']), { help: false, command: 'rekey', includeSecrets: false, overwrite: false, dryRun: false, yes: false, json: true, noCompile: false });
    assert.deepEqual(parseArgs(['--help']), { help: true });
    assert.deepEqual(parseArgs([]), { help: true });
  });
  test('mistakes are usage errors', () => {
    for (const argv of [['frob'], ['import'], ['import', 'a', 'b'], ['diff', 'a', '--overwrite'], ['export', 'file'], ['export', '--out'], ['import', 'a', '--yes=1'], ['rekey', 'file'], ['rekey', '--overwrite']]) {
      assert.throws(() => parseArgs(argv), UsageError, argv.join(' '));
    }
  });
});

describe('import', () => {
  test('--dry-run asks the service for a dry run only', async () => {
    const t = fakeTransfer({ import: () => report({ created: [{ kind: 'OAuth2Token', name: 'x' }] }) });
    const io = fakeIo();
    assert.equal(await runImport(t.service, { file, dryRun: true, overwrite: true }, io.io), 0);
    assert.deepEqual(t.calls.map((c) => [c.dryRun, c.overwrite]), [[true, true]]);
    assert.match(io.stdout(), /create {4}OAuth2Token "x"/);
    assert.match(io.stdout(), /1 would be created/);
  });

  test('without -y and without a terminal nothing is written', async () => {
    const t = fakeTransfer({ import: () => report({ created: [{ kind: 'OAuth2Token', name: 'x' }] }) });
    const io = fakeIo({ tty: false });
    assert.equal(await runImport(t.service, { file }, io.io), 2);
    assert.deepEqual(t.calls.map((c) => c.dryRun), [true]);
    assert.match(io.stderr(), /Pass -y/);
  });

  test('in a terminal it asks: no writes nothing, yes imports', async () => {
    const answer = (dryRun: unknown) => report({ dryRun, updated: [{ kind: 'OAuth2Token', name: 'x', changes: ['Config.Scope'] }] });
    const no = fakeTransfer({ import: (r) => answer(r.dryRun) });
    assert.equal(await runImport(no.service, { file, overwrite: true }, fakeIo({ tty: true, answer: 'n' }).io), 1);
    assert.deepEqual(no.calls.map((c) => c.dryRun), [true]);
    const yes = fakeTransfer({ import: (r) => answer(r.dryRun) });
    const io = fakeIo({ tty: true, answer: 'y' });
    assert.equal(await runImport(yes.service, { file, overwrite: true }, io.io), 0);
    assert.deepEqual(yes.calls.map((c) => c.dryRun), [true, false]);
    assert.match(io.stdout(), /0 were created, 1 updated, 0 unchanged, 0 skipped\./);
  });

  test('-y imports without asking; --json prints the report', async () => {
    const t = fakeTransfer({ import: (r) => report({ dryRun: r.dryRun, created: [{ kind: 'OAuth2Token', name: 'x' }] }) });
    const io = fakeIo();
    assert.equal(await runImport(t.service, { file, yes: true, json: true }, io.io), 0);
    assert.deepEqual(t.calls.map((c) => c.dryRun), [true, false]);
    assert.equal(JSON.parse(io.stdout()).dryRun, false);
  });

  test('nothing to write: no question, success', async () => {
    const t = fakeTransfer({ import: () => report({ unchanged: [{ kind: 'OAuth2Token', name: 'x' }] }) });
    assert.equal(await runImport(t.service, { file }, fakeIo({ tty: false }).io), 0);
    assert.equal(t.calls.length, 1);
  });

  test('a refused document: exit 1, each problem with line, column, entry and field', async () => {
    const t = fakeTransfer({
      import: () => {
        throw pluginError('The document has 1 problem: nothing was imported', [
          { path: ['yaml', '2', 'Config', 'ClientID'], message: 'must be text', line: 5, column: 15, entry: { index: 2, name: 'X', kind: 'OAuth2Token' } },
        ]);
      },
    });
    const io = fakeIo();
    assert.equal(await runImport(t.service, { file, yes: true }, io.io), 1);
    assert.match(io.stderr(), /in\.yaml: The document has 1 problem/);
    assert.match(io.stderr(), /line 5, column 15: entry 3 "X" \(OAuth2Token\): Config\.ClientID: must be text/);
  });

  test('other errors are not swallowed', async () => {
    const t = fakeTransfer({ import: () => { throw new TypeError('bug'); } });
    await assert.rejects(runImport(t.service, { file, yes: true }, fakeIo().io), TypeError);
  });
});

describe('diff and export', () => {
  test('diff: 0 same, 1 different (listed), 2 when the file is refused', async () => {
    const same = fakeIo();
    assert.equal(await runDiff(fakeTransfer({ diff: () => ({ same: true, onlyInFile: [], onlyInDatabase: [], changed: [], unchanged: [] }) }).service, { file }, same.io), 0);
    assert.match(same.stdout(), /No difference/);
    const different = fakeIo();
    const answer = { same: false, onlyInFile: [{ kind: 'OAuth2Token', name: 'a' }], onlyInDatabase: [{ kind: 'OAuth2Token', name: 'b' }], changed: [{ kind: 'OAuth2Token', name: 'c', changes: ['Config.Scope'] }], unchanged: [] };
    assert.equal(await runDiff(fakeTransfer({ diff: () => answer }).service, { file }, different.io), 1);
    assert.equal(different.stdout(), '+ OAuth2Token "a" (only in the file)\n- OAuth2Token "b" (only in the database)\n~ OAuth2Token "c": Config.Scope\n');
    const refused = fakeIo();
    assert.equal(await runDiff(fakeTransfer({ diff: () => { throw pluginError('The YAML cannot be read'); } }).service, { file }, refused.io), 2);
  });

  test('export: to stdout, or to a file kept private when it holds secrets', async () => {
    const t = fakeTransfer({ export: () => ({ yaml: '[]\n', entries: [] }) });
    const io = fakeIo();
    assert.equal(await runExport(t.service, { includeSecrets: false }, io.io), 0);
    assert.equal(io.stdout(), '[]\n');
    const out = join(dir, 'secret.yaml');
    assert.equal(await runExport(t.service, { includeSecrets: true, out }, fakeIo().io), 0);
    assert.equal(readFileSync(out, 'utf8'), '[]\n');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.equal(t.calls[1].secrets, true);
    const missing = fakeIo();
    assert.equal(await runExport(fakeTransfer({ export: () => { throw pluginError('Nothing to export is named "x"'); } }).service, { includeSecrets: false }, missing.io), 1);
    assert.match(missing.stderr(), /named "x"/);
  });
});

describe('rekey', () => {
  test('prints what each table had and rewrote; a value it cannot read: exit 1 with the advice', async () => {
    const calls: string[] = [];
    const secrets = {
      rekey: async () => {
        calls.push('rekey');
        return { tokens: { values: 3, rewritten: 2 }, 'inbound accounts': { values: 1, rewritten: 0 } };
      },
      currentKeyId: () => 'Kid12345',
    };
    const io = fakeIo();
    assert.equal(await runRekey(secrets, { json: false }, io.io), 0);
    assert.deepEqual(calls, ['rekey']);
    assert.equal(io.stdout(), 'tokens: 3 secrets, 2 rewritten\ninbound accounts: 1 secrets, 0 rewritten\nEvery stored secret is now encrypted with the current key (id Kid12345).\n');
    const json = fakeIo();
    assert.equal(await runRekey(secrets, { json: true }, json.io), 0);
    assert.deepEqual(JSON.parse(json.stdout()).tokens, { values: 3, rewritten: 2 });
    const failing = fakeIo();
    const unreadable = { rekey: async () => { throw Object.assign(pluginError('The stored oauth-token.refreshToken was encrypted with a key that is not configured (key id abc).'), { advice: 'Add the key it was written with to previousEncryptionKeys' }); }, currentKeyId: () => 'x' };
    assert.equal(await runRekey(unreadable, { json: false }, failing.io), 1);
    assert.match(failing.stderr(), /key id abc[\s\S]*previousEncryptionKeys/);
  });
});

