import path from 'path';

// The plugin's root: this file runs compiled from playground/dist/config, and as source from playground/config.
const pluginRoot = path.resolve(__dirname, ...(path.basename(path.dirname(__dirname)) === 'dist' ? ['..', '..', '..'] : ['..', '..']));

export default ({ env }) => ({
  // Strapi's email plugin sends through a mail-auth outbound account when this names one; off
  // by default so that nothing else changes. An app that installed the package writes
  // provider: 'strapi-plugin-mail-auth/email-provider' (see the README); here the plugin is not in
  // node_modules, so the built file is named by its path.
  ...(env('MAIL_AUTH_EMAIL_ACCOUNT')
    ? {
        email: {
          config: {
            provider: path.join(pluginRoot, 'dist', 'email-provider', 'index.js'),
            providerOptions: { account: env('MAIL_AUTH_EMAIL_ACCOUNT') },
            settings: { defaultFrom: 'no-reply@example.test' },
          },
        },
      }
    : {}),
  'mail-auth': {
    enabled: true,
    // The plugin is the repository this playground lives in (built into its dist/). The server
    // reads this file compiled, from playground/dist/config; `strapi build` reads the source,
    // from playground/config, to find the plugins' admin parts.
    resolve: pluginRoot,
    config: {
      // The test servers speak plain http on 127.0.0.1; real providers are https-only.
      allowHttpLoopback: env.bool('MAIL_AUTH_ALLOW_HTTP_LOOPBACK', true),
      runJobs: env.bool('MAIL_AUTH_RUN_JOBS', true),
      httpTimeout: env.int('MAIL_AUTH_HTTP_TIMEOUT', 30),
      refreshMargin: env.int('MAIL_AUTH_REFRESH_MARGIN', 300),
      refreshSchedule: env('MAIL_AUTH_REFRESH_SCHEDULE', '* * * * *'),
      leaseSeconds: env.int('MAIL_AUTH_LEASE_SECONDS', 90),
      refreshConcurrency: env.int('MAIL_AUTH_REFRESH_CONCURRENCY', 8),
      // Tests point these at the local Graph and Gmail stand-ins.
      graphBaseUrl: env('MAIL_AUTH_GRAPH_BASE_URL', 'https://graph.microsoft.com'),
      gmailBaseUrl: env('MAIL_AUTH_GMAIL_BASE_URL', 'https://gmail.googleapis.com'),
      smtpTimeout: env.int('MAIL_AUTH_SMTP_TIMEOUT', 30),
      sendRetries: env.int('MAIL_AUTH_SEND_RETRIES', 3),
      sendRetryMaxWait: env.int('MAIL_AUTH_SEND_RETRY_MAX_WAIT', 60),
      pollSchedule: env('MAIL_AUTH_POLL_SCHEDULE', '*/30 * * * * *'),
      mailTimeout: env.int('MAIL_AUTH_MAIL_TIMEOUT', 30),
      // Mailbox discovery: tests point DNS, autoconfig and Microsoft's OpenID configuration at local
      // servers; unset, the plugin's defaults (the system's DNS, the real URLs).
      discovery: {
        ...(env('MAIL_AUTH_DISCOVERY_DNS_SERVERS') ? { dnsServers: env.array('MAIL_AUTH_DISCOVERY_DNS_SERVERS') } : {}),
        ...(env('MAIL_AUTH_DISCOVERY_AUTOCONFIG_URLS') ? { autoconfigUrls: env.array('MAIL_AUTH_DISCOVERY_AUTOCONFIG_URLS') } : {}),
        ...(env('MAIL_AUTH_DISCOVERY_MICROSOFT_LOGIN_BASE_URL') ? { microsoftLoginBaseUrl: env('MAIL_AUTH_DISCOVERY_MICROSOFT_LOGIN_BASE_URL') } : {}),
        ...(env('MAIL_AUTH_DISCOVERY_GOOGLE_OAUTH') ? { googleOAuth: JSON.parse(env('MAIL_AUTH_DISCOVERY_GOOGLE_OAUTH')) } : {}),
        timeout: env.float('MAIL_AUTH_DISCOVERY_TIMEOUT', 3),
        cacheSeconds: env.int('MAIL_AUTH_DISCOVERY_CACHE_SECONDS', 600),
      },
      idleConnections: env.int('MAIL_AUTH_IDLE_CONNECTIONS', 100),
      // unset: the plugin's default (the cores besides the main thread's)
      ...(env('MAIL_AUTH_PARSE_WORKERS') ? { parseWorkers: env.int('MAIL_AUTH_PARSE_WORKERS') } : {}),
    },
  },
});
