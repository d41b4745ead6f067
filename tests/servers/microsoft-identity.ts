import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  basicCredentials, close, handler, Holds, listen, pkceS256, randomToken, randomUserCode, readForm, redirect, rsaSigner,
  send, sendJson,
} from './http-util';

/**
 * A local stand-in for the Microsoft identity platform v2.0 endpoints
 * (`login.microsoftonline.com/{tenant}/oauth2/v2.0/{authorize,token}`), built from Microsoft's
 * documentation: opaque access tokens, refresh tokens that rotate on every use (the old one stays
 * valid, as Microsoft's do), RS256 ID tokens with a JWKS, error bodies in Microsoft's JSON shape
 * with AADSTS codes, and a queue of failures to inject. Login and consent need no person: the
 * authorize endpoint redirects at once, for `login_hint` or the first user.
 *
 * The device code flow (`/{tenant}/oauth2/v2.0/devicecode`) as v2-oauth2-device-code documents it:
 * its answer with a `message`, and the poll errors authorization_pending, authorization_declined,
 * bad_verification_code and expired_token (the AADSTS numbers: 70016 and 70019 as Microsoft
 * answers them; the others are not documented and stand as 70000 here).
 *
 * Sources: learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow (requests,
 * responses, error tables), .../reference-error-codes (AADSTS codes), the error texts Microsoft
 * returns as quoted in its troubleshooting articles and in public issue threads.
 */

export interface MicrosoftClientOptions {
  clientId: string;
  /** Omit for a public client (which must then send no secret). */
  clientSecret?: string;
  redirectUris?: string[];
  displayName?: string;
  /** Lifetime of access tokens, seconds. Default 3600 (Microsoft: 60-90 minutes). */
  accessTokenTtl?: number;
  /** Invalidate a refresh token once it has been used. Default false: Microsoft keeps it valid. */
  invalidateOldRefreshTokens?: boolean;
  /** Every secret of the app has expired: the token endpoint answers AADSTS7000222. */
  secretExpired?: boolean;
  /** The device code flow's `interval`, seconds. Default 5, as Microsoft answers. */
  deviceInterval?: number;
}

export interface MicrosoftUser {
  email: string;
  name?: string;
}

export interface MicrosoftIdentityOptions {
  /** The one directory this server knows besides common/organizations/consumers. */
  tenantId?: string;
  /** Domains the directory verified: `/{domain}/...` stands for the directory, as at Microsoft. */
  domains?: string[];
  clients?: MicrosoftClientOptions[];
  /** Default alice@example.test and bob@example.test. */
  users?: (string | MicrosoftUser)[];
}

export type AadstsFailureCode = '65001' | '700082' | '70008' | '50173' | '7000222' | '90112' | '700016' | '900144';
/** What `failNext` can make the token endpoint answer. */
export type MicrosoftFailure = AadstsFailureCode | `AADSTS${AadstsFailureCode}` | 'invalid_grant' | 'http500' | 'timeout';

export interface MicrosoftIntrospection {
  active: boolean;
  sub?: string;
  /** Absent for app-only (client credentials) tokens. */
  email?: string;
  scope?: string;
  /** Seconds since the epoch. */
  exp?: number;
  client_id?: string;
  tid?: string;
}

/** An error the authorize endpoint showed as a page instead of redirecting (as Microsoft does). */
export interface AuthorizePageError {
  code: number;
  error: string;
  error_description: string;
}

