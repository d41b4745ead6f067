import { PLUGIN_ID } from './pluginId';

const action = (uid: string) => [{ action: `plugin::${PLUGIN_ID}.${uid}`, subject: null }];

/** The plugin's RBAC actions as the admin panel checks them (server: server/src/permissions.ts). */
export const PERMISSIONS = {
  read: action('read'),
  create: action('create'),
  update: action('update'),
  delete: action('delete'),
  authorize: action('authorize'),
  test: action('test'),
  export: action('export'),
  exportSecrets: action('export-secrets'),
  import: action('import'),
  settings: action('settings'),
};
