import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  discover: action(async (ctx: Context) => {
    ctx.body = await strapi.plugin(PLUGIN_ID).service('discovery').discover(ctx.request.body);
  }),
});
