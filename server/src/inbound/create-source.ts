import { isIP } from 'node:net';

import { MailAuthError } from '../errors';
import { checkBefore } from '../net/check-before';
import { isLoopbackHost } from '../net/loopback';
import { plaintextCredentialsError } from '../validation/plaintext-credentials';
import { actionAfterFetchOf, PLAINTEXT_REMEDY, TYPE_INFO, type AccountType, type ActionAfterFetch, type Security } from './account-types';
import type { FailureContext } from './advice';
import { GmailSource } from './gmail';
import { GraphSource } from './graph';
import { ImapSource } from './imap';
import { sourceIdentity } from './keys';
import { Pop3Source } from './pop3/source';
import type { SaslInitialResponse } from './pop3/client';
import type { AccessTokens, Credentials, MailSource, SourceSettings } from './types';

/** An inbound account row as the sources need it (password still sealed, token populated). */
export interface AccountRow {
  id: number;
  /** Strapi's document id: the row the password is bound to. */
  documentId?: string;
  name: string;
  type: AccountType;
  host?: string | null;
  port?: number | null;
  certificateValidation?: boolean | null;
  trustedCertificate?: string | null;
  allowInsecureAuth?: boolean | null;
  login?: string | null;
  mailbox?: string | null;
  authentication?: 'password' | 'oauth2' | null;
  password?: string | null;
  oauthToken?: { id: number; name: string; template: string; grantType: 'authorization_code' | 'client_credentials' } | null;
  folder?: string | null;
  actionAfterFetch?: ActionAfterFetch | null;
  moveTo?: string | null;
}

export interface SourceEnvironment {
  /** Opens the sealed password. */
  openPassword(sealed: string | null | undefined, row?: string): string | undefined;
  /** The one door to an access token (the `tokens` service). */
  getAccessToken(tokenId: number, options?: { forceRefresh?: boolean }): Promise<string>;
  timeout: number;
  maxRetryAfter: number;
  allowHttpLoopback: boolean;
  /** The REST roots of the plugin config (graphBaseUrl, gmailBaseUrl), shared with outbound. */
  graphBaseUrl: string;
  gmailBaseUrl: string;
  /** Refuses a host the plugin's allowedHosts / deniedNetworks forbid (checked when connecting). */
  checkHost?: (host: string, what: string) => Promise<void>;
  /** POP3: how tokens ride with AUTH (tests exercise both forms). */
  pop3SaslInitialResponse?: SaslInitialResponse;
}

export type RestBases = Pick<SourceEnvironment, 'graphBaseUrl' | 'gmailBaseUrl' | 'allowHttpLoopback'>;


/**
 * Graph's or Gmail's root for an account: the plugin's graphBaseUrl / gmailBaseUrl, unless the
 * account names a host of its own (plain http only towards loopback test servers, when allowed).
 */
export function restBaseUrl(row: Pick<AccountRow, 'type' | 'host' | 'port'>, bases: RestBases): string {
  if (!row.host) return (TYPE_INFO[row.type].protocol === 'graph' ? bases.graphBaseUrl : bases.gmailBaseUrl).replace(/\/+$/, '');
  const http = bases.allowHttpLoopback && isLoopbackHost(row.host);
  const host = isIP(row.host) === 6 ? `[${row.host}]` : row.host;
  return `${http ? 'http' : 'https'}://${host}${row.port && row.port !== (http ? 80 : 443) ? `:${row.port}` : ''}`;
}

/** Where the account's server is, with the type's (or the plugin config's) defaults filled in. */
export function endpointOf(row: Pick<AccountRow, 'type' | 'host' | 'port'>, bases?: RestBases) {
  const info = TYPE_INFO[row.type];
  if ((info.protocol === 'graph' || info.protocol === 'gmail') && !row.host && bases) {
    const url = new URL(restBaseUrl(row, bases));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (url.protocol === 'http:' ? 80 : 443) };
  }
  return { host: row.host || info.defaultHost || '', port: row.port || info.defaultPort };
}

/** The identity that message keys and cursors of this account belong to. */
export function identityOf(row: AccountRow, bases?: RestBases): string {
  const info = TYPE_INFO[row.type];
  const { host, port } = endpointOf(row, bases);
  return sourceIdentity({ protocol: info.protocol, host, port, login: row.login ?? '', mailbox: row.mailbox ?? undefined, folder: info.folders ? row.folder || 'INBOX' : 'INBOX' });
}

export function failureContext(row: AccountRow, bases?: RestBases): FailureContext {
  const info = TYPE_INFO[row.type];
  const { host, port } = endpointOf(row, bases);
  return {
    protocol: info.protocol,
    security: info.security,
    host,
    port,
    login: row.login ?? '',
    mailbox: row.mailbox ?? undefined,
    folder: row.folder || 'INBOX',
    token: row.authentication === 'oauth2' && row.oauthToken ? { name: row.oauthToken.name, template: row.oauthToken.template, grantType: row.oauthToken.grantType } : undefined,
  };
}

