import { PLUGIN_ID } from './plugin-id';

/** Every plugin action an admin role can be granted; each admin route requires exactly one. */
export const ACTIONS = [
  { uid: 'read', displayName: 'Read tokens, accounts and activity' },
  { uid: 'create', displayName: 'Create' },
  { uid: 'update', displayName: 'Update' },
  { uid: 'delete', displayName: 'Delete' },
  { uid: 'authorize', displayName: 'Generate and refresh tokens' },
  { uid: 'test', displayName: 'Test & confirm, fetch now' },
  { uid: 'export', displayName: 'Export' },
  { uid: 'import', displayName: 'Import' },
  { uid: 'settings', displayName: 'Settings' },
] as const;

export type Action = (typeof ACTIONS)[number]['uid'];

export const actionId = (action: Action) => `plugin::${PLUGIN_ID}.${action}`;
