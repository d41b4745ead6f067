import type { Core } from '@strapi/strapi';
import { Document } from 'yaml';
import { z } from 'zod';

import { MailAuthError, validationError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { defaultEntryKinds } from '../transfer/default-kinds';
import { EntryKindRegistry, type EntryKind, type EntryPlan, type ReadEntry } from '../transfer/kinds';
import { MAX_ENTRIES } from '../transfer/limits';
import type { ChangedEntry, DiffReport, EntryRef, ImportReport, TransferIssue } from '../transfer/report';
import { parseYaml, type ParsedYaml } from '../transfer/yaml-document';
import { parseInput } from '../validation/token-input';
import { actorName, type Actor } from '../shared/actor';

/**
 * YAML export and import of the plugin's configuration (docs/transfer.md). An import is
 * all-or-nothing: the whole document is checked first, then every write happens in one
 * database transaction, and entries not in the file are never touched.
 */

const importRequestSchema = z
  .object({
    yaml: z.string({ required_error: 'is required', invalid_type_error: 'must be the text of a YAML document' }),
    overwrite: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    dryRun: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
  })
  .strict();

interface DocumentEntry {
  index: number;
  kind: EntryKind;
  entry: ReadEntry<unknown>;
}

interface ReadDocument {
  entries: DocumentEntry[];
  yaml: ParsedYaml;
}

interface PlannedEntry extends DocumentEntry {
  plan: EntryPlan;
}

/** A problem in entry `index` of a document, with where it is. */
const entryIssue = (yaml: ParsedYaml, index: number, entry: { name?: string; kind?: string }, path: string[], message: string): TransferIssue => ({
  path: ['yaml', String(index), ...path],
  message,
  entry: { index, ...entry },
  ...yaml.locate([String(index), ...path]),
});

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const problemCount = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;

const HEADER = {
  withoutSecrets:
    ' strapi-plugin-mail-auth configuration, in the YAML format of Znuny\'s OAuth2 token\n management (docs/transfer.md). Secrets are left out: importing this file keeps\n the secrets already stored for entries of the same name.',
  withSecrets:
    ' strapi-plugin-mail-auth configuration, in the YAML format of Znuny\'s OAuth2 token\n management (docs/transfer.md). SECRETS INCLUDED: client secrets, tokens and\n passwords are in clear text here. Keep this file as safe as the accounts themselves.',
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const registry = new EntryKindRegistry(defaultEntryKinds());
  const activity = () => strapi.plugin(PLUGIN_ID).service('activity');
  const availableKinds = () => registry.all().filter((kind) => kind.available(strapi));

  /** Reads and checks a whole document; one VALIDATION error lists every problem found. */
  const read = (text: string): ReadDocument => {
    const parsed = parseYaml(text);
    if (!parsed.ok) {
      const issues: TransferIssue[] = parsed.issues.map((i) => ({ path: ['yaml'], message: i.message, line: i.line, column: i.column }));
      throw validationError(issues, `The YAML cannot be read (${problemCount(issues.length)}): nothing was imported`);
    }
    const { yaml } = parsed;
    const fail = (issues: TransferIssue[]): never => {
      throw validationError(issues, `The document has ${problemCount(issues.length)}: nothing was imported`);
    };
    if (!Array.isArray(yaml.value)) {
      fail([{ path: ['yaml'], message: 'must be a list of entries (- Name: …), as Znuny writes them', ...yaml.locate([]) }]);
    }
    const raw = yaml.value as unknown[];
    if (raw.length > MAX_ENTRIES) {
      fail([{ path: ['yaml'], message: `has ${raw.length} entries; at most ${MAX_ENTRIES} are accepted in one document` }]);
    }

    const issues: TransferIssue[] = [];
    const entries: DocumentEntry[] = [];
    const firstIndexOf = new Map<string, number>();
    const kindNames = registry.all().map((k) => k.kind);
    raw.forEach((item, index) => {
      const name = isMapping(item) && typeof item.Name === 'string' ? item.Name : undefined;
      const kindName = isMapping(item) && item.Kind !== undefined ? item.Kind : 'OAuth2Token';
      const issue = (path: string[], message: string) =>
        entryIssue(yaml, index, { name, kind: typeof kindName === 'string' ? kindName : undefined }, path, message);
      if (!isMapping(item)) {
        issues.push(issue([], 'must be a mapping with Name and Config'));
        return;
      }
      const kind = typeof kindName === 'string' ? registry.get(kindName) : undefined;
      if (!kind) {
        issues.push(issue(['Kind'], `must be one of: ${kindNames.join(', ')}`));
        return;
      }
      if (!kind.available(strapi)) {
        issues.push(issue(['Kind'], `${kind.kind} entries cannot be imported: this installation has no ${kind.label}s`));
        return;
      }
      const result = kind.read(item);
      if (!result.ok) {
        issues.push(...result.errors.map((e) => issue(e.path, e.message)));
        return;
      }
      const key = `${kind.kind}\u0000${result.entry.name}`;
      const first = firstIndexOf.get(key);
      if (first !== undefined) {
        issues.push(issue(['Name'], `"${result.entry.name}" is also the name of entry ${first + 1} (of the same kind)`));
        return;
      }
      firstIndexOf.set(key, index);
      entries.push({ index, kind, entry: result.entry });
    });
    if (issues.length) fail(issues);
    return { entries, yaml };
  };

  /** Asks each kind, tokens first, what importing its entries would do. */
  const planAll = async (document: ReadDocument, actor?: Actor): Promise<PlannedEntry[]> => {
    const planned: PlannedEntry[] = [];
    const everything = document.entries.map((e) => ({ kind: e.kind.kind, entry: e.entry }));
    for (const kind of availableKinds()) {
      const ofKind = document.entries.filter((e) => e.kind === kind);
      if (!ofKind.length) continue;
      const plans = await kind.plan(
        strapi,
        ofKind.map((e) => e.entry),
        { actor, document: everything }
      );
      ofKind.forEach((e, i) => planned.push({ ...e, plan: plans[i] }));
    }
    return planned;
  };

  /** The document's problems that only the database shows (a reference to nothing): refused whole. */
  const refuseErrors = (document: ReadDocument, planned: PlannedEntry[], more: TransferIssue[] = []) => {
    const issues = planned.flatMap((p) =>
      (p.plan.errors ?? []).map((e) => entryIssue(document.yaml, p.index, { name: p.entry.name, kind: p.kind.kind }, e.path, e.message))
    );
    issues.push(...more);
    if (issues.length) throw validationError(issues, `The document has ${problemCount(issues.length)}: nothing was imported`);
  };

  const recordFailure = async (error: unknown, actor?: Actor) => {
    const e = error instanceof MailAuthError ? error : undefined;
    await activity().record({
      kind: 'transfer.import-failed',
      subjectType: 'transfer',
      outcome: 'failure',
      actor: actorName(actor),
      code: e?.code ?? 'ERROR',
      message: e?.message ?? 'The import failed: nothing was imported',
      details: { errors: e?.errors?.length ?? 0 },
    });
  };

  return {
    /** Adds an entry kind to those of default-kinds.ts. */
    registerKind(kind: EntryKind): void {
      registry.register(kind);
    },

    async export(options: { names?: string[]; secrets?: boolean; actor?: Actor } = {}): Promise<{ yaml: string; entries: EntryRef[] }> {
      const secrets = options.secrets ?? false;
      const names = options.names?.length ? new Set(options.names) : undefined;
      const found: Array<{ kind: EntryKind; name: string; entry: Record<string, unknown> }> = [];
      for (const kind of availableKinds()) {
        for (const item of await kind.export(strapi, { names, secrets })) found.push({ kind, ...item });
      }
      if (names) {
        const missing = [...names].filter((name) => !found.some((f) => f.name === name)).sort(byCodePoint);
        if (missing.length) {
          throw new MailAuthError('NOT_FOUND', `Nothing to export is named ${missing.map((n) => `"${n}"`).join(', ')}`, {
            errors: missing.map((name) => ({ path: ['names'], message: `no entry is named "${name}"` })),
          });
        }
      }
      found.sort((a, b) => a.kind.order - b.kind.order || byCodePoint(a.kind.kind, b.kind.kind) || byCodePoint(a.name, b.name));

      const doc = new Document(
        found.map((f) => f.entry),
        { aliasDuplicateObjects: false }
      );
      doc.commentBefore = secrets ? HEADER.withSecrets : HEADER.withoutSecrets;
      const yaml = doc.toString({ lineWidth: 0, directives: true });

      const entries = found.map((f) => ({ kind: f.kind.kind, name: f.name }));
      await activity().record({
        kind: 'transfer.exported',
        subjectType: 'transfer',
        outcome: 'success',
        actor: actorName(options.actor),
        message: `${entries.length} entries, secrets ${secrets ? 'included' : 'left out'}`,
        details: { count: entries.length, secrets, chosen: names ? [...names] : null },
      });
      return { yaml, entries };
    },

    async import(body: unknown, actor?: Actor): Promise<ImportReport> {
      const request = parseInput(importRequestSchema, body);
      const overwrite = request.overwrite ?? false;
      const dryRun = request.dryRun ?? false;

      const apply = async (document: ReadDocument): Promise<ImportReport> => {
        const planned = await planAll(document, actor);
        const report: ImportReport = { dryRun, overwrite, created: [], updated: [], unchanged: [], skipped: [], needsConfiguration: [], errors: [] };
        const conflicts: TransferIssue[] = [];
        const writes: EntryPlan[] = [];
        for (const p of planned) {
          const ref = { kind: p.kind.kind, name: p.entry.name };
          const { existing, problems } = p.plan;
          if (!existing) {
            report.created.push(ref);
          } else if (!existing.changes.length) {
            report.unchanged.push(ref);
            continue;
          } else if (!overwrite) {
            report.skipped.push({ ...ref, changes: existing.changes });
            continue;
          } else if (existing.conflicts.length) {
            conflicts.push(...existing.conflicts.map((c) => entryIssue(document.yaml, p.index, { name: p.entry.name, kind: p.kind.kind }, c.path, c.message)));
            continue;
          } else {
            report.updated.push({ ...ref, changes: existing.changes });
          }
          writes.push(p.plan);
          if (problems.length) report.needsConfiguration.push({ ...ref, problems });
        }
        refuseErrors(document, planned, conflicts);
        if (dryRun) return report;

        for (const write of writes) await write.write();
        const names = (refs: EntryRef[]) => refs.map((r) => `${r.kind}:${r.name}`);
        await activity().record({
          kind: 'transfer.imported',
          subjectType: 'transfer',
          outcome: 'success',
          actor: actorName(actor),
          message: `${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.skipped.length} skipped`,
          details: {
            overwrite,
            created: names(report.created),
            updated: names(report.updated),
            unchanged: names(report.unchanged),
            skipped: names(report.skipped),
          },
        });
        return report;
      };

      try {
        // Parsed and checked before the transaction, which then holds only the reads and writes
        // (Strapi's query engine joins it through async context).
        const document = read(request.yaml);
        return dryRun ? await apply(document) : await strapi.db.transaction(() => apply(document));
      } catch (e) {
        if (!dryRun) await recordFailure(e, actor);
        throw e;
      }
    },

    /** Compares a document with what is stored, as an import with overwrite would see it. */
    async diff(text: string): Promise<DiffReport> {
      const document = read(text);
      const planned = await planAll(document);
      refuseErrors(document, planned);
      const report: DiffReport = { same: true, onlyInFile: [], onlyInDatabase: [], changed: [], unchanged: [] };
      for (const p of planned) {
        const ref = { kind: p.kind.kind, name: p.entry.name };
        if (!p.plan.existing) report.onlyInFile.push(ref);
        else if (p.plan.existing.changes.length) report.changed.push({ ...ref, changes: p.plan.existing.changes } as ChangedEntry);
        else report.unchanged.push(ref);
      }
      for (const kind of availableKinds()) {
        const inFile = new Set(planned.filter((p) => p.kind === kind).map((p) => p.entry.name));
        const stored = (await kind.storedNames(strapi)).filter((name) => !inFile.has(name)).sort(byCodePoint);
        report.onlyInDatabase.push(...stored.map((name) => ({ kind: kind.kind, name })));
      }
      report.same = !report.onlyInFile.length && !report.onlyInDatabase.length && !report.changed.length;
      return report;
    },
  };
};
