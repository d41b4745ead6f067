import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  basicCredentials, close, handler, Holds, listen, pkceS256, randomToken, randomUserCode, readForm, redirect, rsaSigner,
  send, sendJson,
} from './http-util';

/**
 * A local stand-in for Google's OAuth 2.0 server (`accounts.google.com/o/oauth2/v2/auth`,
 * `oauth2.googleapis.com/{token,revoke,tokeninfo}`), built from Google's documentation of the
 * web-server flow: a refresh token only with `access_type=offline`, and again after the first
 * consent only with `prompt=consent`; refreshes that never return a new refresh token; errors as
 * Google words them; authorize-time errors shown as a page, not sent to the redirect URI.
 * Login and consent need no person: the authorize endpoint redirects at once.
 *
 * The device flow (`oauth2.googleapis.com/device/code`) as developers.google.com/identity/protocols/
 * oauth2/limited-input-device documents it: only "TVs and Limited Input devices" clients, only
 * the allowed scopes (openid, email, profile here), `verification_url` (not RFC 8628's
 * `verification_uri`), authorization_pending as HTTP 428, access_denied and slow_down as 403.
 *
 * Sources: developers.google.com/identity/protocols/oauth2/web-server (parameters, offline access,
 * refresh, revocation, error page for redirect_uri_mismatch), Google's token endpoint answers as
 * quoted in public issue threads ("Token has been expired or revoked.", "The OAuth client was not
 * found.", "Unauthorized", "Bad Request").
 */

export interface GoogleClientOptions {
  clientId: string;
  /** Omit for an installed-app client without secret. */
  clientSecret?: string;
  redirectUris?: string[];
  /** Seconds. Default 3599, as Google answers. */
  accessTokenTtl?: number;
  /** `tv`: a "TVs and Limited Input devices" client, the only type allowed the device flow. Default `web`. */
  type?: 'web' | 'tv';
  /** The device flow's `interval`, seconds. Default 5, as Google answers. */
  deviceInterval?: number;
}

export interface GoogleIdentityOptions {
  clients?: GoogleClientOptions[];
  /** Default alice@example.test and bob@example.test. */
  users?: string[];
}

/** What `failNext` can make the token endpoint answer. */
export type GoogleFailure =
  | 'invalid_grant' // "Token has been expired or revoked."
  | 'invalid_grant_bad_request' // "Bad Request"
  | 'invalid_client' // "The OAuth client was not found."
  | 'invalid_client_unauthorized' // "Unauthorized"
  | 'http500'
  | 'timeout';

/** tokeninfo's fields, plus `active`. */
export interface GoogleIntrospection {
  active: boolean;
  sub?: string;
  email?: string;
  email_verified?: boolean;
  scope?: string;
  /** Seconds since the epoch. */
  exp?: number;
  expires_in?: number;
  azp?: string;
  aud?: string;
}

/** An error the authorize endpoint showed as a page (Google does not redirect these). */
export interface GoogleAuthorizeError {
  status: number;
  error: string;
  error_description: string;
}

export interface GoogleIdentityServer {
  /** Stands for both `https://accounts.google.com` and `https://oauth2.googleapis.com`. */
  url: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string;
  tokeninfoEndpoint: string;
  /** What `/.well-known/openid-configuration` answers, for `new client.Configuration(...)`. */
  metadata(): Record<string, unknown>;
  counters: { authorize: number; token: Record<string, number>; revoke: number };
  resetCounters(): void;
  authorizeErrors: GoogleAuthorizeError[];
  addClient(client: GoogleClientOptions): void;
  addUser(email: string): void;
  denyConsentFor(loginHint: string): void;
  denyNextConsent(): void;
  failNext(kind: GoogleFailure, count?: number): void;
  clearFailures(): void;
  /** As if the user removed the app's access in their Google account (all tokens of it die). */
  revokeGrant(email: string, clientId?: string): void;
  /** Their access tokens (everyone's without an argument) are no longer active. */
  expireAccessTokens(email?: string): void;
  /** The device flow's page: the person enters `userCode` and allows (as `email`, default the first user) or denies. */
  enterDeviceCode(userCode: string, decision: 'allow' | 'deny', email?: string): void;
  introspect(accessToken: string): GoogleIntrospection;
  stop(): Promise<void>;
}

