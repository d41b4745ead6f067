import cron from 'node-cron';
import { z } from 'zod';

const cronExpression = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters')
  .refine((value) => cron.validate(value), {
    message: 'must be a cron expression: five fields (minute hour day month weekday), or six with seconds first, e.g. */5 * * * *',
  });

/**
 * What PUT /settings accepts. `null` goes back to the value of config/plugins.ts. The
 * schedules and the margin only: whether an instance runs jobs is per instance (its config),
 * and the encryption key is never set through the API.
 */
export const settingsInputSchema = z
  .object({
    refreshSchedule: cronExpression.nullable(),
    refreshMargin: z
      .number({ invalid_type_error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 or more seconds')
      .max(86_400, 'must be at most 86400 seconds (one day)')
      .nullable(),
    pollSchedule: cronExpression.nullable(),
  })
  .partial()
  .strict();

export type SettingsInput = z.infer<typeof settingsInputSchema>;
