import path from 'path';

export default ({ env }) => ({
  'mail-auth': {
    enabled: true,
    // The plugin is the repository this playground lives in (built into its dist/). The server
    // reads this file compiled, from playground/dist/config; `strapi build` reads the source,
    // from playground/config, to find the plugins' admin parts.
    resolve: path.resolve(__dirname, ...(path.basename(path.dirname(__dirname)) === 'dist' ? ['..', '..', '..'] : ['..', '..'])),
    config: {
      // The test servers speak plain http on 127.0.0.1; real providers are https-only.
      allowHttpLoopback: env.bool('MAIL_AUTH_ALLOW_HTTP_LOOPBACK', true),
      runJobs: env.bool('MAIL_AUTH_RUN_JOBS', true),
      httpTimeout: env.int('MAIL_AUTH_HTTP_TIMEOUT', 30),
      refreshMargin: env.int('MAIL_AUTH_REFRESH_MARGIN', 300),
      refreshSchedule: env('MAIL_AUTH_REFRESH_SCHEDULE', '* * * * *'),
      leaseSeconds: env.int('MAIL_AUTH_LEASE_SECONDS', 60),
      refreshConcurrency: env.int('MAIL_AUTH_REFRESH_CONCURRENCY', 8),
    },
  },
});
