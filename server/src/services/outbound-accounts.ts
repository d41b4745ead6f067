import type { Core } from '@strapi/strapi';
import { z } from 'zod';

import { pluginConfig } from '../config/plugin-config';
import { assertNameFree, findByRef } from '../db/named-rows';
import { documentIds } from '../db/document-id';
import { findPage, type PageQuery } from '../db/page';
import { MailAuthError, validationError } from '../errors';
import { StepRecorder } from '../inbound/step-recorder';
import type { OutboundAccountRow } from '../outbound/account';
import { tokenIdOf } from '../outbound/account';
import { OUTBOUND_PRESETS } from '../outbound/presets';
import { outboundUpdateEffects } from '../outbound/update-effects';
import { hostFieldProblem } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { actorName, type Actor } from '../shared/actor';
import { OUTBOUND_ACCOUNT_UID, TOKEN_UID } from '../shared/content-type-uids';
import { OUTBOUND_PASSWORD_FIELD } from '../shared/secret-fields';
import type { TokenRow } from '../tokens/row';
import { sendTestMessage, testFailure } from '../test-and-confirm/outbound';
import type { TestReport } from '../test-and-confirm/test-report';
import { markedIncomplete } from '../transfer/stored-entries';
import {
  checkOutboundAccountRules,
  createOutboundAccountSchema,
  parseBody,
  updateOutboundAccountSchema,
  withDefaults,
  type OutboundAccountFields,
} from '../validation/outbound-account-input';
import { outboundDestinationChanges, secretRequiredAgain } from '../validation/destination';
import { accountWarnings, tokenWarningFacts, type AccountWarning } from '../warnings/account-warnings';

const testInputSchema = z.object({ to: z.string().trim().email('must be an email address to send the test message to') }).strict();

/** What POST /outbound-accounts/:id/test answers (200 whether the test passed or not). */
export interface OutboundTestResult {
  ok: boolean;
  messageId: string | null;
  steps: TestReport['steps'];
  advice: string | null;
  code: string | null;
  error: { code: string; message: string } | null;
  /** What the account's settings let one see coming (warnings/account-warnings.ts). */
  warnings: AccountWarning[];
}

