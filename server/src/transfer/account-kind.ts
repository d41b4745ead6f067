import type { Core } from '@strapi/strapi';
import { z } from 'zod';

import { MailAuthError, type FieldError } from '../errors';
import { documentIds } from '../db/document-id';
import { hostFieldProblem } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { actorName } from '../shared/actor';
import { TOKEN_UID } from '../shared/content-type-uids';
import { secretRequiredAgain, type DestinationChange } from '../validation/destination';
import { toFieldErrors } from '../validation/format-issues';
import { differingPaths } from './compare';
import type { ImportedToken } from './format';
import type { EntryKind, EntryPlan, ReadEntryResult } from './kinds';
import { flag, MAPPING, text } from './schema';
import { assertNameOnce, configurationRequired, markedIncomplete, sameName } from './stored-entries';

/**
 * Mail accounts as document entries (`Kind: InboundAccount`, `Kind: OutboundAccount`): what
 * the two kinds share. An entry is its Name and a Config of the account's settings under
 * CamelCase keys, in a fixed order; the account's state (confirmation, cursors, errors,
 * timestamps) is not part of it. The token is named by its Name. The checks are the admin
 * API's own: its input schema for each field, its rules for how they fit together.
 */

/** How a Config value is written: text, a whole number, a flag, the token's name, or the password. */
type AccountFieldType = 'text' | 'number' | 'flag' | 'token' | 'secret';

interface AccountField {
  /** The key in the document (`Host`). */
  key: string;
  /** The account's field, as the admin API names it (`host`). */
  field: string;
  type: AccountFieldType;
}

export type AccountValue = string | number | boolean | null;

/** Every setting of an account, defaults applied as the account service stores them; oauthToken is the token's name. */
export type AccountConfig = Record<string, AccountValue>;

export interface ImportedAccount {
  config: AccountConfig;
  /** The token the file names, as written (config.oauthToken is null where the account does not use it). */
  tokenRef: string | null;
  /** Undefined when left out of the file: the stored password is kept. */
  password: string | undefined;
}

/** A stored account, as much of it as the kinds read. */
interface AccountRow {
  documentId?: string;
  id: number;
  name: string;
  password?: string | null;
  oauthToken?: { id: number; name: string } | null;
  lastError?: { code?: string } | null;
  [field: string]: unknown;
}

/** What the rules learn of the account's token: from the database, or from the token entry of the same file. */
export interface TokenFacts {
  template: string;
  grantType: string;
}

export interface AccountKindSpec {
  kind: string;
  /** 'inbound account' */
  label: string;
  /** After the tokens (0) they refer to. */
  order: number;
  uid: string;
  /** The activity log's subject type and kind prefix ('inbound-account'). */
  subject: string;
  /** The secrets service's field of the password. */
  passwordField: string;
  /** The account's fields as the admin API names them, in document order: the key is the name in CamelCase. */
  fields: string[];
  /** The admin API's schema of a new account (name and the fields; strict). */
  inputSchema: z.ZodTypeAny;
  /** The content type's attributes: their defaults are what a setting left out means. */
  attributes: Record<string, { type: string; default?: unknown }>;
  /** The defaults and effects that depend on other settings (the type), as the account service applies them. */
  adjust(config: AccountConfig, given: Record<string, unknown>): AccountConfig;
  /** The admin API's rules on the whole account; errors name its fields. */
  rules(config: AccountConfig, facts: { hasPassword: boolean; token: TokenFacts | null }): FieldError[];
  /** What an update changing `fields` writes besides them (the account service's own effects). */
  updateEffects(strapi: Core.Strapi, stored: AccountRow, data: Record<string, unknown>, fields: readonly string[]): Record<string, unknown>;
  /** Where the stored password goes that the file's settings change (validation/destination.ts): then it is not kept. */
  destinationChanges(strapi: Core.Strapi, stored: AccountRow, config: AccountConfig): DestinationChange[];
}

