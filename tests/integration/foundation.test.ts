import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ACTIONS, actionId } from '../../server/src/permissions';
import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';

describe(`foundation (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let clients: Awaited<ReturnType<typeof adminClients>>;

  // Strapi's public address as a deployment behind a plain-http proxy would have it: the admin
  // API is reached on 127.0.0.1, the redirect URI is built from this.
  const PUBLIC = 'http://helpdesk.example.test';

  before(async () => {
    app = await startStrapi({ env: { PUBLIC_URL: PUBLIC } });
    clients = await adminClients(app.strapi, app.url);
  });
  after(() => app?.stop());

  test('the plugin is loaded with its RBAC actions registered', () => {
    assert.ok(app.strapi.plugin('mail-auth'), 'plugin mail-auth is loaded');
    const registered = app.strapi
      .service('admin::permission')
      .actionProvider.values()
      .map((a: { actionId: string }) => a.actionId);
    for (const { uid } of ACTIONS) {
      assert.ok(registered.includes(actionId(uid)), `${actionId(uid)} is registered`);
    }
  });

  test('a super admin reads the templates', async () => {
    const res = await clients.superAdmin.get('/mail-auth/templates');
    assert.equal(res.status, 200);
    const ids = res.body.results.map((t: { id: string }) => t.id);
    assert.deepEqual(ids.slice(0, 4), ['google', 'microsoft', 'microsoft-app-only', 'generic']);
    // The New token form shows the redirect URI before a token exists.
    assert.equal(res.body.redirectUri, `${PUBLIC}/mail-auth/oauth/callback`);
    // Not https and not localhost: providers refuse it, and the form says so.
    assert.match(res.body.redirectUriWarning, /not https/);
  });

  test('an admin without the read permission gets 403', async () => {
    const res = await clients.outsider.get('/mail-auth/templates');
    assert.equal(res.status, 403);
  });

  test('an admin whose role has the read permission gets 200', async () => {
    const role = await createRole(app.strapi, `Reader ${Date.now()}`, [actionId('read')]);
    const reader = await AdminClient.login(app.url, await createAdmin(app.strapi, [role]));
    assert.equal((await reader.get('/mail-auth/templates')).status, 200);
  });

  test('no session gives 401', async () => {
    const res = await fetch(`${app.url}/mail-auth/templates`);
    assert.equal(res.status, 401);
  });
});
