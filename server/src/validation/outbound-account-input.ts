import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

import { DEFAULT_PORT, TOKEN_TEMPLATES_FOR, type OutboundType } from '../outbound/presets';
import { validationError, type FieldError } from '../errors';
import { plaintextCredentialsError } from './plaintext-credentials';
import { toFieldErrors } from './format-issues';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
/** '' from an emptied form field means "not set". */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema.nullable());

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IP_V6 = /^\[?[0-9A-Fa-f:.]+\]?$/;
const hostSchema = text(253).refine((v) => HOST_NAME.test(v) || (v.includes(':') && IP_V6.test(v)), 'must be a host name or an IP address');

/** The fields an admin may write; confirmed, lastError, lastSentAt are the account's state. */
export const outboundAccountFieldsSchema = z
  .object({
    name: text(100).min(1, 'is required'),
    description: optional(text(2000)),
    active: z.boolean(),
    type: z.enum(['smtp', 'microsoft-graph', 'gmail-api'], { message: 'must be smtp, microsoft-graph or gmail-api' }),
    host: optional(hostSchema),
    port: optional(
      z
        .number({ message: 'must be a number between 1 and 65535' })
        .int('must be a whole number')
        .min(1, 'must be between 1 and 65535')
        .max(65535, 'must be between 1 and 65535')
    ),
    security: z.enum(['none', 'starttls', 'tls'], { message: 'must be none, starttls or tls' }),
    verifyCertificate: z.boolean(),
    /** A password or token over SMTP without TLS to a host other than loopback: refused unless this is set. */
    allowInsecureAuth: z.boolean(),
    trustedCertificate: optional(z.string().max(100_000, 'must be at most 100000 characters')),
    domain: optional(hostSchema),
    useAuthentication: z.boolean(),
    authentication: z.enum(['password', 'oauth2'], { message: 'must be password or oauth2' }),
    username: optional(text(320)),
    password: optional(z.string().max(1000, 'must be at most 1000 characters')),
    oauthToken: optional(z.number({ message: 'must be the id of an OAuth2 token' }).int().positive('must be the id of an OAuth2 token')),
    fromAddress: text(320).email('must be an email address such as helpdesk@example.com'),
    fromName: optional(text(200)),
    /** The from address is not the signed-in user's own mailbox (a shared mailbox, Send As rights). */
    sharedMailbox: z.boolean(),
    usage: z.enum(['organization', 'application'], { message: 'must be organization or application' }),
    applicationName: optional(text(100)),
  })
  .strict();

export type OutboundAccountFields = z.infer<typeof outboundAccountFieldsSchema>;

export const createOutboundAccountSchema = outboundAccountFieldsSchema.partial().required({ name: true, type: true, fromAddress: true });
export const updateOutboundAccountSchema = outboundAccountFieldsSchema.partial();

/**
 * parseInput for schemas whose input differs from their output (preprocessed fields): throws a
 * VALIDATION error naming each field.
 */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw validationError(toFieldErrors(result.error), 'Invalid input');
  return result.data;
}

/** The merged account (stored values plus the input) that the rules below check. */
export interface OutboundAccountDraft extends Partial<OutboundAccountFields> {
  /** Whether a password is stored or given. */
  hasPassword: boolean;
  /** Template of the chosen token, when it exists. */
  tokenTemplate?: string | null;
  /** false when `oauthToken` names no token. */
  tokenExists?: boolean;
}

const needsToken = (a: OutboundAccountDraft) => a.type !== 'smtp' || (a.useAuthentication !== false && a.authentication === 'oauth2');

/** Fills in what follows from other fields (port from security mode, OAuth for the REST types). */
export function withDefaults<T extends Partial<OutboundAccountFields>>(a: T): T {
  const out = { ...a };
  if (out.type === 'smtp') {
    out.security ??= 'starttls';
    out.port ??= DEFAULT_PORT[out.security!];
  } else if (out.type) {
    out.useAuthentication = true;
    out.authentication = 'oauth2';
  }
  return out;
}

/** The checks that depend on the type and on each other. Returns field errors; none means valid. */
export function checkOutboundAccountRules(a: OutboundAccountDraft): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ path: [field], message });
  const type = a.type as OutboundType;

  if (type === 'smtp') {
    if (!a.host) add('host', 'is required for SMTP');
    if (a.port == null) add('port', 'is required for SMTP');
    if (a.useAuthentication !== false && a.authentication === 'password' && !a.hasPassword) {
      add('password', 'is required for password authentication');
    }
    const plaintext = plaintextCredentialsError('security', { plaintext: a.security === 'none', sendsCredentials: a.useAuthentication !== false, host: a.host, allowInsecureAuth: a.allowInsecureAuth }, SMTP_PLAINTEXT_REMEDY);
    if (plaintext) errors.push(plaintext);
  }
  if (needsToken(a)) {
    if (!a.oauthToken) add('oauthToken', type === 'smtp' ? 'is required for OAuth 2.0 authentication' : 'is required: this type authenticates with OAuth 2.0');
    else if (a.tokenExists === false) add('oauthToken', `no OAuth2 token has the id ${a.oauthToken}`);
    else if (a.tokenTemplate && !TOKEN_TEMPLATES_FOR[type].includes(a.tokenTemplate)) {
      add('oauthToken', `a token made from the "${a.tokenTemplate}" template cannot send through ${type}; use one made from: ${TOKEN_TEMPLATES_FOR[type].join(', ')}`);
    }
  }
  if (a.trustedCertificate) {
    const problem = certificateProblem(a.trustedCertificate);
    if (problem) add('trustedCertificate', problem);
  }
  if (a.usage === 'application' && !a.applicationName) add('applicationName', 'is required when the account is used by a named application');
  return errors;
}

/** What an SMTP account without TLS changes to, to send its credentials encrypted. */
export const SMTP_PLAINTEXT_REMEDY = 'choose the security mode starttls (port 587) or tls (port 465), or send without authentication';

/** Why a PEM bundle of trusted certificates cannot be used, or undefined when it can. */
export function certificateProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'must be one or more PEM certificates (-----BEGIN CERTIFICATE----- …)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} cannot be read: paste it in PEM form as exported`;
    }
  }
  return undefined;
}
