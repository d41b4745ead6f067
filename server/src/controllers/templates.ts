import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  list(ctx: Context) {
    const tokens = strapi.plugin(PLUGIN_ID).service('tokens');
    ctx.body = {
      results: strapi.plugin(PLUGIN_ID).service('templates').list(),
      // The New token form shows it before a token exists: it goes into the provider's
      // console first, where the client id and secret come from.
      redirectUri: tokens.redirectUri(),
      redirectUriWarning: tokens.redirectUriWarning() ?? null,
    };
  },
});