/** A failure of the account's token, named as the token's so the account's error says which token to fix. */
function tokenFailure(tokenName: string, e: unknown): unknown {
  if (!(e instanceof MailAuthError)) return e;
  const what =
    e.code === 'REAUTHORIZATION_REQUIRED' || e.code === 'NOT_AUTHORIZED'
      ? `OAuth2 token "${tokenName}" must be authorized again`
      : `OAuth2 token "${tokenName}" could not be renewed`;
  return new MailAuthError(e.code, `${what}: ${e.message}`, {
    advice: e.advice ?? `Open the OAuth2 token "${tokenName}" and click Generate tokens.`,
    providerCode: e.providerCode,
    cause: e,
  });
}

/** The account's token, renewed at most once per run after the server refused it. */
function accessTokens(row: AccountRow, env: SourceEnvironment): AccessTokens {
  const token = row.oauthToken!;
  let renewed = false;
  return {
    tokenName: token.name,
    template: token.template,
    grantType: token.grantType,
    get: () => env.getAccessToken(token.id).catch((e: unknown) => Promise.reject(tokenFailure(token.name, e))),
    async refreshOnce() {
      if (renewed) return undefined;
      renewed = true;
      return env.getAccessToken(token.id, { forceRefresh: true }).catch((e: unknown) => Promise.reject(tokenFailure(token.name, e)));
    },
  };
}

/** The MailSource for an account: the one place that knows which class serves which type. */
export function createSource(row: AccountRow, env: SourceEnvironment): { source: MailSource; context: FailureContext } {
  const info = TYPE_INFO[row.type];
  if (!info) throw new MailAuthError('VALIDATION', `Account "${row.name}" has an unknown type "${row.type}"`);
  const context = failureContext(row, env);
  let credentials: Credentials;
  if (row.authentication === 'oauth2') {
    if (!row.oauthToken) {
      throw new MailAuthError('VALIDATION', `Account "${row.name}" uses OAuth 2.0 but no OAuth2 token is chosen`, {
        advice: 'Edit the account and choose an OAuth2 token, or switch it to password authentication.',
      });
    }
    credentials = { kind: 'token', tokens: accessTokens(row, env) };
  } else {
    const password = env.openPassword(row.password, row.documentId);
    if (!password) {
      throw new MailAuthError('VALIDATION', `Account "${row.name}" has no password`, { advice: 'Edit the account and enter its password.' });
    }
    credentials = { kind: 'password', password };
  }
  const { host, port } = endpointOf(row, env);
  // Also for rows stored before the rule (or by an import): the rule holds when connecting.
  const plaintext = plaintextCredentialsError('type', { plaintext: info.security === 'none', sendsCredentials: true, host, allowInsecureAuth: row.allowInsecureAuth }, PLAINTEXT_REMEDY[info.protocol]);
  if (plaintext) {
    throw new MailAuthError('VALIDATION', `Account "${row.name}": type ${plaintext.message}`, { advice: `Edit the account: ${PLAINTEXT_REMEDY[info.protocol]}.`, errors: [plaintext] });
  }
  const rest = info.protocol === 'graph' || info.protocol === 'gmail';
  const settings: SourceSettings = {
    accountName: row.name,
    host,
    port,
    certificateValidation: row.certificateValidation !== false,
    trustedCertificate: row.trustedCertificate ?? null,
    login: row.login ?? '',
    mailbox: row.mailbox ?? undefined,
    folder: info.folders ? row.folder || 'INBOX' : 'INBOX',
    action: actionAfterFetchOf(row),
    moveTo: row.moveTo ?? undefined,
    credentials,
    timeout: env.timeout,
    maxRetryAfter: env.maxRetryAfter,
    baseUrl: rest ? restBaseUrl(row, env) : undefined,
    identity: identityOf(row, env),
  };
  const source = sourceOf(info.protocol, info.security, settings, context, env);
  // An account's own host is checked against the network policy each time it connects (the plugin's REST roots are trusted).
  if (env.checkHost && row.host) checkBefore(source, 'connect', () => env.checkHost!(host, `Account "${row.name}"`));
  return { source, context };
}

function sourceOf(protocol: string, security: Security, settings: SourceSettings, context: FailureContext, env: SourceEnvironment): MailSource {
  switch (protocol) {
    case 'imap':
      return new ImapSource({ ...settings, security }, context);
    case 'pop3':
      return new Pop3Source({ ...settings, security, saslInitialResponse: env.pop3SaslInitialResponse }, context);
    case 'graph':
      return new GraphSource(settings, context);
    default:
      return new GmailSource(settings, context);
  }
}

