import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { crudActions, type CrudService } from './crud-actions';
import { action, adminOf, idParam } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const accounts = () => strapi.plugin(PLUGIN_ID).service('inbound-accounts') as CrudService & Record<string, any>;
  const postmaster = () => strapi.plugin(PLUGIN_ID).service('postmaster');

  return {
    ...crudActions(accounts),

    presets: action(async (ctx: Context) => {
      ctx.body = accounts().presets();
    }),

    test: action(async (ctx: Context) => {
      ctx.body = await accounts().test(idParam(ctx), adminOf(ctx));
    }),

    fetch: action(async (ctx: Context) => {
      const id = idParam(ctx);
      await accounts().find(id); // 404 before anything else
      ctx.body = await postmaster().fetch(id, { actor: adminOf(ctx), trigger: 'manual' });
    }),
  };
};
