import { generateKeyPair } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { promisify } from 'node:util';
import Provider from 'oidc-provider';

/**
 * An OAuth 2.0 / OpenID Connect authorization server (oidc-provider 9) for tests, in-process
 * on 127.0.0.1. Login and consent complete without a person (see `interaction`), clients and
 * users can be added at any time, and the token endpoint can be told to misbehave.
 */

export interface OAuthClientOptions {
  clientId: string;
  /** Omit for a public client (`tokenEndpointAuthMethod: 'none'`). */
  clientSecret?: string;
  redirectUris?: string[];
  /** Issue a new refresh token on every refresh and invalidate the old one. Default true. */
  rotateRefreshTokens?: boolean;
  /** Default `['authorization_code', 'refresh_token']`. */
  grantTypes?: string[];
  /** Scopes the client may ask for. Default `'openid email profile offline_access mail'`. */
  scope?: string;
  /** Lifetime of access tokens (also client-credentials tokens), seconds. Default 3600. */
  accessTokenTtl?: number;
  /** Default `client_secret_basic`, or `none` without a secret. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** Device flow: seconds a device code (and its user code) lives. Default 600. */
  deviceCodeTtl?: number;
  /** Device flow: the `interval` the device authorization answer names (oidc-provider names none: 5 s). */
  deviceInterval?: number;
  /**
   * Device flow: the `expires_in` the answer names, when it should differ from `deviceCodeTtl`
   * (a provider whose clock or answer is off: the code then ends at the provider first).
   */
  deviceAnnouncedExpiresIn?: number;
}

export interface OAuthServerOptions {
  /** Accounts besides alice@example.test and bob@example.test. */
  users?: string[];
  clients?: OAuthClientOptions[];
}

/** `slow_down`: the device flow's "poll less often" (oidc-provider never says it on its own). */
export type TokenFailureMode = 'none' | '500' | 'timeout' | 'invalid_grant' | 'slow_down';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface IntrospectionResponse {
  active: boolean;
  email?: string;
  sub?: string;
  client_id?: string;
  scope?: string;
  exp?: number;
  token_type?: string;
  [k: string]: unknown;
}

export interface OAuthTestServer {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  introspectionEndpoint: string;
  revocationEndpoint: string;
  userinfoEndpoint: string;
  /** Confidential `client_secret_post` client for resource servers (Dovecot, SMTP) to introspect with. */
  introspectionClient: { clientId: string; clientSecret: string };
  /**
   * Token endpoint requests by `grant_type` (including refused and failed ones), the tokens
   * issued by `grant_type`, introspections, and when each device-code poll arrived (ms), by client.
   */
  counters: {
    token: Record<string, number>;
    issued: Record<string, number>;
    introspection: number;
    devicePolls: { at: number; clientId: string }[];
    /** The most token endpoint requests that were out at once (arrived, not yet answered). */
    peakTokenRequests: number;
  };
  resetCounters(): void;
  addClient(client: OAuthClientOptions): Promise<void>;
  addUser(email: string, claims?: Record<string, unknown>): void;
  /** Refuse consent (access_denied at the redirect URI) whenever this login_hint logs in. */
  denyConsentFor(loginHint: string): void;
  /** Refuse consent for the next authorization request, whoever it is for. */
  denyNextConsent(): void;
  /** The account that the next login without a login_hint signs in as (the device flow has none). Default alice. */
  loginNextAs(accountId: string): void;
  /** Device flow: the page where a user code is entered (`verification_uri`). */
  deviceVerificationUri: string;
  /** Drop every grant, token and session of the account (all of them without an argument). */
  revokeAll(accountId?: string): number;
  /**
   * Make the next `count` token endpoint requests fail (default: until set back to `'none'`).
   * `timeout` holds the request until the client gives up, or answers 504 after 30 s.
   */
  failTokenEndpoint(mode: TokenFailureMode, count?: number): void;
  /**
   * Hold each answer to a refresh_token grant for `ms` (0: no more) after the grant was redeemed
   * and the answer made: a far provider, whose rotated refresh token is in flight that long.
   */
  holdRefreshAnswers(ms: number): void;
  /** Refresh answers made and held right now (redeemed at the provider, not yet sent). */
  readonly heldRefreshAnswers: number;
  introspect(token: string): Promise<IntrospectionResponse>;
  /** The oidc-provider instance, for anything not covered above. */
  provider: Provider;
  stop(): Promise<void>;
}

/** login_hint that always has its consent refused. */
export const DENY_LOGIN_HINT = 'deny@example.test';
const DEFAULT_SCOPE = 'openid email profile offline_access mail';

