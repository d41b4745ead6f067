import { z } from 'zod';

import { findTemplate, templates, type ProviderTemplate } from '../providers';
import { MICROSOFT_TENANT_CHOICES } from '../providers/microsoft';
import { isLoopbackUrl } from '../oauth/settings';
import { validationError, type FieldError } from '../errors';
import { toFieldErrors } from './format-issues';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

/** A calendar date, YYYY-MM-DD, that exists (no 2026-02-30). */
const isoDate = z.string().refine((v) => {
  const day = new Date(`${v}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(day.getTime()) && day.toISOString().startsWith(v);
}, 'must be a date as YYYY-MM-DD, one that exists');

/** Microsoft Entra ID makes client secrets that last at most 24 months. */
export const MICROSOFT_SECRET_MONTHS = 24;

/** The fields an admin may write; everything else about a token is its state. */
export const tokenFieldsSchema = z
  .object({
    name: text(100).min(1, 'is required'),
    description: text(2000).nullable(),
    template: z.string(),
    clientId: text(500).min(1, 'is required'),
    clientSecret: z.string().max(4000, 'must be at most 4000 characters').nullable(),
    /** When the client secret stops working (Azure shows it when the secret is made): warned of ahead. */
    clientSecretExpiresOn: isoDate.nullable(),
    clientAuthMethod: z.enum(['client_secret_post', 'client_secret_basic']),
    tenant: text(200).nullable(),
    issuer: text(2000).nullable(),
    authorizationEndpoint: text(2000).nullable(),
    tokenEndpoint: text(2000).nullable(),
    deviceAuthorizationEndpoint: text(2000).nullable(),
    scope: text(4000).nullable(),
    extraAuthorizationParams: z.record(z.string().max(2000)).nullable(),
    pkce: z.boolean(),
    active: z.boolean(),
    notifyOnExpiredToken: z.boolean(),
    notifyOnExpiredRefreshToken: z.boolean(),
  })
  .strict();

export type TokenFields = z.infer<typeof tokenFieldsSchema>;

export const createTokenSchema = tokenFieldsSchema.partial().required({ name: true, template: true, clientId: true });
export const updateTokenSchema = tokenFieldsSchema.partial();

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

const RESERVED_PARAMS = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'response_type', 'scope'];

/**
 * The checks that depend on the template and on each other, on the merged token
 * (stored values plus the update). Returns field errors; none means valid.
 */
export function checkTokenRules(t: Partial<TokenFields>, options: { allowHttpLoopback: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ path: [field], message });
  const template: ProviderTemplate | undefined = t.template ? findTemplate(t.template) : undefined;
  if (!template) {
    add('template', `must be one of: ${templates.map((x) => x.id).join(', ')}`);
    return errors;
  }

  for (const field of template.required) {
    const value = t[field as keyof TokenFields];
    if (value === undefined || value === null || value === '') add(field, 'is required for this template');
  }

  if (t.tenant && template.fields.includes('tenant')) {
    const tenant = t.tenant;
    if (!MICROSOFT_TENANT_CHOICES.includes(tenant) && !TENANT_ID.test(tenant) && !TENANT_DOMAIN.test(tenant)) {
      add('tenant', 'must be common, consumers, organizations, a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com');
    }
  }
  if (template.id === 'microsoft-app-only' && t.tenant && MICROSOFT_TENANT_CHOICES.includes(t.tenant)) {
    add(
      'tenant',
      `app-only (client credentials) tokens are issued only by the tenant's own endpoint, never by /${t.tenant}: enter the Directory (tenant) ID from the app registration's Overview page, or the tenant's domain`
    );
  }

  const urlFields = ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'deviceAuthorizationEndpoint'] as const;
  for (const field of urlFields) {
    const value = t[field];
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      add(field, 'must be an absolute URL (https://…)');
      continue;
    }
    const loopbackHttp = url.protocol === 'http:' && isLoopbackUrl(value);
    if (url.protocol !== 'https:' && !(loopbackHttp && options.allowHttpLoopback)) {
      add(field, 'must be an https URL');
    }
  }

  if (!template.endpoints) {
    if (!t.tokenEndpoint && !t.issuer) add('tokenEndpoint', 'is required (or an issuer to discover it from)');
    if (template.grantType === 'authorization_code' && !t.authorizationEndpoint && !t.issuer) {
      add('authorizationEndpoint', 'is required (or an issuer to discover it from)');
    }
    if ((t.scope ?? '').split(/\s+/).includes('openid') && !t.issuer) {
      add('issuer', 'is required when the scope includes openid (the id_token is checked against it)');
    }
  }

  if (t.clientSecretExpiresOn && template.id.startsWith('microsoft')) {
    const latest = new Date();
    latest.setUTCMonth(latest.getUTCMonth() + MICROSOFT_SECRET_MONTHS);
    latest.setUTCDate(latest.getUTCDate() + 1);
    if (new Date(`${t.clientSecretExpiresOn}T00:00:00Z`) > latest) {
      add(
        'clientSecretExpiresOn',
        `must be at most ${MICROSOFT_SECRET_MONTHS} months from today: Microsoft Entra client secrets last no longer (copy the date from the "Expires" column under Certificates & secrets)`
      );
    }
  }

  for (const key of Object.keys(t.extraAuthorizationParams ?? {})) {
    if (RESERVED_PARAMS.includes(key)) add('extraAuthorizationParams', `"${key}" is set by the plugin and cannot be overridden`);
  }
  return errors;
}

/**
 * Everything that keeps a stored token from being used: the rules above plus the fields
 * the input schema requires. A token created through the admin API never has any (the API
 * refuses them); an imported token may, and stays unusable until they are fixed.
 */
export function configurationProblems(t: Partial<TokenFields>, options: { allowHttpLoopback: boolean }): FieldError[] {
  const missing: FieldError[] = [];
  if (!t.clientId) missing.push({ path: ['clientId'], message: 'is required' });
  return [...missing, ...checkTokenRules(t, options)];
}

/** Parses a body with a zod schema, throwing a VALIDATION error that names each field. */
export function parseInput<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw validationError(toFieldErrors(result.error), 'Invalid input');
  }
  return result.data;
}
