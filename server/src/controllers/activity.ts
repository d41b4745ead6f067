import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

import { PLUGIN_ID } from '../plugin-id';
import { action } from './http-error';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  list: action(async (ctx: Context) => {
    const q = ctx.query as Record<string, string | undefined>;
    ctx.body = await strapi
      .plugin(PLUGIN_ID)
      .service('activity')
      .list({
        page: q.page,
        pageSize: q.pageSize,
        subjectType: q.subjectType,
        subjectId: q.subjectId ? Number(q.subjectId) : undefined,
        kind: q.kind,
      });
  }),
});
