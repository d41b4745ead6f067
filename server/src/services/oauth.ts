import { createOAuthClient } from '../oauth/client';

/**
 * The `oauth` service: the plugin's OAuth client (oauth/client.ts, the one user of
 * openid-client), one per Strapi instance so that every token shares its configuration caches.
 */
export default () => createOAuthClient();
