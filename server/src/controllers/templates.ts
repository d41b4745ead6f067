import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  list(ctx: Context) {
    ctx.body = { results: strapi.plugin(PLUGIN_ID).service('templates').list() };
  },
});