interface Entry { payload: Record<string, any>; expiresAt?: number }

/**
 * oidc-provider storage in a Map. Our own (not the bundled LRU adapter) so that clients can
 * be added while running and `revokeAll` can find everything belonging to an account.
 */
function mapAdapter(store: Map<string, Entry>) {
  return class MapAdapter {
    constructor(private model: string) {}
    private key(id: string) { return `${this.model}:${id}`; }
    async upsert(id: string, payload: Record<string, any>, expiresIn?: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (this.model === 'Session') store.set(`SessionUid:${payload.uid}`, { payload: { id } });
      if (this.model === 'DeviceCode') store.set(`DeviceUserCode:${payload.userCode}`, { payload: { id } });
    }
    async find(id: string) {
      const e = store.get(this.key(id));
      // A device code is kept past its expiry, so that polling it answers expired_token (the
      // model checks its own exp) rather than invalid_grant for a code that is gone.
      const kept = this.model === 'DeviceCode' && e?.expiresAt && e.expiresAt > Date.now() - 600_000;
      if (e?.expiresAt && e.expiresAt < Date.now() && !kept) { store.delete(this.key(id)); return undefined; }
      return e?.payload;
    }
    async findByUid(uid: string) {
      const id = store.get(`SessionUid:${uid}`)?.payload.id;
      return id ? this.find(id) : undefined;
    }
    async findByUserCode(userCode: string) {
      const id = store.get(`DeviceUserCode:${userCode}`)?.payload.id;
      return id ? this.find(id) : undefined;
    }
    async consume(id: string) {
      const e = store.get(this.key(id));
      if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) { store.delete(this.key(id)); }
    async revokeByGrantId(grantId: string) {
      for (const [k, e] of store) if (e.payload.grantId === grantId) store.delete(k);
    }
  };
}

let keyPromise: Promise<Record<string, unknown>> | undefined;
/** One RSA key per process: generating it costs a few hundred ms per server otherwise. */
function signingKey() {
  keyPromise ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey }) => ({
    ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig',
  }));
  return keyPromise;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString())));
    req.on('error', () => resolve(new URLSearchParams()));
  });
}

export async function startOAuthServer(opts: OAuthServerOptions = {}): Promise<OAuthTestServer> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await setUp(server, opts);
  } catch (e) {
    server.close();
    throw e;
  }
}

