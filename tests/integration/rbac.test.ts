// Databases: sqlite. Permissions are checked by Strapi's policies before any storage is touched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ACTIONS, actionId } from '../../server/src/permissions';
import routes from '../../server/src/routes';
import { AdminClient, createAdmin, createRole } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';

/**
 * The RBAC matrix, generated from the plugin's router: every admin route, asked by a role that
 * holds exactly one plugin permission (and by a role with none), answers 403 unless that
 * permission is the route's own. Nothing is listed here by hand but the routes that are public on
 * purpose: a new route without a policy fails below.
 */

interface RouteConfig {
  method: string;
  path: string;
  handler: string;
  config?: { auth?: boolean; policies?: Array<string | { name: string; config?: { actions?: string[] } }> };
}

/** Public on purpose: the provider sends the admin's browser there (the one-time state is the key). */
const PUBLIC = new Set(['GET /oauth/callback', 'GET /oauth/callback.js']);
const PLUGIN_ACTIONS = ACTIONS.map((a) => actionId(a.uid));
const routeList = (routes.admin() as { routes: RouteConfig[] }).routes;
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The one plugin permission a route requires, from its policies; fails for a route without one. */
function requiredAction(route: RouteConfig): string {
  const policies = route.config?.policies ?? [];
  assert.notEqual(route.config?.auth, false, `${key(route)} turns authentication off`);
  assert.ok(policies.includes('admin::isAuthenticatedAdmin'), `${key(route)} has no admin::isAuthenticatedAdmin policy`);
  const permission = policies.find((p): p is { name: string; config?: { actions?: string[] } } => typeof p === 'object' && p.name === 'admin::hasPermissions');
  const actions = permission?.config?.actions ?? [];
  assert.equal(actions.length, 1, `${key(route)} must require exactly one plugin permission (admin::hasPermissions), has ${JSON.stringify(actions)}`);
  assert.ok(PLUGIN_ACTIONS.includes(actions[0]), `${key(route)} requires ${actions[0]}, which is not a plugin action`);
  return actions[0];
}

/** A path to ask: ids that do not exist, so that an allowed request changes nothing (it answers 404 or 400). */
const concrete = (path: string) => `/mail-auth${path.replace(/:id\b/g, '999999')}`;

describe('RBAC matrix from the router', () => {
  let app: TestStrapi;
  const clients = new Map<string, AdminClient>();
  let none: AdminClient;

  before(async () => {
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    const login = async (actions: string[]) =>
      AdminClient.login(app.url, await createAdmin(app.strapi, [await createRole(app.strapi, `rbac ${actions.join('+') || 'none'} ${Date.now()}`, actions)]));
    none = await login([]);
    for (const action of PLUGIN_ACTIONS) clients.set(action, await login([action]));
  });
  after(async () => {
    await app?.stop();
  });

  test('every route has a policy: authenticated admin plus exactly one plugin permission, or is public on purpose', () => {
    let checked = 0;
    for (const route of routeList) {
      if (PUBLIC.has(key(route))) continue;
      requiredAction(route);
      checked++;
    }
    assert.ok(checked >= 25, `only ${checked} routes found`);
    // the check itself refuses what a careless new route would look like
    const bare = { method: 'GET', path: '/new', handler: 'x.y' };
    assert.throws(() => requiredAction(bare), /has no admin::isAuthenticatedAdmin policy/);
    assert.throws(() => requiredAction({ ...bare, config: { policies: ['admin::isAuthenticatedAdmin'] } }), /exactly one plugin permission/);
    assert.throws(() => requiredAction({ ...bare, config: { auth: false, policies: [] } }), /turns authentication off/);
    assert.throws(() => requiredAction({ ...bare, config: { policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: ['admin::users.read'] } }] } }), /not a plugin action/);
    // and what Strapi serves under /mail-auth is exactly this router
    const served = new Set<string>();
    for (const api of ['admin', 'content-api'] as const) {
      for (const layer of app.strapi.server.api(api).listRoutes()) {
        if (!layer.path.startsWith('/mail-auth')) continue;
        for (const method of layer.methods.filter((m) => m !== 'HEAD')) served.add(`${method} ${layer.path.slice('/mail-auth'.length)}`);
      }
    }
    assert.deepEqual([...served].sort(), routeList.map(key).sort(), 'the routes Strapi serves are the router\'s');
    console.log(`# rbac: ${checked} admin routes with a policy, ${PUBLIC.size} public on purpose`);
  });

  test('each route × each role with exactly one permission (and none): 403 without the route\'s permission, not 403 with it', async () => {
    const failures: string[] = [];
    let checks = 0;
    for (const route of routeList) {
      if (PUBLIC.has(key(route))) continue;
      const needed = requiredAction(route);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      for (const [action, client] of [...clients, ['(none)', none] as const]) {
        const res = await client.request(route.method, concrete(route.path), body);
        checks++;
        const allowed = action === needed;
        if (allowed ? res.status === 403 : res.status !== 403) {
          failures.push(`${key(route)} as ${action}: ${res.status} (${allowed ? 'expected not 403' : 'expected 403'})`);
        }
      }
      // and no session at all: 401
      const anonymous = await fetch(`${app.url}${concrete(route.path)}`, { method: route.method });
      checks++;
      if (anonymous.status !== 401) failures.push(`${key(route)} without a session: ${anonymous.status}`);
    }
    console.log(`# rbac matrix: ${checks} checks, ${failures.length} failures`);
    assert.deepEqual(failures, []);
  });

  test('secrets in an export need export-secrets besides export', async () => {
    const both = await AdminClient.login(
      app.url,
      await createAdmin(app.strapi, [await createRole(app.strapi, `rbac export+secrets ${Date.now()}`, [actionId('export'), actionId('export-secrets')])])
    );
    const ask = (c: AdminClient) => c.get('/mail-auth/export?secrets=include').then((r) => r.status);
    assert.equal(await ask(clients.get(actionId('export'))!), 403);
    assert.equal(await ask(clients.get(actionId('export-secrets'))!), 403);
    assert.equal(await ask(both), 200);
    assert.equal((await clients.get(actionId('export'))!.get('/mail-auth/export')).status, 200);
  });
});
