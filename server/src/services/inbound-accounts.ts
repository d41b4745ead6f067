import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { assertNameFree, findByRef } from '../db/named-rows';
import { documentIds } from '../db/document-id';
import { findPage, type PageQuery } from '../db/page';
import { MailAuthError, validationError } from '../errors';
import { ACCOUNT_TYPES, actionAfterFetchOf, TYPE_INFO, type AccountType } from '../inbound/account-types';
import type { InboundAccountRow } from '../inbound/account-row';
import { endpointOf } from '../inbound/create-source';
import { sourceEnvironment } from '../inbound/environment';
import { INBOUND_PRESETS } from '../inbound/presets';
import { inboundUpdateEffects } from '../inbound/update-effects';
import { hostFieldProblem } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { actorName, type Actor } from '../shared/actor';
import { INBOUND_ACCOUNT_UID, RECEIPT_UID, TOKEN_UID } from '../shared/content-type-uids';
import { INBOUND_PASSWORD_FIELD } from '../shared/secret-fields';
import { testInboundAccount } from '../test-and-confirm/inbound';
import { markedIncomplete } from '../transfer/stored-entries';
import {
  checkInboundAccountRules,
  createInboundAccountSchema,
  updateInboundAccountSchema,
  type AccountForRules,
  type InboundAccountFields,
} from '../validation/inbound-account-input';
import { inboundDestinationChanges, secretRequiredAgain } from '../validation/destination';
import { parseInput } from '../validation/token-input';
import { accountWarnings, tokenWarningFacts } from '../warnings/account-warnings';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const secrets = () => plugin().service('secrets');
  const activity = () => plugin().service('activity');
  const db = () => strapi.db.query(INBOUND_ACCOUNT_UID);
  const populate = { oauthToken: { select: ['id', 'name', 'template', 'grantType', 'status', 'active', 'grantedBy', 'clientId', 'clientSecretExpiresOn'] } };

  /** A mailbox named beside the login is the account saying that it reads a shared mailbox. */
  const warningsOf = (row: InboundAccountRow, host: string | null) =>
    accountWarnings({
      direction: 'inbound',
      host,
      authentication: row.authentication ?? 'password',
      mailbox: row.mailbox || row.login || null,
      sharedMailbox: Boolean(row.mailbox),
      ...tokenWarningFacts(row.oauthToken, pluginConfig(strapi, 'secretExpiryWarningDays')),
    });

  /** The account as the admin API shows it: never the password, only whether one is set. */
  const view = (row: InboundAccountRow) => {
    const info = TYPE_INFO[row.type];
    const { host, port } = endpointOf(row, sourceEnvironment(strapi));
    return {
      id: row.id,
      name: row.name,
      description: row.description ?? null,
      active: row.active ?? true,
      type: row.type,
      protocol: info.protocol,
      host,
      port,
      certificateValidation: row.certificateValidation ?? true,
      trustedCertificate: row.trustedCertificate ?? null,
      allowInsecureAuth: row.allowInsecureAuth ?? false,
      login: row.login ?? null,
      mailbox: row.mailbox ?? null,
      authentication: row.authentication ?? 'password',
      oauthToken: row.oauthToken ? { id: row.oauthToken.id, name: row.oauthToken.name, template: row.oauthToken.template, status: row.oauthToken.status ?? null } : null,
      hasPassword: Boolean(row.password),
      folder: info.folders ? row.folder || 'INBOX' : null,
      actionAfterFetch: actionAfterFetchOf(row),
      moveTo: row.moveTo ?? null,
      // IMAP only; the other protocols are polled (Graph and Gmail incrementally)
      idle: info.protocol === 'imap' ? row.idle ?? true : null,
      // an instance holds it in IDLE now (connected or connecting); otherwise it is polled
      idleActive: Boolean(row.idleUntil && new Date(row.idleUntil).getTime() > Date.now()),
      pollInterval: row.pollInterval ?? 300,
      maxMessagesPerPoll: row.maxMessagesPerPoll ?? 500,
      queue: row.queue ?? null,
      trusted: row.trusted ?? false,
      scope: row.scope ?? 'organization',
      application: row.application ?? null,
      confirmed: row.confirmed ?? false,
      confirmedAt: row.confirmedAt ?? null,
      lastTestAt: row.lastTestAt ?? null,
      lastPollAt: row.lastPollAt ?? null,
      lastPollResult: row.lastPollResult ?? null,
      lastError: row.lastError ?? null,
      warnings: warningsOf(row, host),
      state: {
        imapUidValidity: row.imapUidValidity ?? null,
        imapLastUid: row.imapLastUid == null ? null : Number(row.imapLastUid),
        hasSyncCursor: Boolean(row.syncCursor),
      },
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  };

  const find = async (ref: number | string): Promise<InboundAccountRow> => {
    const row = await findByRef<InboundAccountRow>(db(), ref, populate);
    if (!row) throw new MailAuthError('NOT_FOUND', `No inbound account ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}`);
    return row;
  };

  const findToken = async (ref: number | string | null | undefined) => {
    if (ref === null || ref === undefined) return { token: null, missing: false };
    const where = typeof ref === 'number' ? { id: ref } : { name: ref };
    const token = (await strapi.db.query(TOKEN_UID).findOne({ where, select: ['id', 'name', 'grantType'] })) as { id: number; grantType: string } | null;
    return { token, missing: !token };
  };

  const assertUniqueName = (name: string, exceptId?: number) => assertNameFree(db(), name, 'inbound account', exceptId);

  /** An account changed here: its IDLE connection follows at once (other instances at their next tick). */
  const watchChanged = () => void plugin().service('idle-watcher').reconcile();

  /** Validates the merged account and returns the data to write. */
  const prepare = async (input: Partial<InboundAccountFields>, stored?: InboundAccountRow) => {
    const type = (input.type ?? stored?.type) as AccountType;
    const info = TYPE_INFO[type];
    const tokenRef = input.oauthToken !== undefined ? input.oauthToken : stored?.oauthToken?.id ?? null;
    const { token, missing } = await findToken(tokenRef);
    // Another type, host or port: the stored password is not kept for it (see validation/destination.ts).
    const moved = stored && input.password === undefined && stored.password
      ? inboundDestinationChanges(stored, { type, host: input.host !== undefined ? input.host : stored.host, port: input.port !== undefined ? input.port : stored.port }, sourceEnvironment(strapi))
      : [];
    const hasPassword = input.password !== undefined ? Boolean(input.password) : Boolean(stored?.password) && !moved.length;
    const merged: AccountForRules = {
      ...(stored ? (view(stored) as unknown as AccountForRules) : {}),
      ...(stored ? { folder: stored.folder ?? null, actionAfterFetch: stored.actionAfterFetch ?? undefined } : {}),
      ...Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'password' && k !== 'oauthToken')),
      hasPassword,
      token,
      tokenMissing: missing,
    };
    merged.actionAfterFetch ??= info?.defaultAction;
    const errors = checkInboundAccountRules(merged).map((e) => (moved.length && e.path[0] === 'password' ? secretRequiredAgain('password', moved) : e));
    if (errors.length) throw validationError(errors, 'Invalid inbound account');
    if (input.host !== undefined || !stored) {
      const refused = await hostFieldProblem(strapi, 'host', input.host !== undefined ? input.host : stored?.host);
      if (refused) throw validationError([refused], 'Invalid inbound account');
    }

    const { password, oauthToken: _token, ...rest } = input;
    const data: Record<string, unknown> = { ...rest };
    if (input.oauthToken !== undefined) data.oauthToken = token ? token.id : null;
    if (merged.authentication === 'password' && (stored?.oauthToken || input.oauthToken)) data.oauthToken = null;
    // Made here rather than by Strapi for a new account: the password is bound to its row.
    if (!stored) data.documentId = documentIds(1)[0];
    const row = stored?.documentId ?? (data.documentId as string);
    if (password !== undefined) data.password = password ? secrets().encrypt(password, INBOUND_PASSWORD_FIELD, row) : null;
    // Not needed where it now points (OAuth2 sign-in): removed rather than kept for a later switch back.
    else if (moved.length) data.password = null;
    if (!stored) {
      data.actionAfterFetch ??= info.defaultAction;
      if (!info.folders) data.folder = null;
    }
    return { data, clearedSecrets: moved.length ? ['password'] : [] };
  };

  return {
    view,
    find,

    presets() {
      return {
        presets: INBOUND_PRESETS,
        types: ACCOUNT_TYPES.map((t) => {
          const info = TYPE_INFO[t];
          return {
            type: t,
            label: info.label,
            protocol: info.protocol,
            security: info.security,
            defaultHost: info.defaultHost ?? null,
            defaultPort: info.defaultPort,
            folders: info.folders,
            actions: info.actions,
            defaultAction: info.defaultAction,
            password: info.password,
          };
        }),
      };
    },

    async list(query: PageQuery & { search?: string } = {}) {
      const where = query.search
        ? { $or: [{ name: { $containsi: query.search } }, { login: { $containsi: query.search } }, { mailbox: { $containsi: query.search } }, { host: { $containsi: query.search } }] }
        : {};
      return findPage(db(), query, { where, populate, orderBy: { name: 'asc' } }, view);
    },

    async get(ref: number | string) {
      return view(await find(ref));
    },

    async create(body: unknown, actor?: Actor) {
      const input = parseInput(createInboundAccountSchema, body);
      await assertUniqueName(input.name);
      const { data } = await prepare(input);
      const created = (await db().create({ data })) as { id: number };
      const row = await find(created.id);
      watchChanged();
      await activity().record({ kind: 'inbound-account.created', subjectType: 'inbound-account', subjectId: row.id, subjectName: row.name, actor: actorName(actor) });
      return view(row);
    },

    async update(id: number, body: unknown, actor?: Actor) {
      const stored = await find(id);
      const input = parseInput(updateInboundAccountSchema, body);
      if (input.name !== undefined) await assertUniqueName(input.name, id);
      const { data, clearedSecrets } = await prepare(input, stored);
      Object.assign(data, inboundUpdateEffects(strapi, stored, data, Object.keys(input)));
      // Saved through the form, the account passed every rule: the mark an import left goes.
      if (markedIncomplete(stored)) data.lastError = null;
      await db().update({ where: { id }, data });
      const row = await find(id);
      watchChanged();
      await activity().record({
        kind: 'inbound-account.updated',
        subjectType: 'inbound-account',
        subjectId: id,
        subjectName: row.name,
        actor: actorName(actor),
        details: { fields: Object.keys(input), ...(clearedSecrets.length ? { clearedSecrets } : {}) },
      });
      return { ...view(row), clearedSecrets };
    },

    async delete(id: number, actor?: Actor) {
      const row = await find(id);
      await db().delete({ where: { id } });
      // The receipts go with the account; its messages stay (they name it by accountName).
      await strapi.db.query(RECEIPT_UID).deleteMany({ where: { accountId: id } });
      watchChanged();
      await activity().record({ kind: 'inbound-account.deleted', subjectType: 'inbound-account', subjectId: id, subjectName: row.name, actor: actorName(actor) });
      return view(row);
    },

    /** Test & confirm: connects for real; on success the account is confirmed. */
    async test(id: number, actor?: Actor) {
      const row = await find(id);
      const report = await testInboundAccount(row, sourceEnvironment(strapi));
      const now = new Date();
      await db().update({
        where: { id },
        data: report.ok
          ? { confirmed: true, confirmedAt: now, lastTestAt: now, lastError: null }
          : {
              confirmed: false,
              lastTestAt: now,
              lastError: {
                code: report.code ?? 'error',
                ...(report.error?.providerCode ? { providerCode: report.error.providerCode } : {}),
                message: report.error?.message ?? 'Test failed',
                advice: report.advice ?? null,
                at: now.toISOString(),
              },
            },
      });
      await activity().record({
        kind: 'inbound-account.tested',
        subjectType: 'inbound-account',
        subjectId: id,
        subjectName: row.name,
        outcome: report.ok ? 'success' : 'failure',
        code: report.code,
        message: report.ok ? 'Confirmed' : report.error?.message,
        actor: actorName(actor),
        details: { steps: report.steps.map((s) => ({ name: s.name, ok: s.ok, ms: s.ms })) },
      });
      const { error: _error, ...answer } = report;
      return { ...answer, warnings: warningsOf(row, endpointOf(row, sourceEnvironment(strapi)).host) };
    },
  };
};
