import type { Context } from 'koa';

import { MailAuthError } from '../errors';

const NAMES: Record<number, string> = {
  400: 'ValidationError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
};

/**
 * Answers a plugin error in the shape of Strapi's own errors: `{ data: null, error: {
 * status, name, message, details } }`, field errors in `details.errors[{ path, message }]`.
 * Set here rather than thrown, so that 5xx answers keep their message and advice (Strapi
 * hides the message of a thrown 5xx) and no second copy of Strapi's error classes is needed.
 */
export function answerError(ctx: Context, e: MailAuthError): void {
  ctx.status = e.status;
  ctx.body = {
    data: null,
    error: {
      status: e.status,
      name: e.code === 'VALIDATION' ? 'ValidationError' : (NAMES[e.status] ?? 'ApplicationError'),
      message: e.message,
      details: { code: e.code, advice: e.advice, providerCode: e.providerCode, errors: e.errors ?? [] },
    },
  };
}

/** Wraps a controller action so that plugin errors become answers; anything else is Strapi's. */
export const action =
  <T extends (ctx: Context) => Promise<void> | void>(fn: T) =>
  async (ctx: Context) => {
    try {
      await fn(ctx);
    } catch (e) {
      if (!(e instanceof MailAuthError)) throw e;
      answerError(ctx, e);
    }
  };

export const idParam = (ctx: Context): number => {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id < 1) throw new MailAuthError('NOT_FOUND', `No entry with id "${ctx.params.id}"`);
  return id;
};

export const adminOf = (ctx: Context) => ctx.state.user as { id: number; email: string };
