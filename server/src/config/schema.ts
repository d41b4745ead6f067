import { z } from 'zod';

/**
 * The plugin's options (config/plugins.ts → 'mail-auth'.config). Durations are in seconds.
 */
export const pluginConfigSchema = z
  .object({
    /** Key for secrets at rest; when unset, Strapi's `admin.secrets.encryptionKey` is used. */
    encryptionKey: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Refresh an access token when it expires within this many seconds. */
    refreshMargin: z.number().int().min(0).max(86_400).default(300),
    /** Cron expression of the refresh job. */
    refreshSchedule: z.string().min(1).default('* * * * *'),
    /** Whether this instance runs the plugin's jobs (switch off on all but the workers). */
    runJobs: z.boolean().default(true),
    /** How many tokens the refresh job handles at once. */
    refreshConcurrency: z.number().int().min(1).max(256).default(8),
    /** Seconds a per-token refresh lease is held before another instance may take over. */
    leaseSeconds: z.number().int().min(5).max(3_600).default(60),
    /** Timeout of one HTTP request to a provider, in seconds. */
    httpTimeout: z.number().int().min(1).max(300).default(30),
    /**
     * Allow http:// provider endpoints on loopback addresses (local test servers). Never
     * needed for real providers; anything but loopback stays https-only.
     */
    allowHttpLoopback: z.boolean().default(false),
  })
  .strict();

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