export interface MicrosoftIdentityServer {
  /** Stands for `https://login.microsoftonline.com`. */
  url: string;
  tenantId: string;
  authorizeEndpoint(tenant?: string): string;
  tokenEndpoint(tenant?: string): string;
  /** What `/{tenant}/v2.0/.well-known/openid-configuration` answers, for `new client.Configuration(...)`. */
  metadata(tenant?: string): Record<string, unknown>;
  /**
   * `concurrentRefreshes`: refresh requests that arrived while another one with the same refresh
   * token was still being handled (two instances renewing one token at once).
   */
  counters: { authorize: number; token: Record<string, number>; concurrentRefreshes: number };
  resetCounters(): void;
  /**
   * Every token request waits `ms` before it is handled (0: none). One whose client gave up
   * meanwhile is dropped unhandled, as a gateway that timed out before passing it on would.
   */
  slowDown(ms: number): void;
  authorizeErrors: AuthorizePageError[];
  addClient(client: MicrosoftClientOptions): void;
  addUser(user: string | MicrosoftUser): void;
  /** A domain the directory verified (its OpenID configuration is then the directory's). */
  addDomain(domain: string): void;
  /** Refuse consent (access_denied, AADSTS65004) whenever this login_hint signs in. */
  denyConsentFor(loginHint: string): void;
  denyNextConsent(): void;
  /** The next `count` token requests fail this way, whatever they are. */
  failNext(kind: MicrosoftFailure, count?: number): void;
  clearFailures(): void;
  /** As if the user changed their password: their refresh tokens now answer AADSTS50173. */
  revokeUser(email: string): void;
  /** Their refresh tokens (everyone's without an argument) now answer AADSTS700082. */
  expireRefreshTokens(email?: string): void;
  /** Their access tokens (everyone's without an argument) are no longer active. */
  expireAccessTokens(email?: string): void;
  introspect(accessToken: string): MicrosoftIntrospection;
  /** microsoft.com/devicelogin: the person enters `userCode`, then signs in (as `email`, default the first user) or declines. */
  enterDeviceCode(userCode: string, decision: 'allow' | 'decline', email?: string): void;
  deviceCodeEndpoint(tenant?: string): string;
  /** Whether this refresh token was issued here, and whether a refresh redeemed it already. */
  refreshTokenState(refreshToken: string): 'unknown' | 'unused' | 'redeemed';
  stop(): Promise<void>;
}

const SPECIAL_TENANTS = new Set(['common', 'organizations', 'consumers']);
const DAY = 86_400_000;

