import type { Context } from 'koa';

import type { PageQuery } from '../db/page';
import { action, adminOf, idParam } from './http-error';

/** What the list/get/create/update/delete actions need of a service (tokens, accounts). */
export interface CrudService {
  list(query: PageQuery & { search?: string }): Promise<unknown>;
  get(id: number): Promise<unknown>;
  create(body: unknown, actor: { id: number; email: string }): Promise<unknown>;
  update(id: number, body: unknown, actor: { id: number; email: string }): Promise<unknown>;
  delete(id: number, actor: { id: number; email: string }): Promise<unknown>;
}

/** The admin API's CRUD actions, the same for tokens and for both kinds of account. */
export const crudActions = (service: () => CrudService) => ({
  list: action(async (ctx: Context) => {
    const { page, pageSize, search } = ctx.query as Record<string, string | undefined>;
    ctx.body = await service().list({ page, pageSize, search });
  }),

  get: action(async (ctx: Context) => {
    ctx.body = await service().get(idParam(ctx));
  }),

  create: action(async (ctx: Context) => {
    ctx.status = 201;
    ctx.body = await service().create(ctx.request.body, adminOf(ctx));
  }),

  update: action(async (ctx: Context) => {
    ctx.body = await service().update(idParam(ctx), ctx.request.body, adminOf(ctx));
  }),

  delete: action(async (ctx: Context) => {
    ctx.body = await service().delete(idParam(ctx), adminOf(ctx));
  }),
});
