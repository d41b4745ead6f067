import { isFetchError } from '@strapi/strapi/admin';

/** One field's problem as the server names it (`details.errors[].path`). */
export type FieldErrors = Record<string, string>;

/** A failed admin API call, in the terms the pages show. */
export interface ApiFailure {
  status: number | null;
  message: string;
  /** The plugin's error code (VALIDATION, CONFLICT, PROVIDER_ERROR …) or the provider's. */
  code: string | null;
  /** What a person can do about it, when the server says. */
  advice: string | null;
  /** Field errors by dotted path (name, clientId, extraAuthorizationParams …). */
  fields: FieldErrors;
  /** For a 409 on delete: the entries (accounts) that stand in the way, by name. */
  blockers: string[];
}

interface ServerErrorBody {
  error?: {
    status?: number;
    name?: string;
    message?: string;
    details?: {
      code?: string;
      providerCode?: string;
      advice?: string;
      errors?: { path?: string[] | string; message?: string }[];
    };
  };
}

/**
 * Turns whatever a fetch client call threw into an ApiFailure: Strapi's error shape
 * `{ error: { status, name, message, details: { errors: [{ path, message }] } } }`, with the
 * plugin's `code` and `advice` in details.
 */
export const toApiFailure = (error: unknown): ApiFailure => {
  if (!isFetchError(error)) {
    return { status: null, message: error instanceof Error ? error.message : String(error), code: null, advice: null, fields: {}, blockers: [] };
  }
  const body = (error.response?.data ?? {}) as ServerErrorBody;
  const details = body.error?.details ?? {};
  const fields: FieldErrors = {};
  const blockers: string[] = [];
  for (const item of details.errors ?? []) {
    const path = Array.isArray(item.path) ? item.path.join('.') : (item.path ?? '');
    if (path === 'accounts' && item.message) blockers.push(item.message);
    else if (path && item.message && !fields[path]) fields[path] = item.message;
  }
  return {
    status: body.error?.status ?? error.status ?? null,
    message: body.error?.message ?? error.message,
    code: details.providerCode ?? details.code ?? null,
    advice: details.advice ?? null,
    fields,
    blockers,
  };
};