interface Secrets {
  encrypt(plain: string, field: string, row?: string): string;
  open(stored: string | null | undefined, field: string, row?: string): string | undefined;
}

const envelope = (kind: string) =>
  z.object({ Kind: z.literal(kind), Name: text(100).trim().min(1, 'is required'), Config: z.record(z.unknown(), MAPPING) }, MAPPING).strict();

const keyOf = (field: string) => (field === 'oauthToken' ? 'OAuth2Token' : field[0].toUpperCase() + field.slice(1));
const TYPE_OF: Record<string, AccountFieldType> = { integer: 'number', boolean: 'flag', relation: 'token' };
const typeOf = (attributeType: string): AccountFieldType => TYPE_OF[attributeType] ?? 'text';

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const WHOLE_NUMBER = /^[+-]?\d{1,15}$/;

/** A Config value as the input schema takes it, or the message saying what it must be. */
function convert(type: AccountFieldType, value: unknown): { value: unknown } | { message: string } {
  if (value === null) return { value: null };
  switch (type) {
    case 'number':
      if (typeof value === 'number' || (typeof value === 'string' && WHOLE_NUMBER.test(value))) return { value: Number(value) };
      return { message: 'must be a whole number' };
    case 'flag': {
      const parsed = flag.safeParse(value);
      return parsed.success ? { value: parsed.data } : { message: parsed.error.issues[0].message };
    }
    default:
      return typeof value === 'string' ? { value } : { message: 'must be text' };
  }
}

