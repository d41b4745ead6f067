import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { bindingCookieOptions } from './binding-cookie';
import { crudActions, type CrudService } from './crud-actions';
import { action, adminOf, idParam } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const tokens = () => strapi.plugin(PLUGIN_ID).service('tokens') as CrudService & Record<string, any>;
  const authorizations = () => strapi.plugin(PLUGIN_ID).service('authorizations');

  return {
    ...crudActions(tokens),

    authorize: action(async (ctx: Context) => {
      const { cookie, ...answer } = await authorizations().start(idParam(ctx), adminOf(ctx));
      ctx.cookies.set(cookie.name, cookie.value, { ...bindingCookieOptions(strapi, ctx), maxAge: cookie.maxAgeSeconds * 1000 });
      ctx.body = answer;
    }),

    deviceAuthorize: action(async (ctx: Context) => {
      ctx.set('cache-control', 'no-store');
      ctx.body = await strapi.plugin(PLUGIN_ID).service('device-grants').start(idParam(ctx), adminOf(ctx));
    }),

    deviceStatus: action(async (ctx: Context) => {
      ctx.set('cache-control', 'no-store');
      ctx.body = await strapi.plugin(PLUGIN_ID).service('device-grants').status(idParam(ctx));
    }),

    deviceCancel: action(async (ctx: Context) => {
      ctx.body = await strapi.plugin(PLUGIN_ID).service('device-grants').cancel(idParam(ctx));
    }),

    refresh: action(async (ctx: Context) => {
      ctx.body = await tokens().refreshNow(idParam(ctx), adminOf(ctx));
    }),
  };
};
