import type { ZodError } from 'zod';

import type { FieldError } from '../errors';

/** Zod issues as Strapi's validation error details: one `{ path, message }` per field. */
export const toFieldErrors = (error: ZodError): FieldError[] =>
  error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path.map(String), key], message: 'is not a known field' }))
      : [{ path: issue.path.map(String), message: issue.message }]
  );

export const formatIssues = (error: ZodError): string =>
  toFieldErrors(error)
    .map((e) => `${e.path.join('.') || '(root)'}: ${e.message}`)
    .join('; ');
