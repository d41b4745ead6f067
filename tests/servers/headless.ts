import { createHash, randomBytes } from 'node:crypto';

/**
 * Follows an authorization request through the OAuth test server's auto-completing
 * login/consent pages the way a browser would (manual redirects, a small cookie jar),
 * and returns the URL it finally lands on under `redirectUri` (with `code` or `error`).
 */
export async function followAuthorization(authUrl: string | URL, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = String(authUrl);
  for (let i = 0; i < 15; i++) {
    if (next.startsWith(redirectUri)) return new URL(next);
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const kv = c.split(';')[0];
      const j = kv.indexOf('=');
      const k = kv.slice(0, j);
      const v = kv.slice(j + 1);
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(k);
      else jar.set(k, v);
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`no redirect at ${next}: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
    next = new URL(loc, next).href;
  }
  throw new Error('too many redirects');
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

export interface ObtainTokensOptions {
  /** e.g. `server.issuer` of the OAuth test server. */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  loginHint?: string;
  scope?: string;
}

/**
 * Authorization-code + PKCE flow against the OAuth test server without openid-client, for
 * tests that just need a user's tokens (e.g. to log in to Dovecot). Client auth: secret_basic.
 */
export async function obtainTokens(o: ObtainTokensOptions): Promise<TokenResponse> {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${o.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: o.clientId,
    response_type: 'code',
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid email offline_access mail',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(o.loginHint ? { login_hint: o.loginHint } : {}),
  }).toString();
  const cb = await followAuthorization(auth, o.redirectUri);
  const code = cb.searchParams.get('code');
  if (!code) throw new Error(`authorization failed: ${cb.search}`);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: o.redirectUri, code_verifier: verifier });
  const headers: Record<string, string> = {};
  if (o.clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}`;
  else body.set('client_id', o.clientId);
  const r = await fetch(`${o.issuer}/token`, { method: 'POST', body, headers });
  const json = await r.json();
  if (!r.ok) throw new Error(`token endpoint: ${r.status} ${JSON.stringify(json)}`);
  return json as TokenResponse;
}
