import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { bindingCookieName, type CallbackResult } from '../services/authorizations';
import { bindingCookieOptions } from './binding-cookie';

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

/**
 * Tells the admin page how it went, then closes the popup. The popup has no `window.opener`
 * (the admin page cuts it before sending the popup to the provider, so that no page on the way
 * can navigate the admin's window): the result goes over a BroadcastChannel, which only pages
 * of this origin can hear. The admin page also polls the token, for browsers or setups where
 * the channel does not reach it.
 */
const SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('mail-auth-result').textContent);
  if (typeof BroadcastChannel === 'function') {
    var channel = new BroadcastChannel(${JSON.stringify(`${PLUGIN_ID}-oauth`)});
    channel.postMessage(data);
    channel.close();
  }
  setTimeout(function () { window.close(); }, 400);
})();
`;

/**
 * The callback's parameters, each once: a parameter given twice (`?state=a&state=b`) is not a
 * redirect any provider sends, and which copy counts would be a guess.
 */
function singleParameters(query: Context['query']): Record<string, string | undefined> {
  const repeated = Object.keys(query).filter((k) => Array.isArray(query[k]));
  if (repeated.length) {
    throw new MailAuthError('STATE_INVALID', `The callback has the parameter ${repeated.join(', ')} more than once: it did not come from the provider as sent.`, {
      advice: 'Click Generate tokens again.',
      errors: repeated.map((k) => ({ path: [k], message: 'must appear once' })),
    });
  }
  return query as Record<string, string | undefined>;
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async callback(ctx: Context) {
    let query: Record<string, string | undefined> = {};
    let result: CallbackResult;
    try {
      query = singleParameters(ctx.query);
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
    if (query.state) ctx.cookies.set(bindingCookieName(query.state), null, bindingCookieOptions(strapi, ctx));
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