/**
 * Outbound accounts as the admin API shows and edits them (CRUD, presets), and Test & confirm.
 * Sending itself is the `outbound` service.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const secrets = () => plugin().service('secrets');
  const tokens = () => plugin().service('tokens');
  const activity = () => plugin().service('activity');
  const db = () => strapi.db.query(OUTBOUND_ACCOUNT_UID);

  /** The account as the admin API shows it: never the password, only whether one is set. */
  type TokenFacts = { name: string; template: string; grantedBy: string | null; clientId: string; clientSecretExpiresOn: string | null };
  const warningsOf = (row: OutboundAccountRow, token: TokenFacts | null) =>
    accountWarnings({
      direction: 'outbound',
      host: row.type === 'smtp' ? (row.host ?? null) : null,
      authentication: row.useAuthentication === false ? null : (row.authentication ?? null),
      mailbox: row.fromAddress,
      sharedMailbox: row.sharedMailbox ?? false,
      ...tokenWarningFacts(token, pluginConfig(strapi, 'secretExpiryWarningDays')),
    });

  const view = (row: OutboundAccountRow) => {
    const token = row.oauthToken && typeof row.oauthToken === 'object' ? (tokens().view(row.oauthToken as unknown as TokenRow) as TokenFacts & { id: number; status: string }) : null;
    return {
      id: row.id,
      name: row.name,
      description: row.description ?? null,
      active: row.active ?? true,
      type: row.type,
      host: row.host ?? null,
      port: row.port ?? null,
      security: row.security ?? null,
      verifyCertificate: row.verifyCertificate ?? true,
      trustedCertificate: row.trustedCertificate ?? null,
      allowInsecureAuth: row.allowInsecureAuth ?? false,
      domain: row.domain ?? null,
      useAuthentication: row.useAuthentication ?? true,
      authentication: row.authentication ?? null,
      username: row.username ?? null,
      hasPassword: Boolean(row.password),
      oauthToken: token ? { id: token.id, name: token.name, template: token.template, status: token.status, grantedBy: token.grantedBy } : null,
      fromAddress: row.fromAddress,
      fromName: row.fromName ?? null,
      sharedMailbox: row.sharedMailbox ?? false,
      warnings: warningsOf(row, token),
      usage: row.usage ?? 'organization',
      applicationName: row.applicationName ?? null,
      confirmed: row.confirmed ?? false,
      confirmedAt: row.confirmedAt ?? null,
      lastError: row.lastError ?? null,
      lastSentAt: row.lastSentAt ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  };

  /** An account by id or name, with its token. */
  const findRow = async (ref: number | string): Promise<OutboundAccountRow> => {
    const row = await findByRef<OutboundAccountRow>(db(), ref, { oauthToken: true });
    if (!row) throw new MailAuthError('NOT_FOUND', `No outbound account ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}`);
    return row;
  };

  const tokenFacts = async (id: number | null | undefined) => {
    if (!id) return {};
    const token = (await strapi.db.query(TOKEN_UID).findOne({ where: { id }, select: ['id', 'template'] })) as { template: string } | null;
    return { tokenExists: Boolean(token), tokenTemplate: token?.template ?? null };
  };

  const assertUniqueName = (name: string, exceptId?: number) => assertNameFree(db(), name, 'outbound account', exceptId);

  const assertRules = async (merged: Partial<OutboundAccountFields>, hasPassword: boolean) => {
    const errors = checkOutboundAccountRules({ ...merged, hasPassword, ...(await tokenFacts(merged.oauthToken)) });
    if (errors.length) throw validationError(errors, 'Invalid outbound account');
    await assertHostAllowedHere(merged);
  };
  /** The plugin's allowedHosts / deniedNetworks for the SMTP host given (net/network-policy.ts). */
  const assertHostAllowedHere = async (merged: Partial<OutboundAccountFields>) => {
    const refused = merged.type === 'smtp' ? await hostFieldProblem(strapi, 'host', merged.host) : undefined;
    if (refused) throw validationError([refused], 'Invalid outbound account');
  };

  const record = (kind: string, row: { id: number; name: string }, actor?: Actor, extra: Record<string, unknown> = {}) =>
    activity().record({ kind, subjectType: 'outbound-account', subjectId: row.id, subjectName: row.name, actor: actorName(actor), ...extra });

  return {
    view,
    findRow,

    presets() {
      return OUTBOUND_PRESETS;
    },

    async list(query: PageQuery & { search?: string } = {}) {
      const where = query.search
        ? { $or: [{ name: { $containsi: query.search } }, { fromAddress: { $containsi: query.search } }, { host: { $containsi: query.search } }] }
        : {};
      return findPage(db(), query, { where, orderBy: { name: 'asc' }, populate: { oauthToken: true } }, view);
    },

    async get(ref: number | string) {
      return view(await findRow(ref));
    },

    async create(body: unknown, actor?: Actor) {
      const input = withDefaults(parseBody(createOutboundAccountSchema, body));
      await assertRules(input, Boolean(input.password));
      await assertUniqueName(input.name);
      // Made here rather than by Strapi: the password is bound to its row.
      const [documentId] = documentIds(1);
      const data: Record<string, unknown> = {
        ...input,
        documentId,
        password: input.password ? secrets().encrypt(input.password, OUTBOUND_PASSWORD_FIELD, documentId) : null,
        confirmed: false,
      };
      const created = (await db().create({ data })) as OutboundAccountRow;
      await record('outbound-account.created', created, actor);
      return view(await findRow(created.id));
    },

    async update(id: number, body: unknown, actor?: Actor) {
      const row = await findRow(id);
      const input = parseBody(updateOutboundAccountSchema, body);
      // password: absent keeps the stored one, null or '' removes it.
      const { password, ...rest } = input;
      const stored: Partial<OutboundAccountFields> = {
        ...(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as Partial<OutboundAccountFields>),
        oauthToken: tokenIdOf(row) ?? null,
      };
      const merged = withDefaults({ ...stored, ...rest });
      // Another type, host, port or security mode: the stored password is not kept for it (see validation/destination.ts).
      const moved = password === undefined && row.password ? outboundDestinationChanges(withDefaults(stored), merged) : [];
      const hasPassword = password === undefined ? Boolean(row.password) && !moved.length : Boolean(password);
      const errors = checkOutboundAccountRules({ ...merged, hasPassword, ...(await tokenFacts(merged.oauthToken)) })
        .map((e) => (moved.length && e.path[0] === 'password' ? secretRequiredAgain('password', moved) : e));
      if (errors.length) throw validationError(errors, 'Invalid outbound account');
      if (rest.host !== undefined) await assertHostAllowedHere(merged);
      if (rest.name !== undefined) await assertUniqueName(rest.name, id);
      const data: Record<string, unknown> = { ...rest };
      // What withDefaults derived (a port for a new security mode, OAuth for the REST types) is stored too.
      for (const field of ['port', 'security', 'useAuthentication', 'authentication'] as const) {
        if (merged[field] !== undefined && merged[field] !== (row[field] ?? undefined)) data[field] = merged[field];
      }
      if (password !== undefined) data.password = password ? secrets().encrypt(password, OUTBOUND_PASSWORD_FIELD, row.documentId) : null;
      // Not needed where it now points (no authentication, OAuth2): removed rather than kept for a later switch back.
      else if (moved.length) data.password = null;
      const clearedSecrets = moved.length ? ['password'] : [];
      const fields = Object.keys(input) as (keyof OutboundAccountFields)[];
      const changed = fields.filter((f) => f === 'password' || JSON.stringify(input[f] ?? null) !== JSON.stringify(stored[f] ?? null));
      Object.assign(data, outboundUpdateEffects(changed));
      // Saved through the form, the account passed every rule: the mark an import left goes.
      if (markedIncomplete(row)) data.lastError = null;
      await db().update({ where: { id }, data });
      const updated = await findRow(id);
      await record('outbound-account.updated', updated, actor, { details: { fields: Object.keys(input), ...(clearedSecrets.length ? { clearedSecrets } : {}) } });
      return { ...view(updated), clearedSecrets };
    },

    async delete(id: number, actor?: Actor) {
      const row = await findRow(id);
      await db().delete({ where: { id } });
      await record('outbound-account.deleted', row, actor);
      return view(row);
    },

    /**
     * Test & confirm (test-and-confirm/outbound.ts): success marks the account confirmed; a
     * failure stores the error and advice.
     */
    async test(id: number, body: unknown, actor?: Actor): Promise<OutboundTestResult> {
      const { to } = parseBody(testInputSchema, body);
      const row = await findRow(id);
      const outbound = plugin().service('outbound') as ReturnType<typeof import('./outbound').default>;
      const recorder = new StepRecorder();
      const at = new Date();
      try {
        const result = await sendTestMessage(outbound, row, to, at, recorder);
        await db().update({ where: { id }, data: { confirmed: true, confirmedAt: at, lastError: null, lastSentAt: new Date() } });
        await record('outbound-account.tested', row, actor, { outcome: 'success', message: `Test message accepted: ${result.response}`, details: { recipients: 1, messageId: result.messageId } });
        return { ok: true, messageId: result.messageId, steps: recorder.steps, advice: null, code: null, error: null, warnings: view(row).warnings };
      } catch (e) {
        const { error, code, lastError } = testFailure(e, recorder);
        await db().update({ where: { id }, data: { confirmed: false, confirmedAt: null, lastError } });
        await record('outbound-account.tested', row, actor, { outcome: 'failure', code, message: error.message });
        return { ok: false, messageId: null, steps: recorder.steps, advice: error.advice ?? null, code, error: { code, message: error.message }, warnings: view(row).warnings };
      }
    },
  };
};
