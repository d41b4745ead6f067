import { z } from 'zod';

import { templates } from '../providers';
import { MAX_PARAMETERS } from './limits';

/**
 * The shape of a token entry in an import document: Znuny's OAuth2 token configuration
 * (Name, Config) plus the plugin's own fields under MailAuth. Only the shape is checked
 * here (keys, types, lengths); how the parts fit together is format.ts's business.
 * Unknown keys are refused by name. Numbers arrive as text (see yaml-document.ts).
 */

/** A mapping (key: value), with the messages people understand. */
export const MAPPING = { invalid_type_error: 'must be a mapping (key: value)', required_error: 'is required' };

export const text = (max: number) =>
  z.string({ invalid_type_error: 'must be text', required_error: 'is required' }).max(max, `must be at most ${max} characters`);

/** Znuny writes 1/0, people write true/false. */
export const flag = z.any().transform((value, ctx) => {
  if (value === true || value === '1') return true;
  if (value === false || value === '0') return false;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be 1 or 0 (or true or false)' });
  return z.NEVER;
});

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

const url = text(2000).refine(isHttpUrl, 'must be an absolute http(s) URL');

const timestamp = text(40).refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date and time (ISO 8601)');

/** Parameter names as OAuth uses them; never a name that means something to JavaScript objects. */
const PARAMETER_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
const parameterName = z
  .string()
  .regex(PARAMETER_NAME, 'must be a parameter name (letters, digits, _ . : -)')
  .refine((name) => !['__proto__', 'constructor', 'prototype'].includes(name), 'is not allowed as a parameter name');

const parameters = z
  .record(parameterName, text(2000), MAPPING)
  .refine((map) => Object.keys(map).length <= MAX_PARAMETERS, `must have at most ${MAX_PARAMETERS} entries`)
  .nullable();

/** One of Znuny's request descriptions: what is sent where, and how answers map to fields. */
const requestSchema = z
  .object({
    Request: z
      .object({
        URL: url.nullable().optional(),
        Parameters: parameters.optional(),
        AutofilledParametersMapping: parameters.optional(),
      }, MAPPING)
      .strict(),
    Response: z.object({ ParametersMapping: parameters.optional() }, MAPPING).strict().nullable().optional(),
  }, MAPPING)
  .strict();

export type RequestEntry = z.infer<typeof requestSchema>;

export const REQUEST_NAMES = ['AuthorizationCode', 'TokenByAuthorizationCode', 'TokenByRefreshToken', 'TokenByClientCredentials'] as const;
export type RequestName = (typeof REQUEST_NAMES)[number];

const configSchema = z
  .object({
    AuthFlow: z.enum(['AuthorizationCode', 'ClientCredentials'], { message: 'must be AuthorizationCode or ClientCredentials' }).optional(),
    ClientID: text(500).nullable().optional(),
    ClientSecret: text(4000).nullable().optional(),
    Scope: text(4000).nullable().optional(),
    // Znuny records the template a configuration was made from; the plugin detects it from the URLs.
    TemplateName: text(200).nullable().optional(),
    Requests: z
      .object(Object.fromEntries(REQUEST_NAMES.map((name) => [name, requestSchema.optional()])) as Record<RequestName, z.ZodOptional<typeof requestSchema>>, MAPPING)
      .strict()
      .nullable()
      .optional(),
    Notifications: z
      .object({ NotifyOnExpiredToken: flag.optional(), NotifyOnExpiredRefreshToken: flag.optional() }, MAPPING)
      .strict()
      .nullable()
      .optional(),
  }, MAPPING)
  .strict();

/** What the provider granted: only in an export made with secrets included. */
const grantSchema = z
  .object({
    AccessToken: text(20_000).nullable().optional(),
    AccessTokenExpiresAt: timestamp.nullable().optional(),
    RefreshToken: text(20_000).nullable().optional(),
    RefreshTokenExpiresAt: timestamp.nullable().optional(),
    GrantedBy: text(320).nullable().optional(),
    GrantedScope: text(4000).nullable().optional(),
    GrantedAt: timestamp.nullable().optional(),
  }, MAPPING)
  .strict();

export type GrantEntry = z.infer<typeof grantSchema>;

const mailAuthSchema = z
  .object({
    Template: z
      .enum(templates.map((t) => t.id) as [string, ...string[]], { message: `must be one of: ${templates.map((t) => t.id).join(', ')}` })
      .optional(),
    Tenant: text(200).nullable().optional(),
    Description: text(2000).nullable().optional(),
    ClientSecretExpiresOn: text(10)
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
      .nullable()
      .optional(),
    Issuer: url.nullable().optional(),
    DeviceAuthorizationEndpoint: url.nullable().optional(),
    Pkce: flag.optional(),
    ClientAuthMethod: z
      .enum(['client_secret_post', 'client_secret_basic'], { message: 'must be client_secret_post or client_secret_basic' })
      .optional(),
    Active: flag.optional(),
    Grant: grantSchema.nullable().optional(),
  }, MAPPING)
  .strict();

/** Znuny's bookkeeping columns, present in its own exports: read (ValidID) or ignored. */
const znunyStamp = text(100).nullable().optional();

export const tokenEntrySchema = z
  .object({
    Kind: z.literal('OAuth2Token').optional(),
    Name: text(100).trim().min(1, 'is required'),
    Config: configSchema,
    MailAuth: mailAuthSchema.nullable().optional(),
    // 1 valid, 2 invalid, 3 invalid-temporarily
    ValidID: z.enum(['1', '2', '3'], { message: 'must be 1 (valid), 2 or 3 (invalid)' }).optional(),
    CreateTime: znunyStamp,
    CreateBy: znunyStamp,
    ChangeTime: znunyStamp,
    ChangeBy: znunyStamp,
  }, MAPPING)
  .strict();

export type TokenEntry = z.infer<typeof tokenEntrySchema>;
