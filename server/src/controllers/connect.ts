import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action, adminOf } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** POST /connect: one token and both accounts, all or nothing. */
  connect: action(async (ctx: Context) => {
    ctx.status = 201;
    ctx.body = await strapi.plugin(PLUGIN_ID).service('connect').connect(ctx.request.body, adminOf(ctx));
  }),
});
