// Development defaults so that the playground starts with no setup; never reuse them in production.
export default ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  // No update check against the npm registry from tests and playground runs.
  logger: { updates: { enabled: false } },
  app: {
    keys: env.array('APP_KEYS', ['playground-key-1', 'playground-key-2']),
  },
});
