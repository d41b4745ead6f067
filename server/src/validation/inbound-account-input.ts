import { z } from 'zod';

import { ACCOUNT_TYPES, ACTIONS_AFTER_FETCH, PLAINTEXT_REMEDY, TYPE_INFO, type AccountType } from '../inbound/account-types';
import type { FieldError } from '../errors';
import { plaintextCredentialsError } from './plaintext-credentials';
import { certificateProblem } from './outbound-account-input';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+\]?$/i;

/** The fields an admin may write; the rest of an inbound account is its state. */
export const inboundAccountFieldsSchema = z
  .object({
    name: text(100).min(1, 'is required'),
    description: text(2000).nullable(),
    active: z.boolean(),
    type: z.enum(ACCOUNT_TYPES, { errorMap: () => ({ message: `must be one of: ${ACCOUNT_TYPES.join(', ')}` }) }),
    host: text(253).regex(HOST, 'must be a host name or an IP address').nullable(),
    port: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535').nullable(),
    certificateValidation: z.boolean(),
    /** Password or token over plain IMAP/POP3 to a host other than loopback: refused unless this is set. */
    allowInsecureAuth: z.boolean(),
    /** CA (or self-signed server) certificate(s) to trust besides the public roots, PEM. */
    trustedCertificate: z.string().max(100_000, 'must be at most 100000 characters').nullable(),
    login: text(320).nullable(),
    mailbox: text(320).email('must be an email address').nullable().or(z.literal('').transform(() => null)),
    authentication: z.enum(['password', 'oauth2'], { errorMap: () => ({ message: 'must be password or oauth2' }) }),
    /** The OAuth2 token's id (or name). */
    oauthToken: z.union([z.number().int().positive(), text(100).min(1)]).nullable(),
    /** Write-only: absent keeps the stored one, null or '' removes it. */
    password: z.string().max(1000, 'must be at most 1000 characters').nullable(),
    folder: text(500).min(1, 'must not be empty').nullable(),
    actionAfterFetch: z.enum(ACTIONS_AFTER_FETCH, { errorMap: () => ({ message: `must be one of: ${ACTIONS_AFTER_FETCH.join(', ')}` }) }),
    moveTo: text(500).nullable(),
    /** IMAP: wait for new mail in IDLE on a held connection instead of polling (the poll interval is then a fallback). */
    idle: z.boolean({ invalid_type_error: 'must be true or false' }),
    pollInterval: z.number().int('must be a whole number of seconds').min(30, 'must be at least 30 seconds').max(86_400, 'must be at most 86400 seconds (a day)'),
    maxMessagesPerPoll: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
    queue: text(200).nullable(),
    trusted: z.boolean(),
    scope: z.enum(['organization', 'application'], { errorMap: () => ({ message: 'must be organization or application' }) }),
    application: text(200).nullable(),
  })
  .strict();

export type InboundAccountFields = z.infer<typeof inboundAccountFieldsSchema>;

export const createInboundAccountSchema = inboundAccountFieldsSchema.partial().required({ name: true, type: true });
export const updateInboundAccountSchema = inboundAccountFieldsSchema.partial();

/** The stored account merged with an update, as the rules see it. */
export interface AccountForRules extends Partial<Omit<InboundAccountFields, 'password' | 'oauthToken'>> {
  hasPassword: boolean;
  /** The token as found, or undefined when none is chosen (or it does not exist). */
  token?: { id: number; grantType: string } | null;
  /** The token reference given but not found. */
  tokenMissing?: boolean;
}

/** The checks that depend on the type and on each other. None means valid. */
export function checkInboundAccountRules(a: AccountForRules): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ path: [field], message });
  const info = TYPE_INFO[a.type as AccountType];
  if (!info) return errors;

  if ((info.protocol === 'imap' || info.protocol === 'pop3') && !a.host) add('host', `is required for ${info.label}`);
  if (!info.password && a.authentication !== 'oauth2') {
    add('authentication', `${info.label} accepts only OAuth 2.0: choose oauth2 and an OAuth2 token`);
  }
  if (a.authentication === 'oauth2') {
    if (a.tokenMissing) add('oauthToken', 'no OAuth2 token with this id or name');
    else if (!a.token) add('oauthToken', 'is required with OAuth 2.0 authentication: choose an OAuth2 token');
    if (info.protocol !== 'gmail' && !a.login && !a.mailbox && (info.protocol !== 'graph' || a.token?.grantType === 'client_credentials')) {
      add(info.protocol === 'graph' ? 'mailbox' : 'login', info.protocol === 'graph' ? 'is required with an app-only token (there is no signed-in user)' : 'is required: the address of the mailbox');
    }
  } else {
    if (!a.login) add('login', 'is required with password authentication');
    if (!a.hasPassword) add('password', 'is required with password authentication');
  }
  if (!info.actions.includes(a.actionAfterFetch ?? info.defaultAction)) {
    add('actionAfterFetch', `${info.label} can only ${info.actions.join(' or ')} (POP3 has neither folders nor flags)`);
  }
  if (a.actionAfterFetch === 'move') {
    if (!a.moveTo) add('moveTo', 'is required when messages are moved after fetch');
    else if (a.moveTo === (a.folder ?? 'INBOX')) add('moveTo', 'must differ from the folder fetched from');
  }
  if (!info.folders && a.folder && a.folder.toUpperCase() !== 'INBOX') add('folder', `${info.label} has no folders: leave it empty or INBOX`);
  if (a.trustedCertificate) {
    const problem = certificateProblem(a.trustedCertificate);
    if (problem) add('trustedCertificate', problem);
  }
  if (a.idle === true && info.protocol !== 'imap') add('idle', `${info.label} is polled: only IMAP accounts can wait for mail in IDLE (leave it out or false)`);
  if (a.scope === 'application' && !a.application) add('application', 'is required when the account is limited to one application');
  const plaintext = plaintextCredentialsError('type', { plaintext: info.security === 'none', sendsCredentials: true, host: a.host, allowInsecureAuth: a.allowInsecureAuth }, PLAINTEXT_REMEDY[info.protocol]);
  if (plaintext) errors.push(plaintext);
  return errors;
}
