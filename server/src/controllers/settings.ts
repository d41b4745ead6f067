import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  get: action(async (ctx: Context) => {
    ctx.body = await strapi.plugin(PLUGIN_ID).service('settings').get();
  }),

  update: action(async (ctx: Context) => {
    ctx.body = await strapi.plugin(PLUGIN_ID).service('settings').update(ctx.request.body, adminOf(ctx));
  }),
});
