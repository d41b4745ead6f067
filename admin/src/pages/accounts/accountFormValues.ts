import type { Translate } from '../../utils/useT';

/** A form's text as the API takes it: trimmed, and null when nothing is left. */
export const optionalText = (s: string): string | null => (s.trim() ? s.trim() : null);

/** A saved account's name, description and state, as the form holds them. */
export const aboutValues = (a: { name: string; description: string | null; active: boolean }) => ({
  name: a.name,
  description: a.description ?? '',
  active: a.active,
});

/** What is wrong with a port typed in the form, or nothing. */
export const portError = (t: Translate, port: number | undefined): string | undefined =>
  port === undefined || port < 1 || port > 65535 || !Number.isInteger(port) ? t('validation.port', 'A port from 1 to 65535.') : undefined;
