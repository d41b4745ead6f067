import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf, idParam } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const accounts = () => strapi.plugin(PLUGIN_ID).service('inbound-accounts');
  const postmaster = () => strapi.plugin(PLUGIN_ID).service('postmaster');

  return {
    presets: action(async (ctx: Context) => {
      ctx.body = accounts().presets();
    }),

    list: action(async (ctx: Context) => {
      const { page, pageSize, search } = ctx.query as Record<string, string | undefined>;
      ctx.body = await accounts().list({ page: Number(page) || 1, pageSize: Number(pageSize) || 25, search });
    }),

    get: action(async (ctx: Context) => {
      ctx.body = await accounts().get(idParam(ctx));
    }),

    create: action(async (ctx: Context) => {
      ctx.status = 201;
      ctx.body = await accounts().create(ctx.request.body, adminOf(ctx));
    }),

    update: action(async (ctx: Context) => {
      ctx.body = await accounts().update(idParam(ctx), ctx.request.body, adminOf(ctx));
    }),

    delete: action(async (ctx: Context) => {
      ctx.body = await accounts().delete(idParam(ctx), adminOf(ctx));
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
