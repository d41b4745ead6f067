import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf, idParam } from './http-error';

/**
 * /outbound-accounts: the account form reads `oauthToken` as { id, name, template, status,
 * grantedBy } and writes it as the token's id; `password` is write-only (`hasPassword` shows
 * whether one is stored; omit it to keep it, send null or '' to remove it).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const accounts = () => strapi.plugin(PLUGIN_ID).service('outbound-accounts');

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
      ctx.body = await accounts().test(idParam(ctx), ctx.request.body, adminOf(ctx));
    }),
  };
};
