import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  list: action(async (ctx: Context) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { results: await strapi.plugin(PLUGIN_ID).service('notifications').list() };
  }),
});
