import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';

/**
 * Where and how the binding cookie is sent: only to the callback, never to scripts, and
 * `Secure` when the request came over TLS or Strapi's public URL is https — behind a TLS proxy
 * the request itself looks like plain HTTP unless Koa is told to trust the proxy.
 */
export function bindingCookieOptions(strapi: Core.Strapi, ctx: Context) {
  const secure = ctx.secure || String(strapi.config.get('server.absoluteUrl') ?? strapi.config.get('server.url') ?? '').startsWith('https://');
  // Koa refuses a Secure cookie on a request it thinks is plain; the public URL says otherwise.
  if (secure) ctx.cookies.secure = true;
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: `/${PLUGIN_ID}/oauth/callback`, overwrite: true };
}
