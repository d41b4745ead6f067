import type { FieldErrors } from '../../api/errors';
import type { Settings, SettingsInput } from '../../api/settings';
import type { Translate } from '../../utils/useT';

export interface SettingsFormValues {
  refreshSchedule: string;
  refreshMargin: number | undefined;
  pollSchedule: string;
}

export const settingsValues = (settings: Settings): SettingsFormValues => ({
  refreshSchedule: settings.refreshSchedule?.value ?? '',
  refreshMargin: settings.refreshMargin?.value,
  pollSchedule: settings.pollSchedule?.value ?? '',
});

// Five fields, or six with seconds first; the server checks the expression itself.
const looksLikeCron = (value: string) => [5, 6].includes(value.trim().split(/\s+/).length);

export const validateSettings = (t: Translate, values: SettingsFormValues, settings: Settings): FieldErrors => {
  const errors: FieldErrors = {};
  const cron = t('settings.validation.cron', 'A cron expression: five fields (minute hour day month weekday), e.g. */5 * * * *.');
  if (settings.refreshSchedule && !looksLikeCron(values.refreshSchedule)) errors.refreshSchedule = cron;
  if (settings.pollSchedule && !looksLikeCron(values.pollSchedule)) errors.pollSchedule = cron;
  const margin = values.refreshMargin;
  if (settings.refreshMargin && (margin === undefined || !Number.isInteger(margin) || margin < 0 || margin > 86_400)) {
    errors.refreshMargin = t('settings.validation.margin', 'A whole number of seconds from 0 to 86400.');
  }
  return errors;
};

/** Only what changed, so that an unchanged value keeps following config/plugins.ts. */
export const changedSettings = (values: SettingsFormValues, settings: Settings): SettingsInput => {
  const input: SettingsInput = {};
  if (settings.refreshSchedule && values.refreshSchedule.trim() !== settings.refreshSchedule.value) input.refreshSchedule = values.refreshSchedule.trim();
  if (settings.refreshMargin && values.refreshMargin !== settings.refreshMargin.value) input.refreshMargin = values.refreshMargin ?? null;
  if (settings.pollSchedule && values.pollSchedule.trim() !== settings.pollSchedule.value) input.pollSchedule = values.pollSchedule.trim();
  return input;
};
