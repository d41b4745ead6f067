import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { crudActions, type CrudService } from './crud-actions';
import { action, adminOf, idParam } from './http-error';

/**
 * /outbound-accounts: the account form reads `oauthToken` as { id, name, template, status,
 * grantedBy } and writes it as the token's id; `password` is write-only (`hasPassword` shows
 * whether one is stored; omit it to keep it, send null or '' to remove it).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const accounts = () => strapi.plugin(PLUGIN_ID).service('outbound-accounts') as CrudService & Record<string, any>;

  return {
    ...crudActions(accounts),

    presets: action(async (ctx: Context) => {
      ctx.body = accounts().presets();
    }),

    test: action(async (ctx: Context) => {
      ctx.body = await accounts().test(idParam(ctx), ctx.request.body, adminOf(ctx));
    }),
  };
};
