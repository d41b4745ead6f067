import { PLUGIN_ID } from './plugin-id';

/** Every plugin action an admin role can be granted; each admin route requires exactly one. */
export const ACTIONS = [
  { uid: 'read', displayName: 'Read tokens, accounts and activity' },
  { uid: 'create', displayName: 'Create' },
  { uid: 'update', displayName: 'Update' },
  { uid: 'delete', displayName: 'Delete' },
  { uid: 'authorize', displayName: 'Generate and refresh tokens' },
  { uid: 'test', displayName: 'Test & confirm, fetch now' },
  { uid: 'export', displayName: 'Export (without secrets)' },
  // Its own permission: a file with secrets in clear text is worth as much as every mailbox in it.
  { uid: 'export-secrets', displayName: 'Export with secrets (in clear text)' },
  { uid: 'import', displayName: 'Import' },
  { uid: 'settings', displayName: 'Settings' },
] as const;

export type Action = (typeof ACTIONS)[number]['uid'];

export const actionId = (action: Action) => `plugin::${PLUGIN_ID}.${action}`;

/** Whether the admin of this request holds the plugin's `action` (for what one route allows only to some). */
export const mayDo = (ctx: { state?: { userAbility?: { can(action: string): boolean } } }, action: Action): boolean =>
  Boolean(ctx.state?.userAbility?.can(actionId(action)));
