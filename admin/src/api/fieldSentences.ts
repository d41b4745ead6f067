import type { FieldErrors } from './errors';

/**
 * The server's field errors ("is required with password authentication") as sentences next to
 * the field ("Login is required with password authentication"), by the form's own labels.
 */
export const fieldSentences = (fields: FieldErrors, labelOf: (field: string) => string | undefined): FieldErrors =>
  Object.fromEntries(
    Object.entries(fields).map(([path, message]) => {
      const field = path.split('.')[0];
      const label = labelOf(field);
      return [field, /^[a-z]/.test(message) && label ? `${label} ${message}` : message];
    })
  );
