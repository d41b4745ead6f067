import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { MailAuthError } from '../errors';
import { mayDo } from '../permissions';
import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf } from './http-error';

/** `?names=a,b` or `?names=a&names=b` (the repeated form for names holding a comma). */
const namesOf = (value: unknown): string[] | undefined => {
  if (value === undefined || value === '') return undefined;
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return list.map((n) => n.trim()).filter(Boolean);
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const transfer = () => strapi.plugin(PLUGIN_ID).service('transfer');

  return {
    export: action(async (ctx: Context) => {
      const { secrets, names } = ctx.query as Record<string, unknown>;
      if (secrets !== undefined && secrets !== 'include' && secrets !== 'exclude') {
        throw new MailAuthError('VALIDATION', 'secrets must be include or exclude', {
          errors: [{ path: ['secrets'], message: 'must be include (secrets in clear text) or exclude (the default)' }],
        });
      }
      if (secrets === 'include' && !mayDo(ctx, 'export-secrets')) {
        throw new MailAuthError('FORBIDDEN', 'Exporting secrets needs the permission "Export with secrets"', {
          advice: 'Export without secrets, or ask an administrator for the permission Export with secrets (Settings → Roles → Plugins → Mail Auth).',
          errors: [{ path: ['secrets'], message: 'include needs the export-secrets permission' }],
        });
      }
      const result = await transfer().export({ names: namesOf(names), secrets: secrets === 'include', actor: adminOf(ctx) });
      ctx.set('content-disposition', 'attachment; filename="mail-auth.yaml"');
      ctx.set('cache-control', 'no-store');
      ctx.type = 'text/yaml; charset=utf-8';
      ctx.body = result.yaml;
    }),

    import: action(async (ctx: Context) => {
      ctx.body = await transfer().import(ctx.request.body, adminOf(ctx));
    }),
  };
};
