import { z } from 'zod';

import type { MessageHandler } from '../inbound/handler';
import { discoveryConfigSchema, discoveryUrlIssues } from './discovery';
import { cidrProblem } from '../net/network-policy';

/**
 * The plugin's options (config/plugins.ts → 'mail-auth'.config). Durations are in seconds.
 */
export const pluginConfigSchema = z
  .object({
    /** Key for secrets at rest; when unset, Strapi's `admin.secrets.encryptionKey` is used. */
    encryptionKey: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * Keys used before the current one: values they sealed stay readable (each value names its
     * key) until rewritten. After a key change: old key here, then `strapi-mail-auth rekey`.
     */
    previousEncryptionKeys: z.array(z.string().min(16, 'must be at least 16 characters')).default([]),
    /** Only these hosts (`imap.example.com`, `*.example.com`) for admin-supplied hosts and URLs; unset: any (net/network-policy.ts). */
    allowedHosts: z.array(z.string().trim().min(1, 'must not be empty')).optional(),
    /** Networks (CIDR, or `private`) the plugin never connects to for admin-supplied hosts and URLs; unset: none. */
    deniedNetworks: z.array(z.string().refine((c) => !cidrProblem(c), (c) => ({ message: cidrProblem(c) }))).optional(),
    /** Refresh an access token when it expires within this many seconds. */
    refreshMargin: z.number().int().min(0).max(86_400).default(300),
    /** Cron expression of the refresh job. */
    refreshSchedule: z.string().min(1).default('* * * * *'),
    /** Whether this instance runs the plugin's jobs (switch off on all but the workers). */
    runJobs: z.boolean().default(true),
    /** How many refresh requests the job has out at the providers at once (it holds twice as many tokens). */
    refreshConcurrency: z.number().int().min(1).max(256).default(8),
    /**
     * Seconds a lease (a token's renewal, an inbound account's fetch) lasts unless its holder
     * extends it: a live holder does (a heartbeat every third of it), so this is how long a
     * crashed instance's work waits before another instance takes it over. More than twice
     * `httpTimeout`, so that even a renewal that must discover the provider's endpoints first
     * (two requests) ends within one lease.
     */
    leaseSeconds: z.number().int().min(5).max(3_600).default(90),
    /**
     * Days the activity log keeps an entry; older ones are deleted once a day (at 03:17). 0 keeps
     * everything. A scheduled refresh writes an entry per token per hour, a send one per message.
     */
    activityRetentionDays: z.number().int().min(0).max(36_500).default(365),
    /**
     * Days ahead of a token's `clientSecretExpiresOn` from which the banner warns that the client
     * secret is about to expire (0: no warning ahead, only once it has expired).
     */
    secretExpiryWarningDays: z.number().int().min(0).max(365).default(30),
    /** Timeout of one HTTP request to a provider, in seconds. */
    httpTimeout: z.number().int().min(1).max(300).default(30),
    /**
     * Allow http:// provider endpoints on loopback addresses (local test servers). Never
     * needed for real providers; anything but loopback stays https-only.
     */
    allowHttpLoopback: z.boolean().default(false),
    /** Microsoft Graph's root (national clouds: https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn …). */
    graphBaseUrl: z.string().url('must be an absolute URL').default('https://graph.microsoft.com'),
    /** The Gmail API's root. */
    gmailBaseUrl: z.string().url('must be an absolute URL').default('https://gmail.googleapis.com'),
    /** Timeout of each SMTP stage (connect, greeting, a command's answer), in seconds. */
    smtpTimeout: z.number().int().min(1).max(600).default(30),
    /** How often a send that failed for a passing reason (SMTP 4xx, HTTP 429/5xx, network) is tried again. */
    sendRetries: z.number().int().min(0).max(10).default(3),
    /** The longest wait before a retry, in seconds; a longer Retry-After fails the send instead of holding it. */
    sendRetryMaxWait: z.number().int().min(0).max(600).default(60),
    /** Cron expression (seconds allowed) of the PostMaster job; each account is polled at its own interval. */
    pollSchedule: z.string().min(1).default('*/30 * * * * *'),
    /**
     * IMAP connections this instance holds in IDLE at most (one per account with `idle` on; the
     * others are polled). Instances share the accounts through a lease on each; 0: none here.
     */
    idleConnections: z.number().int().min(0).max(10_000).default(100),
    /** How many inbound accounts the PostMaster polls at once. */
    pollConcurrency: z.number().int().min(1).max(64).default(4),
    /**
     * Worker threads that parse fetched messages beside the main thread, for machines with cores
     * to spare (each costs some 50 MB; see docs/inbound-accounts.md). 0: all in the main thread.
     */
    parseWorkers: z.number().int().min(0).max(32).default(0),
    /** Timeout of connecting to, and of each answer from, a mail server (IMAP, POP3), in seconds. */
    mailTimeout: z.number().int().min(1).max(600).default(30),
    /** Wait at most this long for a Retry-After of Graph or Gmail before giving up until the next poll, in seconds. */
    maxRetryAfter: z.number().int().min(0).max(600).default(60),
    /**
     * POP3 AUTH with a token: `auto` sends it on the AUTH line when the line fits 255 octets
     * (RFC 5034) and on a line of its own otherwise, `always`/`never` force one form.
     */
    pop3SaslInitialResponse: z.enum(['auto', 'always', 'never']).default('auto'),
    /**
     * Takes each fetched message instead of the default (a `message` entry). Runs inside the
     * database transaction that records the message: its Strapi writes commit with it.
     */
    handler: z.custom<MessageHandler>((v) => typeof v === 'function', 'must be a function').optional(),
    /** Mailbox discovery (POST /discover): DNS servers, autoconfig and Microsoft URLs, timeout, cache. */
    discovery: discoveryConfigSchema,
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.leaseSeconds <= 2 * config.httpTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['leaseSeconds'],
        message: `must be more than twice httpTimeout (${config.httpTimeout} s), at least ${2 * config.httpTimeout + 1}: a renewal's requests must end within its lease`,
      });
    }
    // The REST roots carry bearer tokens: https only, except loopback test servers when allowed.
    for (const key of ['graphBaseUrl', 'gmailBaseUrl'] as const) {
      let url: URL;
      try {
        url = new URL(config[key]);
      } catch {
        continue; // already reported by .url()
      }
      const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && config.allowHttpLoopback)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be an https URL (http only on 127.0.0.1 with allowHttpLoopback)' });
      }
    }
    for (const issue of discoveryUrlIssues(config.discovery, config.allowHttpLoopback)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
