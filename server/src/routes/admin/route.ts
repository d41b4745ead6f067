import { actionId, type Action } from '../../permissions';

/** An admin route that requires an authenticated admin holding the plugin's `action`. */
export const adminRoute = (method: string, path: string, handler: string, action: Action) => ({
  method,
  path,
  handler,
  config: {
    policies: [
      'admin::isAuthenticatedAdmin',
      { name: 'admin::hasPermissions', config: { actions: [actionId(action)] } },
    ],
  },
});
