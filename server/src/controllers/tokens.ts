import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf, idParam } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const tokens = () => strapi.plugin(PLUGIN_ID).service('tokens');
  const authorizations = () => strapi.plugin(PLUGIN_ID).service('authorizations');

  return {
    list: action(async (ctx: Context) => {
      const { page, pageSize, search } = ctx.query as Record<string, string | undefined>;
      ctx.body = await tokens().list({ page: Number(page) || 1, pageSize: Number(pageSize) || 25, search });
    }),

    get: action(async (ctx: Context) => {
      ctx.body = await tokens().get(idParam(ctx));
    }),

    create: action(async (ctx: Context) => {
      ctx.status = 201;
      ctx.body = await tokens().create(ctx.request.body, adminOf(ctx));
    }),

    update: action(async (ctx: Context) => {
      ctx.body = await tokens().update(idParam(ctx), ctx.request.body, adminOf(ctx));
    }),

    delete: action(async (ctx: Context) => {
      ctx.body = await tokens().delete(idParam(ctx), adminOf(ctx));
    }),

    authorize: action(async (ctx: Context) => {
      const { cookie, ...answer } = await authorizations().start(idParam(ctx), adminOf(ctx));
      ctx.cookies.set(cookie.name, cookie.value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        path: `/${PLUGIN_ID}/oauth/callback`,
        maxAge: cookie.maxAgeSeconds * 1000,
        overwrite: true,
      });
      ctx.body = answer;
    }),

    refresh: action(async (ctx: Context) => {
      ctx.body = await tokens().refreshNow(idParam(ctx), adminOf(ctx));
    }),
  };
};