/** An entry kind for one sort of account; the two differ only in their spec. */
export function accountKind(spec: AccountKindSpec): EntryKind<ImportedAccount> {
  const fields = spec.fields.map((field): AccountField => ({ key: keyOf(field), field, type: field === 'password' ? 'secret' : typeOf(spec.attributes[field].type) }));
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const byField = new Map(fields.map((f) => [f.field, f]));
  const documentPath = (field: string) => (field === 'name' ? ['Name'] : ['Config', byField.get(field)?.key ?? field]);
  const inDocument = (errors: FieldError[]) => errors.map((e) => ({ path: [...documentPath(e.path[0]), ...e.path.slice(1)], message: e.message }));

  /** Every setting, defaults applied as the account service stores a new account. */
  const normalize = (given: Record<string, unknown>): AccountConfig =>
    spec.adjust(
      Object.fromEntries(fields.filter((f) => f.type !== 'secret').map((f) => [f.field, (given[f.field] ?? spec.attributes[f.field]?.default ?? null) as AccountValue])),
      given
    );
  /** A stored account as the document shows it. */
  const configOf = (row: AccountRow): AccountConfig => normalize({ ...row, oauthToken: row.oauthToken?.name ?? null });

  /** The entry, keys in the table's order; what is not set is left out. */
  const write = (name: string, config: AccountConfig, password: string | null | undefined) => {
    const out: Record<string, AccountValue> = {};
    for (const f of fields) {
      const value = f.type === 'secret' ? password : config[f.field];
      if (value !== null && value !== undefined && value !== '') out[f.key] = value;
    }
    return { Kind: spec.kind, Name: name, Config: out };
  };

  const rowsNamed = async (strapi: Core.Strapi, where: Record<string, unknown>) =>
    (await strapi.db.query(spec.uid as typeof TOKEN_UID).findMany({ where, populate: { oauthToken: { select: ['id', 'name'] } } })) as unknown as AccountRow[];

  return {
    kind: spec.kind,
    label: spec.label,
    order: spec.order,

    available: (strapi) => Boolean(strapi.contentTypes[spec.uid as keyof typeof strapi.contentTypes]),

    read(raw): ReadEntryResult<ImportedAccount> {
      const top = envelope(spec.kind).safeParse(raw);
      // The settings are checked too when the rest of the entry is wrong: every problem at once.
      const given = isMapping(raw) && isMapping(raw.Config) ? raw.Config : undefined;
      if (!given) return { ok: false, errors: toFieldErrors(top.error!) };
      const errors: FieldError[] = top.success ? [] : toFieldErrors(top.error);
      // A stand-in when the Name is wrong: that is reported once, above.
      const input: Record<string, unknown> = { name: top.data?.Name ?? 'name' };
      let tokenRef: string | null = null;
      for (const [key, value] of Object.entries(given)) {
        const field = byKey.get(key);
        if (!field) {
          errors.push({ path: ['Config', key], message: 'is not a known field' });
          continue;
        }
        const converted = convert(field.type, value);
        if ('message' in converted) errors.push({ path: ['Config', key], message: converted.message });
        else if (field.type === 'token') tokenRef = (converted.value as string | null)?.trim() || null;
        // A password left empty, as one left out, keeps the stored one.
        else if (field.type !== 'secret' || converted.value) input[field.field] = converted.value;
      }
      if (tokenRef && tokenRef.length > 100) errors.push({ path: ['Config', byField.get('oauthToken')!.key], message: 'must be at most 100 characters' });
      const parsed = spec.inputSchema.safeParse(input);
      if (!parsed.success) {
        // The schemas' own messages for a wrong value would say what a missing one must be.
        const missing = parsed.error.issues.map((i) => (i.code === 'invalid_type' && i.received === 'undefined' ? { ...i, message: 'is required' } : i));
        errors.push(...inDocument(toFieldErrors(new z.ZodError(missing))));
      }
      if (errors.length) return { ok: false, errors };

      const { name, password, ...fields } = parsed.data as Record<string, unknown>;
      const config = normalize({ ...fields, oauthToken: tokenRef });
      return { ok: true, entry: { name: name as string, value: { config, tokenRef, password: (password as string | null) || undefined } } };
    },

    async storedNames(strapi) {
      const rows = (await strapi.db.query(spec.uid as typeof TOKEN_UID).findMany({ select: ['name'] })) as Array<{ name: string }>;
      return rows.map((r) => r.name);
    },

    async export(strapi, { names, secrets: withSecrets }) {
      const secrets = strapi.plugin(PLUGIN_ID).service('secrets') as Secrets;
      const rows = await rowsNamed(strapi, names ? { name: { $in: [...names] } } : {});
      return rows.map((row) => ({
        name: row.name,
        entry: write(row.name, configOf(row), withSecrets ? secrets.open(row.password, spec.passwordField, row.documentId) : undefined),
      }));
    },

    async plan(strapi, entries, { actor, document = [] }) {
      const plugin = strapi.plugin(PLUGIN_ID);
      const secrets = plugin.service('secrets') as Secrets;
      const activity = plugin.service('activity');
      const db = strapi.db.query(spec.uid as typeof TOKEN_UID);
      const tokens = strapi.db.query(TOKEN_UID);
      const rows = await rowsNamed(strapi, { name: { $in: entries.map((e) => e.name) } });
      const refs = [...new Set(entries.map((e) => e.value.tokenRef).filter((r): r is string => Boolean(r)))];
      const storedTokens = refs.length ? ((await tokens.findMany({ where: { name: { $in: refs } }, select: ['id', 'name', 'template', 'grantType'] })) as Array<TokenFacts & { name: string }>) : [];
      const fileTokens = document.filter((d) => d.kind === 'OAuth2Token').map((d) => d.entry as { name: string; value: ImportedToken });
      const tokenFacts = (ref: string): TokenFacts | undefined => sameName(storedTokens, ref) ?? fileTokens.find((t) => t.name === ref)?.value;
      /** The token's id, looked up in write(): a token of the same file is written by then, in the same transaction. */
      const tokenId = async (ref: AccountValue) => {
        if (typeof ref !== 'string') return null;
        const found = sameName((await tokens.findMany({ where: { name: ref }, select: ['id', 'name'] })) as Array<{ id: number; name: string }>, ref);
        if (!found) throw new MailAuthError('CONFLICT', `No OAuth2 token is named "${ref}": nothing was imported`);
        return found.id;
      };

      // The plugin's allowedHosts / deniedNetworks, as the admin API applies them (net/network-policy.ts).
      const refusedHost = new Map<string, FieldError>();
      for (const { name, value } of entries) {
        const refused = await hostFieldProblem(strapi, 'host', value.config.host as string | null | undefined);
        if (refused) refusedHost.set(name, refused);
      }

      return entries.map(({ name, value: { config, tokenRef, password } }): EntryPlan => {
        const row = sameName(rows, name);
        const token = tokenRef ? tokenFacts(tokenRef) : undefined;
        // Another host, port or security mode and no password in the file: the stored one is cleared, as the admin API would not keep it.
        const moved = row?.password && password === undefined ? spec.destinationChanges(strapi, row, config) : [];
        const ruleErrors = spec.rules(config, { hasPassword: password !== undefined || (Boolean(row?.password) && !moved.length), token: token ?? null })
          .map((e) => (moved.length && e.path[0] === 'password' ? secretRequiredAgain('password', moved, 'import') : e));
        const missingToken = Boolean(tokenRef && !token);
        // A password left out of the file is a setting to complete, as a client secret is; the rest is refused.
        const fieldProblems = ruleErrors.filter((e) => e.path[0] === 'password');
        const errors: FieldError[] = [
          ...(refusedHost.has(name) ? [refusedHost.get(name)!] : []),
          ...(missingToken ? [{ path: ['oauthToken'], message: `no OAuth2 token is named "${tokenRef}"` }] : []),
          ...ruleErrors.filter((e) => e.path[0] !== 'password' && !(missingToken && e.path[0] === 'oauthToken')),
        ];
        const problems = inDocument(fieldProblems);

        const { oauthToken, ...fields } = config;
        // A new row's documentId is made here rather than by Strapi: the password is bound to its row.
        const documentId = row?.documentId ?? documentIds(1)[0];
        const encrypted = () => (password === undefined ? {} : { password: secrets.encrypt(password, spec.passwordField, documentId) });
        const record = (what: string, id: number, details: Record<string, unknown>) =>
          activity.record({ kind: `${spec.subject}.${what}`, subjectType: spec.subject, subjectId: id, subjectName: name, actor: actorName(actor), details: { via: 'import', ...details } });
        const needsConfiguration = fieldProblems.length > 0;

        if (!row) {
          return {
            problems,
            errors: inDocument(errors),
            async write() {
              const data = {
                ...fields,
                name,
                documentId,
                oauthToken: await tokenId(oauthToken),
                password: null,
                ...encrypted(),
                confirmed: false,
                lastError: needsConfiguration ? configurationRequired(spec.label, fieldProblems) : null,
              };
              const created = (await db.create({ data })) as { id: number };
              await assertNameOnce(db, name, spec.label);
              await record('created', created.id, { needsConfiguration });
            },
          };
        }

        // Decrypt only what the file would compare against: a password left out is kept, not compared.
        const storedPassword = password === undefined ? undefined : (secrets.open(row.password, spec.passwordField, row.documentId) ?? null);
        const changes = differingPaths(write(row.name, configOf(row), storedPassword), write(name, config, password));
        return {
          existing: { id: row.id, changes, conflicts: [] },
          problems,
          errors: inDocument(errors),
          async write() {
            const data: Record<string, unknown> = { ...fields, name, oauthToken: await tokenId(oauthToken), ...encrypted(), ...(moved.length ? { password: null } : {}) };
            const changed = changes.map((path) => byKey.get(path.split('.')[1])?.field ?? path);
            Object.assign(data, spec.updateEffects(strapi, row, data, changed));
            if (needsConfiguration) data.lastError = configurationRequired(spec.label, fieldProblems);
            else if (markedIncomplete(row)) data.lastError = null;
            await db.update({ where: { id: row.id }, data });
            await record('updated', row.id, { fields: changes, needsConfiguration, ...(moved.length ? { clearedSecrets: ['password'] } : {}) });
          },
        };
      });
    },
  };
}
