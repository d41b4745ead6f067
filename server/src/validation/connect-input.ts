import { z } from 'zod';

/**
 * What POST /connect accepts: a mailbox address and what discovery could not find (the app
 * registration's client id and secret, or the mailbox's password), plus the servers discovery
 * found. It becomes one OAuth2 token (unless the mailbox signs in with a password) and one
 * inbound and one outbound account linked to it, as the three ordinary create calls would.
 */
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const port = z.number({ message: 'must be a number between 1 and 65535' }).int('must be a whole number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535');

const server = z
  .object({
    host: text(253).min(1, 'is required'),
    port,
  })
  .strict();

export const connectInputSchema = z
  .object({
    address: text(320).email('must be an email address such as support@example.com'),
    /** Names of the entries; by default derived from the address ("support@example.com (inbound)"). */
    names: z
      .object({ token: text(100).min(1), inbound: text(100).min(1), outbound: text(100).min(1) })
      .partial()
      .strict()
      .optional(),
    /** OAuth 2.0: the token's template and the app registration; leave out for a password mailbox. */
    oauth: z
      .object({
        template: z.enum(['google', 'microsoft', 'generic'], { message: 'must be google, microsoft or generic' }),
        clientId: text(500).min(1, 'is required'),
        clientSecret: z.string().max(4000, 'must be at most 4000 characters').optional(),
        clientSecretExpiresOn: z.string().optional(),
        tenant: text(200).optional(),
        issuer: text(2000).optional(),
        authorizationEndpoint: text(2000).optional(),
        tokenEndpoint: text(2000).optional(),
        deviceAuthorizationEndpoint: text(2000).optional(),
        scope: text(4000).optional(),
      })
      .strict()
      .optional(),
    password: z.string().min(1, 'is required').max(1000, 'must be at most 1000 characters').optional(),
    inbound: server
      .extend({
        type: z.enum(['imap', 'imaps', 'imap-starttls', 'pop3', 'pop3s', 'pop3-starttls', 'microsoft-graph', 'gmail-api'], {
          message: 'must be an inbound account type (imaps, imap-starttls, pop3s …, microsoft-graph, gmail-api)',
        }),
        host: text(253).optional(),
        port: port.optional(),
      })
      .strict(),
    outbound: server
      .extend({
        type: z.enum(['smtp', 'microsoft-graph', 'gmail-api'], { message: 'must be smtp, microsoft-graph or gmail-api' }),
        security: z.enum(['none', 'starttls', 'tls'], { message: 'must be none, starttls or tls' }).optional(),
        host: text(253).optional(),
        port: port.optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.oauth && !input.password) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required when the mailbox does not sign in with OAuth 2.0 (give oauth or password)' });
    }
    if (input.oauth && input.password) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'must be left out with OAuth 2.0: the token signs in' });
    }
  });

export type ConnectInput = z.infer<typeof connectInputSchema>;
