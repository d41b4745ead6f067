export default ({ env }) => ({
  // Tests that only use the admin API boot without a built admin panel.
  serveAdminPanel: env.bool('SERVE_ADMIN_PANEL', true),
  auth: {
    secret: env('ADMIN_JWT_SECRET', 'playground-admin-jwt-secret'),
  },
  apiToken: {
    salt: env('API_TOKEN_SALT', 'playground-api-token-salt'),
  },
  transfer: {
    token: {
      salt: env('TRANSFER_TOKEN_SALT', 'playground-transfer-token-salt'),
    },
  },
  secrets: {
    // Key of admin::encryption, which the plugin uses for secrets at rest.
    encryptionKey: env('ENCRYPTION_KEY', 'playground-encryption-key-0123456789'),
  },
  flags: {
    nps: false,
    promoteEE: false,
  },
});
