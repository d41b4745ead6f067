import { errors } from '@strapi/utils';
import createError from 'http-errors';
import type { Context } from 'koa';

import { MailAuthError } from '../errors';

/**
 * Plugin errors in the shape Strapi answers with: `{ error: { status, name, message,
 * details } }`; field errors as Strapi's ValidationError (`details.errors[{ path, message }]`).
 */
export function toHttpError(e: unknown): unknown {
  if (!(e instanceof MailAuthError)) return e;
  const details = { code: e.code, advice: e.advice, providerCode: e.providerCode, errors: e.errors };
  if (e.code === 'VALIDATION') return new errors.ValidationError(e.message, details);
  if (e.code === 'NOT_FOUND') return new errors.NotFoundError(e.message, details);
  const error = createError(e.status, e.message, { details });
  // http-errors hides 5xx messages; these are ours and say what to do.
  error.expose = true;
  return error;
}

/** Wraps a controller action so that plugin errors become HTTP errors. */
export const action =
  <T extends (ctx: Context) => Promise<void> | void>(fn: T) =>
  async (ctx: Context) => {
    try {
      await fn(ctx);
    } catch (e) {
      throw toHttpError(e);
    }
  };

export const idParam = (ctx: Context): number => {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id < 1) throw new MailAuthError('NOT_FOUND', `No entry with id "${ctx.params.id}"`);
  return id;
};

export const adminOf = (ctx: Context) => ctx.state.user as { id: number; email: string };