interface AadError { status: number; error: string; code: number; text: string; extra?: Record<string, string> }
interface Client extends MicrosoftClientOptions { redirectUris: string[] }
interface User { email: string; name: string; oid: string; /** bumped by revokeUser; older grants answer 50173 */ generation: number }
interface Code {
  clientId: string; redirectUri: string; scope: string; email: string; nonce?: string;
  challenge?: string; method?: string; expiresAt: number; used: boolean;
}
interface RefreshToken {
  clientId: string; email: string; scope: string; issuedAt: number; generation: number; invalid: boolean; expired: boolean;
  /** Redeemed at least once (it stays valid unless the client invalidates old ones). */
  redeemed?: boolean;
}
interface AccessToken { clientId: string; email?: string; sub: string; scope: string; exp: number }
interface DeviceCode { clientId: string; scope: string; userCode: string; expiresAt: number; email?: string; declined?: boolean; used: boolean }
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const ts = (d = new Date()) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The refusals `failNext` knows, each as Microsoft documents it (error value, HTTP status, text). */
function injected(kind: MicrosoftFailure, clientId: string, grantType: string, tenant: string): AadError {
  const code = kind.replace(/^AADSTS/, '');
  const longAgo = new Date(Date.now() - 91 * DAY).toISOString();
  switch (code) {
    case '65001':
      return { status: 400, error: 'invalid_grant', code: 65001, extra: { suberror: 'consent_required' },
        text: `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientId}'. Send an interactive authorization request for this user and resource.` };
    case '700082':
      return { status: 400, error: 'invalid_grant', code: 700082,
        text: `The refresh token has expired due to inactivity. The token was issued on ${longAgo} and was inactive for 90.00:00:00.` };
    case '70008':
      return { status: 400, error: 'invalid_grant', code: 70008,
        text: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.' };
    case '50173':
      return { status: 400, error: 'invalid_grant', code: 50173,
        text: `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${longAgo}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date().toISOString()}'.` };
    case '7000222':
      return { status: 401, error: 'invalid_client', code: 7000222,
        text: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.` };
    case '90112':
      return { status: 400, error: 'invalid_request', code: 90112, text: 'Application identifier is expected to be a GUID.' };
    case '700016':
      return appNotFound(clientId, tenant);
    case '900144':
      return missing('scope');
    default: // 'invalid_grant'
      return grantType === 'authorization_code'
        ? { status: 400, error: 'invalid_grant', code: 70000, text: "The provided value for the 'code' parameter is not valid." }
        : { status: 400, error: 'invalid_grant', code: 70000, text: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid." };
  }
}

const missing = (param: string): AadError =>
  ({ status: 400, error: 'invalid_request', code: 900144, text: `The request body must contain the following parameter: '${param}'.` });
const appNotFound = (clientId: string, tenant: string): AadError => ({
  status: 400, error: 'unauthorized_client', code: 700016,
  text: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
});

export async function startMicrosoftIdentity(opts: MicrosoftIdentityOptions = {}): Promise<MicrosoftIdentityServer> {
  const tenantId = opts.tenantId ?? 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
  const clients = new Map<string, Client>();
  const users = new Map<string, User>();
  const codes = new Map<string, Code>();
  const deviceCodes = new Map<string, DeviceCode>();
  const refreshTokens = new Map<string, RefreshToken>();
  const accessTokens = new Map<string, AccessToken>();
  const consents = new Set<string>();
  const deniedHints = new Set<string>();
  let denyNext = 0;
  const failures: MicrosoftFailure[] = [];
  const counters = { authorize: 0, token: {} as Record<string, number>, concurrentRefreshes: 0 };
  let delayMs = 0;
  const refreshing = new Map<string, number>();
  const authorizeErrors: AuthorizePageError[] = [];
  const holds = new Holds();
  const signer = await rsaSigner('ms-test-key');

  const addClient = (c: MicrosoftClientOptions) => { clients.set(c.clientId, { ...c, redirectUris: c.redirectUris ?? [] }); };
  const addUser = (u: string | MicrosoftUser) => {
    const { email, name } = typeof u === 'string' ? { email: u, name: undefined } : u;
    users.set(email.toLowerCase(), { email, name: name ?? email.split('@')[0], oid: randomUUID(), generation: 0 });
  };
  for (const u of opts.users ?? ['alice@example.test', 'bob@example.test']) addUser(u);
  for (const c of opts.clients ?? []) addClient(c);

  const server = createServer();
  const url = await listen(server);
  const issuerFor = (tenant: string) => `${url}/${SPECIAL_TENANTS.has(tenant) ? '{tenantid}' : tenant}/v2.0`;
  const knownTenant = (t: string) => SPECIAL_TENANTS.has(t) || t === tenantId;
  const domains = new Set((opts.domains ?? []).map((d) => d.toLowerCase()));
  /** A verified domain in the path names its directory. */
  const tenantOf = (segment: string) => (domains.has(segment.toLowerCase()) ? tenantId : segment);

  function errorBody(e: AadError) {
    const trace = randomUUID();
    const corr = randomUUID();
    const time = ts();
    return {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${time}`,
      error_codes: [e.code],
      timestamp: time,
      trace_id: trace,
      correlation_id: corr,
      error_uri: `${url}/error?code=${e.code}`,
      ...e.extra,
    };
  }
  const fail = (res: ServerResponse, e: AadError) => sendJson(res, e.status, errorBody(e), { 'cache-control': 'no-store' });

  function metadata(tenant = tenantId): Record<string, unknown> {
    return {
      issuer: issuerFor(tenant),
      authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${url}/${tenant}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/devicecode`,
      jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['plain', 'S256'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'name', 'preferred_username', 'email', 'oid', 'tid', 'ver'],
    };
  }

  function issueTokens(clientId: string, email: string | undefined, scope: string, nonce?: string) {
    const client = clients.get(clientId)!;
    const scopes = [...new Set(scope.split(/\s+/).filter(Boolean))];
    const ttl = client.accessTokenTtl ?? 3600;
    const user = email ? users.get(email.toLowerCase()) : undefined;
    const accessToken = randomToken();
    accessTokens.set(accessToken, {
      clientId, email: user?.email, sub: user?.oid ?? clientId, scope: scopes.join(' '), exp: Date.now() + ttl * 1000,
    });
    const out: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: scopes.filter((s) => s !== 'offline_access').join(' '),
      expires_in: ttl,
      ext_expires_in: ttl,
      access_token: accessToken,
    };
    // documented: refresh_token only with offline_access, id_token only with openid
    if (user && scopes.includes('offline_access')) {
      const rt = randomToken(48);
      refreshTokens.set(rt, { clientId, email: user.email, scope: scopes.join(' '), issuedAt: Date.now(), generation: user.generation, invalid: false, expired: false });
      out.refresh_token = rt;
    }
    if (user && scopes.includes('openid')) {
      const now = Math.floor(Date.now() / 1000);
      out.id_token = signer.sign({
        ver: '2.0', iss: issuerFor(tenantId), sub: user.oid, aud: clientId, exp: now + 3600, iat: now, nbf: now,
        name: user.name, preferred_username: user.email, email: user.email, oid: user.oid, tid: tenantId,
        ...(nonce ? { nonce } : {}),
      });
    }
    return out;
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string) {
    const form = await readForm(req);
    const presented = form.get('grant_type') === 'refresh_token' ? form.get('refresh_token') : null;
    if (presented) {
      if (refreshing.has(presented)) counters.concurrentRefreshes++;
      refreshing.set(presented, (refreshing.get(presented) ?? 0) + 1);
    }
    try {
      if (delayMs > 0 && !(await holds.hold(res, delayMs))) return;
      return await tokenAnswer(req, res, tenant, form);
    } finally {
      if (presented) {
        const left = refreshing.get(presented)! - 1;
        if (left) refreshing.set(presented, left);
        else refreshing.delete(presented);
      }
    }
  }

  async function tokenAnswer(req: IncomingMessage, res: ServerResponse, tenant: string, form: URLSearchParams) {
    const grantType = form.get('grant_type') ?? '';
    counters.token[grantType || 'unknown'] = (counters.token[grantType || 'unknown'] ?? 0) + 1;
    const basic = basicCredentials(req);
    const clientId = form.get('client_id') ?? basic?.user ?? '';

    const kind = failures.shift();
    if (kind === 'http500') {
      return fail(res, { status: 500, error: 'server_error', code: 50000, text: 'There was an error issuing a token or an issue with our sign-in service.' });
    }
    if (kind === 'timeout') {
      if (await holds.hold(res)) fail(res, { status: 504, error: 'temporarily_unavailable', code: 90012, text: 'The request has timed out.' });
      return;
    }
    if (kind) return fail(res, injected(kind, clientId, grantType, tenant));

    if (!knownTenant(tenant)) {
      return fail(res, { status: 400, error: 'invalid_request', code: 90002,
        text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.` });
    }
    if (!grantType) return fail(res, missing('grant_type'));
    if (!clientId) return fail(res, missing('client_id'));
    const client = clients.get(clientId);
    if (!client) return fail(res, appNotFound(clientId, tenant));

    const secret = form.get('client_secret') ?? basic?.pass;
    if (client.clientSecret === undefined) {
      if (secret !== undefined) {
        return fail(res, { status: 401, error: 'invalid_client', code: 700025,
          text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented." });
      }
    } else if (secret === undefined) {
      return fail(res, { status: 401, error: 'invalid_client', code: 7000218,
        text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." });
    } else if (client.secretExpired) {
      return fail(res, injected('7000222', clientId, grantType, tenant));
    } else if (secret !== client.clientSecret) {
      return fail(res, { status: 401, error: 'invalid_client', code: 7000215,
        text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.` });
    }

    const headers = { 'cache-control': 'no-store', pragma: 'no-cache' };
    if (grantType === 'authorization_code') {
      const codeValue = form.get('code');
      if (!codeValue) return fail(res, missing('code'));
      const code = codes.get(codeValue);
      if (!code || code.clientId !== clientId) {
        return fail(res, { status: 400, error: 'invalid_grant', code: 9002313, text: 'Invalid request. Request is malformed or invalid.' });
      }
      if (code.used) {
        return fail(res, { status: 400, error: 'invalid_grant', code: 54005,
          text: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.' });
      }
      if (code.expiresAt < Date.now()) return fail(res, injected('70008', clientId, grantType, tenant));
      if ((form.get('redirect_uri') ?? '') !== code.redirectUri) {
        return fail(res, { status: 400, error: 'invalid_grant', code: 50011,
          text: `The redirect URI '${form.get('redirect_uri') ?? ''}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.` });
      }
      if (code.challenge !== undefined) {
        const verifier = form.get('code_verifier') ?? '';
        const computed = code.method === 'plain' ? verifier : pkceS256(verifier);
        if (!verifier || computed !== code.challenge) {
          return fail(res, { status: 400, error: 'invalid_grant', code: 501481,
            text: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.' });
        }
      }
      code.used = true;
      // a scope sent here (Microsoft's extension) adds to what was consented at /authorize
      return sendJson(res, 200, issueTokens(clientId, code.email, `${code.scope} ${form.get('scope') ?? ''}`, code.nonce), headers);
    }

    if (grantType === 'refresh_token') {
      const value = form.get('refresh_token');
      if (!value) return fail(res, missing('refresh_token'));
      const rt = refreshTokens.get(value);
      if (!rt || rt.invalid || rt.clientId !== clientId) return fail(res, injected('invalid_grant', clientId, grantType, tenant));
      const user = users.get(rt.email.toLowerCase());
      if (!user || rt.generation !== user.generation) return fail(res, injected('50173', clientId, grantType, tenant));
      if (rt.expired) return fail(res, injected('700082', clientId, grantType, tenant));
      rt.redeemed = true;
      if (client.invalidateOldRefreshTokens) rt.invalid = true;
      const scope = form.get('scope') ?? rt.scope;
      // a refresh keeps offline access: the new answer carries a new refresh token (rotation)
      const withOffline = scope.split(/\s+/).includes('offline_access') ? scope : `${scope} offline_access`;
      return sendJson(res, 200, issueTokens(clientId, rt.email, withOffline), headers);
    }

    if (grantType === 'client_credentials') {
      if (SPECIAL_TENANTS.has(tenant)) {
        return fail(res, { status: 400, error: 'invalid_request', code: 50059,
          text: 'No tenant-identifying information found in either the request or implied by any provided credentials.' });
      }
      const scope = form.get('scope');
      if (!scope) return fail(res, missing('scope'));
      if (!scope.split(/\s+/).every((s) => s.endsWith('/.default'))) {
        return fail(res, { status: 400, error: 'invalid_scope', code: 1002012,
          text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).` });
      }
      if (client.clientSecret === undefined) {
        return fail(res, { status: 401, error: 'invalid_client', code: 7000218,
          text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." });
      }
      return sendJson(res, 200, issueTokens(clientId, undefined, scope), headers);
    }

    if (grantType === DEVICE_GRANT || grantType === 'device_code') {
      const value = form.get('device_code');
      if (!value) return fail(res, missing('device_code'));
      const code = deviceCodes.get(value);
      if (!code || code.clientId !== clientId || code.used) {
        return fail(res, { status: 400, error: 'bad_verification_code', code: 70000, text: 'The device_code sent is not recognized.' });
      }
      if (code.expiresAt < Date.now()) return fail(res, { status: 400, error: 'expired_token', code: 70019, text: 'Verification code expired.' });
      if (code.declined) return fail(res, { status: 400, error: 'authorization_declined', code: 70000, text: 'The end user denied the authorization request.' });
      if (!code.email) {
        return fail(res, { status: 400, error: 'authorization_pending', code: 70016, text: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' });
      }
      code.used = true;
      return sendJson(res, 200, issueTokens(clientId, code.email, code.scope), headers);
    }

    return fail(res, { status: 400, error: 'unsupported_grant_type', code: 70003, text: `The app requested an unsupported grant type '${grantType}'.` });
  }

  async function deviceCode(req: IncomingMessage, res: ServerResponse, tenant: string) {
    const form = await readForm(req);
    if (!knownTenant(tenant)) return fail(res, { status: 400, error: 'invalid_request', code: 90002, text: `Tenant '${tenant}' not found.` });
    const clientId = form.get('client_id') ?? basicCredentials(req)?.user ?? '';
    if (!clientId) return fail(res, missing('client_id'));
    const client = clients.get(clientId);
    if (!client) return fail(res, appNotFound(clientId, tenant));
    const scope = form.get('scope');
    if (!scope) return fail(res, missing('scope'));
    const value = randomToken(48);
    const userCode = randomUserCode(1, 9);
    deviceCodes.set(value, { clientId, scope, userCode, expiresAt: Date.now() + 900_000, used: false });
    const verificationUri = `${url}/devicelogin`;
    return sendJson(res, 200, {
      user_code: userCode,
      device_code: value,
      verification_uri: verificationUri,
      expires_in: 900,
      interval: client.deviceInterval ?? 5,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  function authorize(req: IncomingMessage, res: ServerResponse, tenant: string, q: URLSearchParams) {
    counters.authorize++;
    const page = (e: AadError) => {
      const body = errorBody(e);
      authorizeErrors.push({ code: e.code, error: e.error, error_description: body.error_description });
      send(res, 400, `<!doctype html><title>Sign in to your account</title><h1>Sorry, but we're having trouble signing you in.</h1><p>${body.error_description.split('\r\n')[0].replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>`, 'text/html; charset=utf-8');
    };
    if (!knownTenant(tenant)) {
      return page({ status: 400, error: 'invalid_request', code: 90002, text: `Tenant '${tenant}' not found.` });
    }
    const clientId = q.get('client_id');
    if (!clientId) return page(missing('client_id'));
    const client = clients.get(clientId);
    if (!client) return page(appNotFound(clientId, tenant));
    const redirectUri = q.get('redirect_uri') ?? client.redirectUris[0];
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return page({ status: 400, error: 'invalid_request', code: 50011,
        text: `The redirect URI '${redirectUri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.` });
    }

    const mode = q.get('response_mode') ?? 'query';
    const state = q.get('state');
    const answer = (params: Record<string, string>) => {
      const all = { ...params, ...(state !== null ? { state } : {}) };
      if (mode === 'form_post') {
        const inputs = Object.entries(all).map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/[&"<]/g, (c) => `&#${c.charCodeAt(0)};`)}">`).join('');
        return send(res, 200, `<!doctype html><form method="post" action="${redirectUri}">${inputs}</form><script>document.forms[0].submit()</script>`, 'text/html; charset=utf-8');
      }
      const target = new URL(redirectUri);
      if (mode === 'fragment') target.hash = new URLSearchParams(all).toString();
      else for (const [k, v] of Object.entries(all)) target.searchParams.set(k, v);
      redirect(res, target.href);
    };
    const answerError = (e: AadError, extra: Record<string, string> = {}) => {
      const body = errorBody(e);
      answer({ error: e.error, error_description: body.error_description, error_uri: body.error_uri, ...extra });
    };

    if (!['query', 'fragment', 'form_post'].includes(mode)) {
      return answerError({ status: 400, error: 'invalid_request', code: 70007, text: `The response_mode '${mode}' is not supported.` });
    }
    if (q.get('response_type') !== 'code') {
      return answerError({ status: 400, error: 'unsupported_response_type', code: 70005, text: `response_type '${q.get('response_type') ?? ''}' is not enabled for the application.` });
    }
    const scope = q.get('scope');
    if (!scope) return answerError(missing('scope'));
    const method = q.get('code_challenge_method') ?? (q.get('code_challenge') ? 'plain' : undefined);
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      return answerError({ status: 400, error: 'invalid_request', code: 50149, text: 'Invalid Code_Challenge_method parameter.' });
    }
    const hint = q.get('login_hint') ?? undefined;
    const user = hint ? users.get(hint.toLowerCase()) : users.values().next().value;
    if (!user) {
      return page({ status: 400, error: 'invalid_request', code: 50034,
        text: `The user account ${hint ?? ''} does not exist in the '${tenantId}' directory. To sign into this application, the account must be added to the directory.` });
    }
    const deniedByHint = hint !== undefined && deniedHints.has(hint.toLowerCase());
    if (deniedByHint || denyNext > 0) {
      if (!deniedByHint) denyNext--;
      return answerError({ status: 400, error: 'access_denied', code: 65004,
        text: 'User declined to consent to access the app.' }, { error_subcode: 'cancel' });
    }
    const consentKey = `${clientId}\n${user.email.toLowerCase()}`;
    if (q.get('prompt') === 'none' && !consents.has(consentKey)) {
      return answerError({ ...injected('65001', clientId, 'authorization_code', tenant), error: 'interaction_required', extra: undefined });
    }
    consents.add(consentKey);
    const code = randomToken(48);
    codes.set(code, {
      clientId, redirectUri, scope, email: user.email, nonce: q.get('nonce') ?? undefined,
      challenge: q.get('code_challenge') ?? undefined, method, expiresAt: Date.now() + 10 * 60_000, used: false,
    });
    answer({ code });
  }

  server.on('request', handler(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const m = /^\/([^/]+)\/(oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|oauth2\/v2\.0\/devicecode|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(u.pathname);
    if (!m) return sendJson(res, 404, { error: 'not_found' });
    const tenant = tenantOf(decodeURIComponent(m[1]));
    if (m[2].endsWith('token')) {
      if (req.method !== 'POST') {
        return fail(res, { status: 400, error: 'invalid_request', code: 900561, text: 'The endpoint only accepts POST requests. Received a GET request.' });
      }
      return token(req, res, tenant);
    }
    if (m[2].endsWith('authorize')) return authorize(req, res, tenant, u.searchParams);
    if (m[2].endsWith('devicecode') && req.method === 'POST') return deviceCode(req, res, tenant);
    if (m[2].endsWith('keys')) return sendJson(res, 200, signer.jwks);
    if (!knownTenant(tenant)) return fail(res, { status: 400, error: 'invalid_tenant', code: 90002, text: `Tenant '${tenant}' not found.` });
    return sendJson(res, 200, metadata(tenant));
  }));

  return {
    url,
    tenantId,
    authorizeEndpoint: (tenant = tenantId) => `${url}/${tenant}/oauth2/v2.0/authorize`,
    tokenEndpoint: (tenant = tenantId) => `${url}/${tenant}/oauth2/v2.0/token`,
    deviceCodeEndpoint: (tenant = tenantId) => `${url}/${tenant}/oauth2/v2.0/devicecode`,
    metadata,
    counters,
    resetCounters() {
      counters.authorize = 0;
      counters.token = {};
      counters.concurrentRefreshes = 0;
    },
    slowDown(ms) {
      delayMs = ms;
    },
    authorizeErrors,
    addClient,
    addUser,
    addDomain(domain) { domains.add(domain.toLowerCase()); },
    denyConsentFor(loginHint) { deniedHints.add(loginHint.toLowerCase()); },
    denyNextConsent() { denyNext++; },
    failNext(kind, count = 1) { for (let i = 0; i < count; i++) failures.push(kind); },
    clearFailures() { failures.length = 0; },
    revokeUser(email) {
      const u = users.get(email.toLowerCase());
      if (u) u.generation++;
    },
    expireRefreshTokens(email) {
      for (const rt of refreshTokens.values()) if (!email || rt.email.toLowerCase() === email.toLowerCase()) rt.expired = true;
    },
    expireAccessTokens(email) {
      for (const at of accessTokens.values()) if (!email || at.email?.toLowerCase() === email.toLowerCase()) at.exp = 0;
    },
    introspect(accessToken) {
      const at = accessTokens.get(accessToken);
      if (!at || at.exp <= Date.now()) return { active: false };
      return {
        active: true, sub: at.sub, email: at.email, scope: at.scope, exp: Math.floor(at.exp / 1000), client_id: at.clientId, tid: tenantId,
      };
    },
    enterDeviceCode(userCode, decision, email) {
      const code = [...deviceCodes.values()].find((c) => c.userCode === userCode);
      if (!code) throw new Error(`no device code with user code ${userCode}`);
      if (decision === 'decline') code.declined = true;
      else code.email = email ?? users.values().next().value!.email;
    },
    refreshTokenState(refreshToken) {
      const rt = refreshTokens.get(refreshToken);
      return !rt ? 'unknown' : rt.redeemed ? 'redeemed' : 'unused';
    },
    stop: () => close(server, holds),
  };
}
