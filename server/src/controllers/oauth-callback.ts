import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { bindingCookieName, type CallbackResult } from '../services/authorizations';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script type="application/json">: `<` escaped so the data cannot end the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const page = (result: CallbackResult) => {
  const title = result.ok ? 'Tokens stored' : 'Authorization failed';
  const lines = result.ok
    ? [`The OAuth2 token "${result.tokenName}" is ${result.status}${result.grantedBy ? `, granted by ${result.grantedBy}` : ''}.`]
    : [result.error?.message ?? 'Unknown error', result.error?.advice ?? ''];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail Auth — ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:36rem;color:#32324d}h1{font-size:1.25rem}</style>
</head><body><main>
<h1>${escapeHtml(title)}</h1>
${lines.filter(Boolean).map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p>You can close this window.</p>
</main>
<script id="mail-auth-result" type="application/json">${scriptJson({ source: PLUGIN_ID, type: 'oauth-result', result })}</script>
<script src="/${PLUGIN_ID}/oauth/callback.js"></script>
</body></html>`;
};

/** Tells the admin page that opened the popup how it went, then closes the popup. */
const SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('mail-auth-result').textContent);
  if (window.opener) {
    window.opener.postMessage(data, window.location.origin);
    setTimeout(function () { window.close(); }, 400);
  }
})();
`;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async callback(ctx: Context) {
    const query = ctx.query as Record<string, string | undefined>;
    let result: CallbackResult;
    try {
      result = await strapi
        .plugin(PLUGIN_ID)
        .service('authorizations')
        .complete(query, (name: string) => ctx.cookies.get(name));
      ctx.status = result.ok ? 200 : 400;
    } catch (e) {
      if (!(e instanceof MailAuthError)) throw e;
      result = { ok: false, error: { code: e.code, message: e.message, advice: e.advice } };
      ctx.status = 400;
    }
    if (query.state) ctx.cookies.set(bindingCookieName(query.state), null, { path: `/${PLUGIN_ID}/oauth/callback` });
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page(result);
  },

  script(ctx: Context) {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('cache-control', 'no-cache');
    ctx.body = SCRIPT;
  },
});
