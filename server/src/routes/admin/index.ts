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
    // Sign in with a code (device authorization grant): start, and the state the page follows.
    adminRoute('POST', '/tokens/:id/device-authorize', 'tokens.deviceAuthorize', 'authorize'),
    adminRoute('GET', '/tokens/:id/device-authorize', 'tokens.deviceStatus', 'authorize'),
    adminRoute('DELETE', '/tokens/:id/device-authorize', 'tokens.deviceCancel', 'authorize'),

    // presets before :id, which would take "presets" for an id
    adminRoute('GET', '/outbound-accounts/presets', 'outbound-accounts.presets', 'read'),
    adminRoute('GET', '/outbound-accounts', 'outbound-accounts.list', 'read'),
    adminRoute('POST', '/outbound-accounts', 'outbound-accounts.create', 'create'),
    adminRoute('GET', '/outbound-accounts/:id', 'outbound-accounts.get', 'read'),
    adminRoute('PUT', '/outbound-accounts/:id', 'outbound-accounts.update', 'update'),
    adminRoute('DELETE', '/outbound-accounts/:id', 'outbound-accounts.delete', 'delete'),
    adminRoute('POST', '/outbound-accounts/:id/test', 'outbound-accounts.test', 'test'),
    adminRoute('GET', '/inbound-accounts/presets', 'inbound-accounts.presets', 'read'),
    adminRoute('GET', '/inbound-accounts', 'inbound-accounts.list', 'read'),
    adminRoute('POST', '/inbound-accounts', 'inbound-accounts.create', 'create'),
    adminRoute('GET', '/inbound-accounts/:id', 'inbound-accounts.get', 'read'),
    adminRoute('PUT', '/inbound-accounts/:id', 'inbound-accounts.update', 'update'),
    adminRoute('DELETE', '/inbound-accounts/:id', 'inbound-accounts.delete', 'delete'),
    adminRoute('POST', '/inbound-accounts/:id/test', 'inbound-accounts.test', 'test'),
    adminRoute('POST', '/inbound-accounts/:id/fetch', 'inbound-accounts.fetch', 'test'),

    // Connect a mailbox in one step: a token and both accounts, all or nothing.
    adminRoute('POST', '/connect', 'connect.connect', 'create'),
    // mailbox discovery for the setup wizard: what an address's domain says about its servers
    adminRoute('POST', '/discover', 'discovery.discover', 'create'),

    adminRoute('GET', '/notifications', 'notifications.list', 'read'),

    adminRoute('GET', '/export', 'transfer.export', 'export'),
    adminRoute('POST', '/import', 'transfer.import', 'import'),

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