async function setUp(server: Server, opts: OAuthServerOptions): Promise<OAuthTestServer> {
  const store = new Map<string, Entry>();
  const accounts = new Map<string, Record<string, unknown>>();
  const addUser = (email: string, claims: Record<string, unknown> = {}) => {
    accounts.set(email, { email, email_verified: true, name: email.split('@')[0], ...claims });
  };
  for (const u of ['alice@example.test', 'bob@example.test', ...(opts.users ?? [])]) addUser(u);

  const denied = new Set<string>([DENY_LOGIN_HINT]);
  let denyNext = 0;
  let nextLogin: string | undefined;
  let failure: { mode: TokenFailureMode; left: number } = { mode: 'none', left: 0 };
  const hanging = new Set<() => void>();
  /** Resolves after `ms`, when the client goes away, or when the server stops, whichever comes first. */
  const holdRequest = (ctx: any, ms: number) =>
    new Promise<void>((resolve) => {
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        hanging.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      hanging.add(done);
      ctx.res.once('close', done);
    });
  let holdMs = 0;
  let held = 0;
  const holdAnswer = async (ctx: any) => {
    held++;
    try {
      await holdRequest(ctx, holdMs);
    } finally {
      held--;
    }
  };
  const counters = { token: {} as Record<string, number>, issued: {} as Record<string, number>, introspection: 0, devicePolls: [] as { at: number; clientId: string }[], peakTokenRequests: 0 };
  let tokenRequestsOut = 0;
  const countGrant = (g: unknown) => {
    const k = typeof g === 'string' && g ? g : 'unknown';
    counters.token[k] = (counters.token[k] ?? 0) + 1;
  };

  const jwk = await signingKey();

  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const meta = (client: any) => client.metadata() as Record<string, unknown>;
  const atTtl = (_ctx: unknown, _token: unknown, client: any) => Number(client && meta(client).access_token_ttl) || 3600;

  const provider = new Provider(issuer, {
    adapter: mapAdapter(store),
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-only-cookie-key'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'mail'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // email in the ID token too, not only at userinfo (what Google/Microsoft hand out)
    conformIdTokenClaims: false,
    extraClientMetadata: { properties: ['rotate_refresh_tokens', 'access_token_ttl', 'device_code_ttl', 'device_interval', 'device_expires_in'] },
    findAccount: async (_ctx: unknown, id: string) => {
      const claims = accounts.get(id);
      return claims && { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    pkce: { required: () => true },
    // default rotates only public clients or after 70% of the lifetime; tests need it per client
    rotateRefreshToken: (ctx: any) => meta(ctx.oidc.entities.Client).rotate_refresh_tokens !== false,
    // refresh tokens without the offline_access + prompt=consent dance
    issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
    // resource servers (Dovecot's oauth2 passdb: username_attribute = email) read it from introspection
    extraTokenClaims: async (_ctx: unknown, token: any) => (token.accountId ? { email: token.accountId } : undefined),
    ttl: {
      AccessToken: atTtl,
      ClientCredentials: atTtl,
      RefreshToken: 86400,
      AuthorizationCode: 60,
      DeviceCode: (_ctx: unknown, _code: unknown, client: any) => Number(client && meta(client).device_code_ttl) || 600,
      Interaction: 600,
      Session: 3600,
      Grant: 86400,
      IdToken: 3600,
    },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      // RFC 8628; the pages are plain forms that tests fill in (see enterUserCode in ./headless)
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx: any, form: string, _out: unknown, err: Error | undefined) => {
          ctx.body = `<!doctype html><title>Enter code</title>${err ? `<p id="error">${err.name}</p>` : ''}${form}`;
        },
        userCodeConfirmSource: async (ctx: any, form: string, _client: unknown, _info: unknown, userCode: string) => {
          ctx.body = `<!doctype html><title>Confirm</title><p id="user-code">${userCode}</p>${form}`;
        },
        successSource: async (ctx: any) => {
          ctx.body = '<!doctype html><title>Signed in</title><p id="success">Signed in</p>';
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: any) => `/interaction/${interaction.uid}` },
    renderError: async (ctx: any, out: Record<string, string>) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  provider.on('server_error', (_ctx: unknown, err: Error) => console.error('oauth test server: server_error', err));

  // counting and failure injection in front of the token endpoint
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    if (ctx.path === '/token/introspection') counters.introspection++;
    if (ctx.path === '/device/auth' && ctx.method === 'POST') {
      await next();
      const m = ctx.oidc?.client ? meta(ctx.oidc.client) : {};
      if (ctx.status === 200 && m.device_interval) ctx.body = { ...ctx.body, interval: Number(m.device_interval) };
      if (ctx.status === 200 && m.device_expires_in) ctx.body = { ...ctx.body, expires_in: Number(m.device_expires_in) };
      return;
    }
    if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
    counters.peakTokenRequests = Math.max(counters.peakTokenRequests, ++tokenRequestsOut);
    try {
      await answerTokenRequest(ctx, next);
    } finally {
      tokenRequestsOut--;
    }
  });

  const answerTokenRequest = async (ctx: any, next: () => Promise<void>) => {
    const pollArrived = Date.now();
    const countPoll = (g: unknown, clientId: unknown) => {
      if (g === DEVICE_CODE_GRANT) counters.devicePolls.push({ at: pollArrived, clientId: String(clientId) });
    };
    if (failure.mode === 'none' || failure.left <= 0) {
      try { await next(); } finally {
        const g = ctx.oidc?.params?.grant_type ?? ctx.oidc?.body?.grant_type;
        countGrant(g);
        countPoll(g, ctx.oidc?.client?.clientId ?? ctx.oidc?.params?.client_id);
        if (ctx.status === 200) counters.issued[String(g)] = (counters.issued[String(g)] ?? 0) + 1;
      }
      if (holdMs > 0 && ctx.oidc?.params?.grant_type === 'refresh_token' && ctx.status === 200) await holdAnswer(ctx);
      return;
    }
    const { mode } = failure;
    if (--failure.left <= 0) failure = { mode: 'none', left: 0 };
    const form = await readForm(ctx.req);
    const grantType = form.get('grant_type');
    countGrant(grantType);
    const basic = /^Basic (.+)$/i.exec(ctx.get('authorization') ?? '')?.[1];
    countPoll(grantType, form.get('client_id') ?? (basic ? decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]) : undefined));
    if (mode === 'timeout') {
      await holdRequest(ctx, 30_000);
      if (ctx.res.destroyed || ctx.res.writableEnded) { ctx.respond = false; return; }
      ctx.status = 504;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'simulated timeout (test server)' };
    } else if (mode === 'slow_down') {
      ctx.status = 400;
      ctx.body = { error: 'slow_down', error_description: 'simulated slow_down (test server)' };
    } else if (mode === '500') {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'simulated failure (test server)' };
    } else {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'simulated invalid_grant (test server)' };
    }
    ctx.set('cache-control', 'no-store');
  };

  // headless login + consent: log in login_hint (or alice), grant everything asked for,
  // unless this request is to be refused, which ends as access_denied at the redirect URI
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (!m || ctx.method !== 'GET') return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    const hint = typeof params.login_hint === 'string' ? params.login_hint : undefined;
    const deniedByHint = hint !== undefined && denied.has(hint);
    let result: Record<string, unknown>;
    if (deniedByHint || denyNext > 0) {
      if (!deniedByHint) denyNext--;
      result = { error: 'access_denied', error_description: 'The user refused to grant access (test server)' };
    } else if (prompt.name === 'login') {
      const next = hint === undefined ? nextLogin : undefined;
      if (hint === undefined) nextLogin = undefined;
      result = { login: { accountId: hint && accounts.has(hint) ? hint : next && accounts.has(next) ? next : 'alice@example.test' } };
    } else if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const d = prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      if (d.missingResourceScopes) {
        for (const [ind, sc] of Object.entries(d.missingResourceScopes)) grant.addResourceScope(ind, (sc as string[]).join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    } else {
      ctx.throw(400, `unsupported prompt ${prompt.name}`);
      return;
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  server.on('request', provider.callback());

  const addClient = async (c: OAuthClientOptions) => {
    const grantTypes = c.grantTypes ?? ['authorization_code', 'refresh_token'];
    const metadata: Record<string, unknown> = {
      client_id: c.clientId,
      redirect_uris: c.redirectUris ?? [],
      grant_types: grantTypes,
      response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? (c.clientSecret ? 'client_secret_basic' : 'none'),
      rotate_refresh_tokens: c.rotateRefreshTokens ?? true,
      access_token_ttl: c.accessTokenTtl ?? 3600,
      ...(c.deviceCodeTtl ? { device_code_ttl: c.deviceCodeTtl } : {}),
      ...(c.deviceInterval ? { device_interval: c.deviceInterval } : {}),
      ...(c.deviceAnnouncedExpiresIn ? { device_expires_in: c.deviceAnnouncedExpiresIn } : {}),
    };
    if (c.clientSecret) metadata.client_secret = c.clientSecret;
    // oidc-provider rejects scope: '' (a client that may not ask for any scope has none)
    if (c.scope !== '') metadata.scope = c.scope ?? DEFAULT_SCOPE;
    await provider.Client.validate(metadata);
    store.set(`Client:${c.clientId}`, { payload: metadata });
  };

  const introspectionClient = { clientId: 'resource-server', clientSecret: 'resource-server-secret' };
  await addClient({ ...introspectionClient, grantTypes: [], tokenEndpointAuthMethod: 'client_secret_post', scope: '' });
  for (const c of opts.clients ?? []) await addClient(c);

  const introspectionEndpoint = `${issuer}/token/introspection`;
  return {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    introspectionEndpoint,
    revocationEndpoint: `${issuer}/token/revocation`,
    userinfoEndpoint: `${issuer}/me`,
    deviceVerificationUri: `${issuer}/device`,
    introspectionClient,
    counters,
    resetCounters() {
      counters.token = {};
      counters.issued = {};
      counters.introspection = 0;
      counters.devicePolls = [];
      counters.peakTokenRequests = 0;
    },
    addClient,
    addUser,
    denyConsentFor(loginHint) { denied.add(loginHint); },
    denyNextConsent() { denyNext++; },
    loginNextAs(accountId) { nextLogin = accountId; },
    revokeAll(accountId) {
      let n = 0;
      for (const [k, e] of store) {
        if (k.startsWith('Client:')) continue;
        if (accountId === undefined || e.payload.accountId === accountId) { store.delete(k); n++; }
      }
      return n;
    },
    failTokenEndpoint(mode, count = Infinity) {
      failure = { mode, left: mode === 'none' ? 0 : count };
    },
    holdRefreshAnswers(ms) { holdMs = ms; },
    get heldRefreshAnswers() { return held; },
    async introspect(token) {
      const r = await fetch(introspectionEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ token, client_id: introspectionClient.clientId, client_secret: introspectionClient.clientSecret }),
      });
      if (!r.ok) throw new Error(`introspection: HTTP ${r.status} ${await r.text()}`);
      return (await r.json()) as IntrospectionResponse;
    },
    provider,
    async stop() {
      for (const done of hanging) done();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