const SCOPE_ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

interface Client extends GoogleClientOptions { redirectUris: string[] }
interface User { email: string; sub: string }
/** What a user granted a client; revoking it kills every token of the pair. */
interface Grant { consented: boolean; offline: boolean; generation: number }
interface Code {
  clientId: string; redirectUri: string; scope: string; email: string; nonce?: string; withRefresh: boolean;
  challenge?: string; method?: string; expiresAt: number; used: boolean;
}
interface Issued { clientId: string; email: string; scope: string; generation: number; exp: number }
interface DeviceCode { clientId: string; scope: string; userCode: string; expiresAt: number; email?: string; denied?: boolean; used: boolean }
/** The scopes Google's device flow grants (of those this server knows). */
const DEVICE_SCOPES = new Set(['openid', 'email', 'profile', SCOPE_ALIASES.email, SCOPE_ALIASES.profile]);
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface GoogleError { status: number; body: { error: string; error_description: string } }
const google = (status: number, error: string, description: string): GoogleError => ({ status, body: { error, error_description: description } });

function injected(kind: GoogleFailure): GoogleError {
  switch (kind) {
    case 'invalid_grant': return google(400, 'invalid_grant', 'Token has been expired or revoked.');
    case 'invalid_grant_bad_request': return google(400, 'invalid_grant', 'Bad Request');
    case 'invalid_client': return google(401, 'invalid_client', 'The OAuth client was not found.');
    case 'invalid_client_unauthorized': return google(401, 'invalid_client', 'Unauthorized');
    default: return google(500, 'internal_failure', 'Backend Error');
  }
}

