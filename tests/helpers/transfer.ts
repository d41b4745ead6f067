import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';

import type { AdminClient } from './admin';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './database';
import { PLAYGROUND_DIR } from './strapi';

/** What the transfer tests share: a replayable PRNG, the fuzz tests' mutations, the command line. */

const CLI = resolve(__dirname, '..', '..', 'bin', 'strapi-mail-auth');

export type Random = ReturnType<typeof prng>;

/** A small deterministic PRNG (mulberry32), so that a failing fuzz case can be replayed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: T[]) => list[Math.floor(next() * list.length)] };
}

/**
 * One to three random edits of a document's lines: characters deleted or inserted (from
 * `junk`), lines removed, repeated, swapped, indented, given another value or cut off, and
 * values of the keys `renamed` matches (`(Key): (value)`) changed so that new names turn up.
 */
export function mutateLines(random: Random, text: string, junk: string[], renamed = /(Name): (.*)$/): string {
  let lines = text.split('\n');
  const steps = 1 + random.int(3);
  for (let s = 0; s < steps; s++) {
    if (!lines.length) lines = [''];
    const i = random.int(lines.length);
    switch (random.int(9)) {
      case 0: {
        const line = lines[i];
        const at = random.int(line.length + 1);
        lines[i] = line.slice(0, at) + line.slice(at + 1);
        break;
      }
      case 1: {
        const line = lines[i];
        const at = random.int(line.length + 1);
        lines[i] = line.slice(0, at) + random.pick(junk) + line.slice(at);
        break;
      }
      case 2:
        lines.splice(i, 1);
        break;
      case 3:
        lines.splice(i, 0, lines[i]);
        break;
      case 4: {
        const j = random.int(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        break;
      }
      case 5:
        lines[i] = random.next() < 0.5 ? ` ${lines[i]}` : lines[i].replace(/^ {1,2}/, '');
        break;
      case 6:
        lines[i] = lines[i].replace(/:( .*)?$/, `: ${random.pick(junk)}`);
        break;
      case 7:
        lines = lines.slice(0, i);
        break;
      default:
        lines[i] = lines[i].replace(renamed, `$1: $2 ${random.int(50)}`);
    }
  }
  return lines.join('\n');
}

/** Runs bin/strapi-mail-auth in the playground's folder against the database `env` names. */
export const runCli = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PLAYGROUND_DIR,
      env: { ...process.env, ...env, STRAPI_TELEMETRY_DISABLED: 'true', STRAPI_LOG_LEVEL: 'error' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });

/**
 * The command line against a database of its own, made before the tests of the enclosing
 * describe() and dropped after them; files are written to a temporary folder.
 */
export function cliOnOwnDatabase() {
  let database: TestDatabase;
  let dir: string;
  before(async () => {
    database = await createTestDatabase(testDatabaseKind());
    dir = mkdtempSync(join(tmpdir(), 'mail-auth-cli-'));
  });
  after(async () => {
    await database?.drop();
  });
  return {
    cli: (args: string[]) => runCli(args, database.env),
    /** The path of a file in the folder; written when `text` is given. */
    file(name: string, text?: string) {
      const path = join(dir, name);
      if (text !== undefined) writeFileSync(path, text);
      return path;
    },
  };
}

export interface Ref {
  kind: string;
  name: string;
}

/** The answer of POST /mail-auth/import. */
export interface Report {
  created: Ref[];
  updated: Array<Ref & { changes: string[] }>;
  unchanged: Ref[];
  skipped: Array<Ref & { changes: string[] }>;
  needsConfiguration: Array<Ref & { problems: Array<{ path: string[]; message: string }> }>;
  errors: unknown[];
}

/** One of the problems of a refused document. */
export interface Issue {
  path: string[];
  message: string;
  line?: number;
  column?: number;
  entry?: { index: number; name?: string; kind?: string };
}

/** Export and import through the admin API, as `client()` (the client is made in a before hook). */
export function transferApi(client: () => AdminClient) {
  const importYaml = (yaml: unknown, options: { overwrite?: boolean; dryRun?: boolean } = {}) =>
    client().post<Report & { error?: { name: string; message: string; details: { errors: Issue[] } } }>('/mail-auth/import', { yaml, ...options });
  return {
    async exportYaml(query = '') {
      const res = await client().get<string>(`/mail-auth/export${query}`);
      assert.equal(res.status, 200, String(res.body));
      return res.body;
    },
    importYaml,
    async importOk(yaml: string, options: { overwrite?: boolean; dryRun?: boolean } = {}) {
      const res = await importYaml(yaml, options);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Report;
    },
  };
}

export interface FuzzOptions {
  random: Random;
  count: number;
  /** A time limit, so that a slow machine fails with a message rather than a hung suite. */
  seconds: number;
  bases: string[];
  mutate(text: string): string;
  /** Every stored row that an import may touch, by a stable key: `ref` is the name the reports use. */
  rows(): Promise<Map<string, { ref: string; json: string }>>;
  refOf(entry: Ref): string;
  /** The transfer service's import. */
  importer(body: { yaml: string; overwrite: boolean; dryRun: boolean }): Promise<Report>;
}

/**
 * Imports `count` mutated documents: each is refused with a validation error (nothing
 * written), or imported with exactly the rows its report names created or updated; never a
 * crash, never a partial import.
 */
export async function fuzzImports(o: FuzzOptions): Promise<{ imported: number; refused: number }> {
  const outcomes = { imported: 0, refused: 0 };
  const deadline = Date.now() + o.seconds * 1000;
  let before = await o.rows();
  for (let i = 0; i < o.count; i++) {
    assert.ok(Date.now() < deadline, `the fuzz test ran out of time after ${i} documents`);
    // On SQLite (synchronous driver) a loop of awaits alone never lets the HTTP server's timers run.
    await new Promise((done) => setImmediate(done));
    const yaml = o.mutate(o.random.pick(o.bases));
    const overwrite = o.random.next() < 0.5;
    const dryRun = o.random.next() < 0.1;
    let report: Report | undefined;
    try {
      report = await o.importer({ yaml, overwrite, dryRun });
    } catch (e) {
      const code = (e as { code?: string }).code;
      assert.ok((e as Error).name === 'MailAuthError' && ['VALIDATION', 'CONFLICT'].includes(code!), `document ${i} crashed the import: ${(e as Error).stack}\n---\n${yaml.slice(0, 3000)}`);
    }
    const after = await o.rows();
    if (!report || dryRun) {
      assert.deepEqual(after, before, `document ${i}: refused or dry run, yet something changed`);
      outcomes.refused += report ? 0 : 1;
      continue;
    }
    outcomes.imported += 1;
    const updated = new Set(report.updated.map(o.refOf));
    for (const [key, { ref, json }] of before) {
      if (!updated.has(ref)) assert.equal(after.get(key)?.json, json, `document ${i}: "${ref}" changed without being reported as updated`);
    }
    const added = [...after.keys()].filter((key) => !before.has(key)).map((key) => after.get(key)!.ref);
    assert.deepEqual(added.sort(), report.created.map(o.refOf).sort(), `document ${i}: created entries`);
    before = after;
  }
  return outcomes;
}
