import path from 'path';

export default ({ env }) => ({
  'mail-auth': {
    enabled: true,
    // The plugin is the repository this playground lives in (built into its dist/); config
    // runs from playground/dist/config once compiled.
    resolve: path.resolve(__dirname, '..', '..', '..'),
    config: {
      // The test servers speak plain http on 127.0.0.1; real providers are https-only.
      allowHttpLoopback: env.bool('MAIL_AUTH_ALLOW_HTTP_LOOPBACK', true),
      runJobs: env.bool('MAIL_AUTH_RUN_JOBS', true),
    },
  },
});
