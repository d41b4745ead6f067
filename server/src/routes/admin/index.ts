import { adminRoute } from './route';

export default () => ({
  type: 'admin',
  routes: [
    adminRoute('GET', '/templates', 'templates.list', 'read'),

    adminRoute('GET', '/tokens', 'tokens.list', 'read'),
    adminRoute('POST', '/tokens', 'tokens.create', 'create'),
    adminRoute('GET', '/tokens/:id', 'tokens.get', 'read'),
    adminRoute('PUT', '/tokens/:id', 'tokens.update', 'update'),
    adminRoute('DELETE', '/tokens/:id', 'tokens.delete', 'delete'),
    adminRoute('POST', '/tokens/:id/authorize', 'tokens.authorize', 'authorize'),
    adminRoute('POST', '/tokens/:id/refresh', 'tokens.refresh', 'authorize'),

    adminRoute('GET', '/notifications', 'notifications.list', 'read'),
    adminRoute('GET', '/activity', 'activity.list', 'read'),

    adminRoute('GET', '/settings', 'settings.get', 'settings'),
    adminRoute('PUT', '/settings', 'settings.update', 'settings'),

    // The provider redirects the admin's browser here: no admin session, the one-time
    // state and the browser-binding cookie are the key.
    {
      method: 'GET',
      path: '/oauth/callback',
      handler: 'oauth-callback.callback',
      config: { auth: false, policies: [] },
    },
    {
      method: 'GET',
      path: '/oauth/callback.js',
      handler: 'oauth-callback.script',
      config: { auth: false, policies: [] },
    },
  ],
});
