import { createHash, randomBytes } from 'node:crypto';

/** A browser's cookies, for pages of the OAuth test server that keep a session. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** fetch() without following redirects, with the jar's cookies, keeping those it sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const kv = c.split(';')[0];
      const j = kv.indexOf('=');
      const k = kv.slice(0, j);
      const v = kv.slice(j + 1);
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return res;
  }

  /** Follows redirects from `url` until one leads under `until`, or a page answers without one. */
  async follow(url: string, until?: string): Promise<{ url: string; res?: Response }> {
    let next = url;
    for (let i = 0; i < 15; i++) {
      if (until && next.startsWith(until)) return { url: next };
      const res = await this.fetch(next);
      const loc = res.headers.get('location');
      if (!loc) return { url: next, res };
      await res.body?.cancel();
      next = new URL(loc, next).href;
    }
    throw new Error('too many redirects');
  }
}

/**
 * Follows an authorization request through the OAuth test server's auto-completing
 * login/consent pages the way a browser would (manual redirects, a small cookie jar),
 * and returns the URL it finally lands on under `redirectUri` (with `code` or `error`).
 */
export async function followAuthorization(authUrl: string | URL, redirectUri: string): Promise<URL> {
  const { url, res } = await new CookieJar().follow(String(authUrl), redirectUri);
  if (res) throw new Error(`no redirect at ${url}: ${res.status} ${await res.text()}`);
  return new URL(url);
}

const xsrfOf = (html: string) => {
  const m = /name="xsrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no xsrf field in the device page: ${html.slice(0, 300)}`);
  return m[1];
};

/**
 * A person at the OAuth test server's device page (RFC 8628 `verification_uri`): enters the
 * user code, then confirms (login and consent complete on their own) or aborts. Returns the
 * last page's text: "Signed in" after `approve`.
 */
export async function enterUserCode(verificationUri: string, userCode: string, decision: 'approve' | 'deny' = 'approve'): Promise<string> {
  const jar = new CookieJar();
  const post = (fields: Record<string, string>) =>
    jar.fetch(verificationUri, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const xsrf = xsrfOf(await (await jar.fetch(verificationUri)).text());
  const confirm = await post({ xsrf, user_code: userCode });
  const page = await confirm.text();
  if (!/id="user-code"/.test(page)) throw new Error(`the device page refused user code ${userCode}: ${page}`);
  const answer = await post({ xsrf: xsrfOf(page), user_code: userCode, ...(decision === 'approve' ? { confirm: 'yes' } : { abort: 'yes' }) });
  const loc = answer.headers.get('location');
  if (!loc) return answer.text();
  await answer.body?.cancel();
  const { res } = await jar.follow(new URL(loc, verificationUri).href);
  return (await res?.text()) ?? '';
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
