import { pluginConfig } from '../config/plugin-config';
import { documentIds } from '../db/document-id';
import { hostFieldProblem } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { dateOnly } from '../db/date-only';
import { actorName } from '../shared/actor';
import { TOKEN_UID } from '../shared/content-type-uids';
import { DROPPED_GRANT, type TokenRow } from '../tokens/row';
import { secretRequiredAgain, tokenDestinationChanges } from '../validation/destination';
import type { FieldError } from '../errors';
import { toFieldErrors } from '../validation/format-issues';
import { configurationProblems } from '../validation/token-input';
import { differingPaths } from './compare';
import { documentPath, readTokenEntry, writeTokenEntry, type ExportedToken, type Grant, type ImportedToken } from './format';
import type { EntryKind, EntryPlan, ReadEntryResult } from './kinds';
import { tokenEntrySchema } from './schema';
import { assertNameOnce, configurationRequired, markedIncomplete, sameName } from './stored-entries';

/** OAuth2 tokens as document entries: `Kind: OAuth2Token`, or no Kind at all (Znuny's files). */

interface Secrets {
  encrypt(plain: string, field: string, row?: string): string;
  open(stored: string | null | undefined, field: string, row?: string): string | undefined;
}

const FIELD = {
  clientSecret: 'oauth-token.clientSecret',
  accessToken: 'oauth-token.accessToken',
  refreshToken: 'oauth-token.refreshToken',
} as const;

const date = (value: string | Date | null | undefined) => (value ? new Date(value) : null);

/** The stored row as the format module sees it; secrets decrypted only when asked for. */
function exportedFrom(row: TokenRow, secrets: Secrets, include: { clientSecret: boolean; grant: boolean }): ExportedToken {
  const token: ExportedToken = {
    name: row.name,
    template: row.template,
    grantType: row.grantType,
    description: row.description || null,
    clientId: row.clientId ?? '',
    clientSecretExpiresOn: dateOnly(row.clientSecretExpiresOn),
    clientAuthMethod: row.clientAuthMethod ?? 'client_secret_post',
    tenant: row.tenant || null,
    issuer: row.issuer || null,
    authorizationEndpoint: row.authorizationEndpoint || null,
    tokenEndpoint: row.tokenEndpoint || null,
    deviceAuthorizationEndpoint: row.deviceAuthorizationEndpoint || null,
    scope: row.scope || null,
    extraAuthorizationParams: row.extraAuthorizationParams && Object.keys(row.extraAuthorizationParams).length ? row.extraAuthorizationParams : null,
    pkce: row.pkce ?? true,
    active: row.active ?? true,
    notifyOnExpiredToken: row.notifyOnExpiredToken ?? true,
    notifyOnExpiredRefreshToken: row.notifyOnExpiredRefreshToken ?? true,
  };
  if (include.clientSecret) token.clientSecret = secrets.open(row.clientSecret, FIELD.clientSecret, row.documentId) ?? null;
  if (include.grant) {
    token.grant = {
      accessToken: secrets.open(row.accessToken, FIELD.accessToken, row.documentId) ?? null,
      accessTokenExpiresAt: date(row.accessTokenExpiresAt),
      refreshToken: secrets.open(row.refreshToken, FIELD.refreshToken, row.documentId) ?? null,
      refreshTokenExpiresAt: date(row.refreshTokenExpiresAt),
      grantedBy: row.grantedBy ?? null,
      grantedScope: row.grantedScope ?? null,
      grantedAt: date(row.grantedAt),
    };
  }
  return token;
}

/** The entry as it will be stored: what the file leaves out is what is stored (or nothing, for a new token). */
function merged(token: ImportedToken, stored: ExportedToken | undefined): ExportedToken {
  const { clientId, clientSecret, grant, ...rest } = token;
  return {
    ...rest,
    clientId: clientId ?? stored?.clientId ?? '',
    clientSecret: clientSecret ?? stored?.clientSecret ?? null,
    grant: grant ?? stored?.grant,
  };
}