export async function startGoogleIdentity(opts: GoogleIdentityOptions = {}): Promise<GoogleIdentityServer> {
  const clients = new Map<string, Client>();
  const users = new Map<string, User>();
  const grants = new Map<string, Grant>();
  const codes = new Map<string, Code>();
  const deviceCodes = new Map<string, DeviceCode>();
  const refreshTokens = new Map<string, Issued>();
  const accessTokens = new Map<string, Issued>();
  const deniedHints = new Set<string>();
  let denyNext = 0;
  const failures: GoogleFailure[] = [];
  const counters = { authorize: 0, token: {} as Record<string, number>, revoke: 0 };
  const authorizeErrors: GoogleAuthorizeError[] = [];
  const holds = new Holds();
  const signer = await rsaSigner('google-test-key');
  let nextSub = 100000000000000000001n;

  const addClient = (c: GoogleClientOptions) => { clients.set(c.clientId, { ...c, redirectUris: c.redirectUris ?? [] }); };
  const addUser = (email: string) => { users.set(email.toLowerCase(), { email, sub: String(nextSub++) }); };
  for (const u of opts.users ?? ['alice@example.test', 'bob@example.test']) addUser(u);
  for (const c of opts.clients ?? []) addClient(c);

  const server = createServer();
  const url = await listen(server);
  const grantOf = (clientId: string, email: string) => {
    const key = `${clientId}\n${email.toLowerCase()}`;
    let g = grants.get(key);
    if (!g) { g = { consented: false, offline: false, generation: 0 }; grants.set(key, g); }
    return g;
  };
  const alive = (t: Issued | undefined): t is Issued => !!t && t.generation === grantOf(t.clientId, t.email).generation;

  const metadata = () => ({
    issuer: url,
    authorization_endpoint: `${url}/o/oauth2/v2/auth`,
    token_endpoint: `${url}/token`,
    revocation_endpoint: `${url}/revoke`,
    jwks_uri: `${url}/oauth2/v3/certs`,
    response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
  });

  function tokenAnswer(clientId: string, email: string, scope: string, withRefresh: boolean, nonce?: string) {
    const client = clients.get(clientId)!;
    const user = users.get(email.toLowerCase())!;
    const ttl = client.accessTokenTtl ?? 3599;
    const { generation } = grantOf(clientId, email);
    const accessToken = `ya29.${randomToken(40)}`;
    accessTokens.set(accessToken, { clientId, email: user.email, scope, generation, exp: Date.now() + ttl * 1000 });
    const out: Record<string, unknown> = { access_token: accessToken, expires_in: ttl, scope, token_type: 'Bearer' };
    if (withRefresh) {
      const rt = `1//${randomToken(48)}`;
      refreshTokens.set(rt, { clientId, email: user.email, scope, generation, exp: Infinity });
      out.refresh_token = rt;
    }
    if (scope.split(' ').includes('openid')) {
      const now = Math.floor(Date.now() / 1000);
      out.id_token = signer.sign({
        iss: url, azp: clientId, aud: clientId, sub: user.sub, email: user.email, email_verified: true, iat: now, exp: now + 3600,
        ...(nonce ? { nonce } : {}),
      });
    }
    return out;
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    const grantType = form.get('grant_type') ?? '';
    counters.token[grantType || 'unknown'] = (counters.token[grantType || 'unknown'] ?? 0) + 1;
    const headers = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' };
    const answer = (e: GoogleError) => sendJson(res, e.status, e.body, headers);

    const kind = failures.shift();
    if (kind === 'timeout') {
      if (await holds.hold(res)) answer(google(504, 'internal_failure', 'Deadline exceeded'));
      return;
    }
    if (kind) return answer(injected(kind));

    const basic = basicCredentials(req);
    const clientId = form.get('client_id') ?? basic?.user;
    if (!clientId) return answer(google(400, 'invalid_request', 'Could not determine client ID from request.'));
    const client = clients.get(clientId);
    if (!client) return answer(injected('invalid_client'));
    const secret = form.get('client_secret') ?? basic?.pass;
    if (client.clientSecret !== undefined && secret !== client.clientSecret) return answer(injected('invalid_client_unauthorized'));

    if (grantType === 'authorization_code') {
      const value = form.get('code');
      if (!value) return answer(google(400, 'invalid_request', 'Missing required parameter: code'));
      const code = codes.get(value);
      if (!code || code.clientId !== clientId) return answer(google(400, 'invalid_grant', 'Malformed auth code.'));
      if (code.used || code.expiresAt < Date.now()) return answer(injected('invalid_grant_bad_request'));
      if (form.get('redirect_uri') !== code.redirectUri) return answer(google(400, 'redirect_uri_mismatch', 'Bad Request'));
      if (code.challenge !== undefined) {
        const verifier = form.get('code_verifier');
        if (!verifier) return answer(google(400, 'invalid_grant', 'Missing code verifier.'));
        if ((code.method === 'plain' ? verifier : pkceS256(verifier)) !== code.challenge) {
          return answer(google(400, 'invalid_grant', 'Invalid code verifier.'));
        }
      }
      code.used = true;
      return sendJson(res, 200, tokenAnswer(clientId, code.email, code.scope, code.withRefresh, code.nonce), headers);
    }
    if (grantType === 'refresh_token') {
      const value = form.get('refresh_token');
      if (!value) return answer(google(400, 'invalid_request', 'Missing required parameter: refresh_token'));
      const rt = refreshTokens.get(value);
      if (!alive(rt) || rt.clientId !== clientId) return answer(injected('invalid_grant'));
      // Google does not rotate: no refresh_token in the answer, the old one stays the one to use
      return sendJson(res, 200, tokenAnswer(clientId, rt.email, rt.scope, false), headers);
    }
    if (grantType === DEVICE_GRANT) {
      const code = deviceCodes.get(form.get('device_code') ?? '');
      if (!code || code.clientId !== clientId || code.used) return answer(google(400, 'invalid_grant', 'Bad Request'));
      if (code.expiresAt < Date.now()) return answer(google(400, 'expired_token', 'Bad Request'));
      if (code.denied) return answer(google(403, 'access_denied', 'Forbidden'));
      if (!code.email) return answer(google(428, 'authorization_pending', 'Precondition Required'));
      code.used = true;
      return sendJson(res, 200, tokenAnswer(clientId, code.email, code.scope, true), headers);
    }
    return answer(google(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`));
  }

  async function deviceCode(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    const client = clients.get(form.get('client_id') ?? '');
    if (!client) return sendJson(res, 401, injected('invalid_client').body);
    if (client.type !== 'tv') return sendJson(res, 401, { error: 'invalid_client', error_description: 'Invalid client type.' });
    const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!requested.length) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing required parameter: scope' });
    if (!requested.every((s) => DEVICE_SCOPES.has(s))) return sendJson(res, 400, { error: 'invalid_scope', error_description: 'Invalid device flow scope.' });
    const value = `AH-1${randomToken(40)}`;
    const userCode = randomUserCode();
    deviceCodes.set(value, { clientId: client.clientId, scope: requested.map((s) => SCOPE_ALIASES[s] ?? s).join(' '), userCode, expiresAt: Date.now() + 1_800_000, used: false });
    return sendJson(res, 200, {
      device_code: value, user_code: userCode, expires_in: 1800, interval: client.deviceInterval ?? 5, verification_url: `${url}/device`,
    });
  }

  function authorize(res: ServerResponse, q: URLSearchParams) {
    counters.authorize++;
    const page = (status: number, error: string, description: string) => {
      authorizeErrors.push({ status, error, error_description: description });
      const esc = (s: string) => s.replace(/[<&>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      send(res, status, `<!doctype html><title>Error ${status} (${esc(error)})</title><h1>Access blocked: authorisation error</h1>`
        + `<p>${esc(description)}</p><p>Error ${status}: ${esc(error)}</p>`
        + `<script type="application/json" id="error">${esc(JSON.stringify({ error, error_description: description }))}</script>`,
      'text/html; charset=utf-8');
    };
    const clientId = q.get('client_id');
    if (!clientId) return page(400, 'invalid_request', 'Missing required parameter: client_id');
    const client = clients.get(clientId);
    if (!client) return page(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return page(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) {
      return page(400, 'redirect_uri_mismatch', `The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`);
    }
    if (!q.get('response_type')) return page(400, 'invalid_request', 'Required parameter is missing: response_type');
    if (q.get('response_type') !== 'code') return page(400, 'unsupported_response_type', `Invalid response_type: ${q.get('response_type')}`);
    const requested = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!requested.length) return page(400, 'invalid_request', 'Missing required parameter: scope');

    const state = q.get('state');
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...(state !== null ? { state } : {}), ...params })) target.searchParams.set(k, v);
      redirect(res, target.href);
    };
    const hint = q.get('login_hint') ?? undefined;
    const user = hint ? users.get(hint.toLowerCase()) : users.values().next().value;
    if (!user) return page(400, 'invalid_request', `No Google account for login_hint ${hint ?? ''} (test server).`);
    const deniedByHint = hint !== undefined && deniedHints.has(hint.toLowerCase());
    if (deniedByHint || denyNext > 0) {
      if (!deniedByHint) denyNext--;
      return back({ error: 'access_denied' });
    }
    const grant = grantOf(clientId, user.email);
    const prompts = (q.get('prompt') ?? '').split(/\s+/);
    if (prompts.includes('none') && !grant.consented) return back({ error: 'consent_required' });
    grant.consented = true;
    const offline = q.get('access_type') === 'offline';
    // documented: a refresh token on the first offline consent, later ones only with prompt=consent
    const withRefresh = offline && (!grant.offline || prompts.includes('consent'));
    if (offline) grant.offline = true;
    const scope = requested.map((s) => SCOPE_ALIASES[s] ?? s).join(' ');
    const method = q.get('code_challenge_method') ?? (q.get('code_challenge') ? 'plain' : undefined);
    const code = `4/0${randomToken(40)}`;
    codes.set(code, {
      clientId, redirectUri, scope, email: user.email, nonce: q.get('nonce') ?? undefined, withRefresh,
      challenge: q.get('code_challenge') ?? undefined, method, expiresAt: Date.now() + 10 * 60_000, used: false,
    });
    back({ code, scope, authuser: '0', prompt: 'consent' });
  }

  function revokeToken(value: string): boolean {
    const t = refreshTokens.get(value) ?? accessTokens.get(value);
    if (!alive(t)) return false;
    // documented: revoking either token of a grant revokes the refresh token too
    const g = grantOf(t.clientId, t.email);
    g.generation++;
    g.offline = false;
    g.consented = false;
    return true;
  }

  function introspect(accessToken: string): GoogleIntrospection {
    const at = accessTokens.get(accessToken);
    if (!alive(at) || at.exp <= Date.now()) return { active: false };
    const user = users.get(at.email.toLowerCase())!;
    return {
      active: true, sub: user.sub, email: user.email, email_verified: true, scope: at.scope,
      exp: Math.floor(at.exp / 1000), expires_in: Math.max(0, Math.floor((at.exp - Date.now()) / 1000)), azp: at.clientId, aud: at.clientId,
    };
  }

  server.on('request', handler(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    if (u.pathname === '/o/oauth2/v2/auth' && req.method === 'GET') return authorize(res, u.searchParams);
    if (u.pathname === '/token' && req.method === 'POST') return token(req, res);
    if (u.pathname === '/device/code' && req.method === 'POST') return deviceCode(req, res);
    if (u.pathname === '/revoke' && req.method === 'POST') {
      counters.revoke++;
      const value = u.searchParams.get('token') ?? (await readForm(req)).get('token') ?? '';
      return revokeToken(value)
        ? sendJson(res, 200, {})
        : sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    }
    if (u.pathname === '/tokeninfo') {
      const value = u.searchParams.get('access_token') ?? (req.method === 'POST' ? (await readForm(req)).get('access_token') : null) ?? '';
      const info = introspect(value);
      if (!info.active) return sendJson(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
      return sendJson(res, 200, {
        azp: info.azp, aud: info.aud, sub: info.sub, scope: info.scope, exp: String(info.exp), expires_in: String(info.expires_in),
        email: info.email, email_verified: 'true', access_type: 'offline',
      });
    }
    if (u.pathname === '/oauth2/v3/certs') return sendJson(res, 200, signer.jwks);
    if (u.pathname === '/.well-known/openid-configuration') return sendJson(res, 200, metadata());
    return sendJson(res, 404, { error: 'not_found' });
  }));

  return {
    url,
    authorizationEndpoint: `${url}/o/oauth2/v2/auth`,
    tokenEndpoint: `${url}/token`,
    revocationEndpoint: `${url}/revoke`,
    tokeninfoEndpoint: `${url}/tokeninfo`,
    metadata,
    counters,
    resetCounters() {
      counters.authorize = 0;
      counters.revoke = 0;
      counters.token = {};
    },
    authorizeErrors,
    addClient,
    addUser,
    denyConsentFor(loginHint) { deniedHints.add(loginHint.toLowerCase()); },
    denyNextConsent() { denyNext++; },
    failNext(kind, count = 1) { for (let i = 0; i < count; i++) failures.push(kind); },
    clearFailures() { failures.length = 0; },
    revokeGrant(email, clientId) {
      for (const [key, g] of grants) {
        const [c, e] = key.split('\n');
        if (e === email.toLowerCase() && (!clientId || c === clientId)) { g.generation++; g.offline = false; g.consented = false; }
      }
    },
    expireAccessTokens(email) {
      for (const at of accessTokens.values()) if (!email || at.email.toLowerCase() === email.toLowerCase()) at.exp = 0;
    },
    enterDeviceCode(userCode, decision, email) {
      const code = [...deviceCodes.values()].find((c) => c.userCode === userCode);
      if (!code) throw new Error(`no device code with user code ${userCode}`);
      if (decision === 'deny') code.denied = true;
      else code.email = email ?? users.values().next().value!.email;
    },
    introspect,
    stop: () => close(server, holds),
  };
}