function grantData(grant: Grant, secrets: Secrets, row: string | undefined) {
  return {
    accessToken: grant.accessToken ? secrets.encrypt(grant.accessToken, FIELD.accessToken, row) : null,
    accessTokenExpiresAt: grant.accessTokenExpiresAt,
    refreshToken: grant.refreshToken ? secrets.encrypt(grant.refreshToken, FIELD.refreshToken, row) : null,
    refreshTokenExpiresAt: grant.refreshTokenExpiresAt,
    grantedBy: grant.grantedBy,
    grantedScope: grant.grantedScope,
    grantedAt: grant.grantedAt,
    failureCount: 0,
    nextAttemptAt: null,
    // A refresh sent with the refresh token this replaces says nothing about the imported one.
    refreshSentBy: null,
    refreshSentAt: null,
  };
}

export const oauthTokenKind: EntryKind<ImportedToken> = {
  kind: 'OAuth2Token',
  label: 'OAuth2 token',
  order: 0,

  available: (strapi) => Boolean(strapi.contentTypes[TOKEN_UID as keyof typeof strapi.contentTypes]),

  read(raw): ReadEntryResult<ImportedToken> {
    const parsed = tokenEntrySchema.safeParse(raw);
    if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error) };
    const result = readTokenEntry(parsed.data);
    return result.ok ? { ok: true, entry: { name: result.token.name, value: result.token } } : result;
  },

  async storedNames(strapi) {
    const rows = (await strapi.db.query(TOKEN_UID).findMany({ select: ['name'] })) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  },

  async export(strapi, { names, secrets: withSecrets }) {
    const secrets = strapi.plugin(PLUGIN_ID).service('secrets') as Secrets;
    const where = names ? { name: { $in: [...names] } } : {};
    const rows = (await strapi.db.query(TOKEN_UID).findMany({ where })) as TokenRow[];
    return rows.map((row) => ({
      name: row.name,
      entry: writeTokenEntry(exportedFrom(row, secrets, { clientSecret: withSecrets, grant: withSecrets })),
    }));
  },

  async plan(strapi, entries, { actor }) {
    const plugin = strapi.plugin(PLUGIN_ID);
    const secrets = plugin.service('secrets') as Secrets;
    const activity = plugin.service('activity');
    const allowHttpLoopback = Boolean(pluginConfig(strapi, 'allowHttpLoopback'));
    const db = strapi.db.query(TOKEN_UID);
    const rows = (await db.findMany({ where: { name: { $in: entries.map((e) => e.name) } } })) as TokenRow[];

    // The plugin's allowedHosts / deniedNetworks for the token's URLs, as the admin API applies them (net/network-policy.ts).
    const refusedUrls = new Map<string, FieldError[]>();
    for (const { value: token } of entries) {
      const refused: FieldError[] = [];
      for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const) {
        const url = token[field];
        const problem = url && URL.canParse(url) ? await hostFieldProblem(strapi, field, new URL(url).hostname) : undefined;
        if (problem) refused.push({ path: documentPath(field, token.grantType), message: problem.message });
      }
      if (refused.length) refusedUrls.set(token.name, refused);
    }

    return entries.map(({ value: token }): EntryPlan => {
      const row = sameName(rows, token.name);
      // Decrypt only what the file would compare against: a secret left out is kept, not compared.
      const stored = row && exportedFrom(row, secrets, { clientSecret: token.clientSecret !== undefined, grant: token.grant !== undefined });
      // Another issuer or endpoint: a client secret the file leaves out is cleared, and the grant goes (validation/destination.ts).
      const moved = row ? tokenDestinationChanges(row, token) : [];
      const secretCleared = moved.length > 0 && Boolean(row?.clientSecret) && token.clientSecret === undefined;
      const result = merged(token, stored);
      // The rules look at whether a secret is set; a kept one is not decrypted for that.
      const secretSet = token.clientSecret ?? (row?.clientSecret && !secretCleared ? 'stored' : null);
      const fieldProblems: FieldError[] = [
        ...(secretCleared ? [secretRequiredAgain('clientSecret', moved, 'import')] : []),
        ...configurationProblems({ ...result, clientSecret: secretSet }, { allowHttpLoopback }).filter((p) => !(secretCleared && p.path[0] === 'clientSecret')),
      ];
      const problems = fieldProblems.map((p) => ({ path: documentPath(p.path[0], token.grantType), message: p.message }));

      const hasTokens = (grant: Grant | undefined) => Boolean(grant?.accessToken || grant?.refreshToken);
      const configurationMark = () => ({ status: 'error', lastError: configurationRequired('token', fieldProblems) });
      const { grant, clientSecret, clientId, ...config } = token;
      const record = (kind: string, id: number, details: Record<string, unknown>) =>
        activity.record({ kind, subjectType: 'token', subjectId: id, subjectName: token.name, actor: actorName(actor), details: { via: 'import', ...details } });

      const errors = refusedUrls.get(token.name);
      if (!row) {
        return {
          problems,
          errors,
          async write() {
            // Made here rather than by Strapi: the secrets are bound to the row they go into.
            const [documentId] = documentIds(1);
            const data: Record<string, unknown> = {
              ...config,
              documentId,
              clientId: clientId ?? '',
              clientSecret: clientSecret ? secrets.encrypt(clientSecret, FIELD.clientSecret, documentId) : null,
              ...(grant ? grantData(grant, secrets, documentId) : {}),
              status: hasTokens(grant) ? 'valid' : 'not-authorized',
              lastError: null,
              ...(fieldProblems.length ? configurationMark() : {}),
            };
            const created = (await db.create({ data })) as TokenRow;
            await assertNameOnce(db, token.name, 'token');
            await record('token.created', created.id, { needsConfiguration: fieldProblems.length > 0 });
          },
        };
      }

      const changes = differingPaths(writeTokenEntry(stored!), writeTokenEntry(result));
      const conflicts: FieldError[] =
        row.template === token.template
          ? []
          : [
              {
                path: ['MailAuth', 'Template'],
                message: `is ${token.template}, but the stored token "${row.name}" uses ${row.template}, and a token's template cannot change: delete the stored token or rename the entry`,
              },
            ];
      return {
        existing: { id: row.id, changes, conflicts },
        problems,
        errors,
        async write() {
          const data: Record<string, unknown> = { ...config };
          if (clientId !== undefined) data.clientId = clientId;
          if (clientSecret !== undefined) data.clientSecret = secrets.encrypt(clientSecret, FIELD.clientSecret, row.documentId);
          else if (secretCleared) data.clientSecret = null;
          if (moved.length && !grant) Object.assign(data, DROPPED_GRANT);
          if (grant) Object.assign(data, grantData(grant, secrets, row.documentId), { status: hasTokens(grant) ? 'valid' : 'not-authorized', lastError: null });
          if (fieldProblems.length) {
            Object.assign(data, configurationMark());
          } else if (markedIncomplete(row)) {
            // Complete now: the mark an earlier import left goes.
            const tokensAfter = grant ? hasTokens(grant) : Boolean(row.accessToken || row.refreshToken);
            Object.assign(data, { status: tokensAfter ? 'valid' : 'not-authorized', lastError: null });
          }
          await db.update({ where: { id: row.id }, data });
          const clearedSecrets = [...(secretCleared ? ['clientSecret'] : []), ...(moved.length && !grant ? (['accessToken', 'refreshToken'] as const).filter((f) => row[f]) : [])];
          await record('token.updated', row.id, { fields: changes, needsConfiguration: fieldProblems.length > 0, ...(clearedSecrets.length ? { clearedSecrets } : {}) });
        },
      };
    });
  },
};
