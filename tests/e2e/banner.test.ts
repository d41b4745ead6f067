import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Page, Request } from 'playwright-core';

import { screenshot, type TestBrowser } from '../helpers/browser';
import { mainNavigation, PLUGIN_PATH, settle, skipWithoutChromium as skip, startE2e, type E2eFixture } from '../helpers/e2e';
import { generateTokens } from '../helpers/tokens';

/** The banner polls once a minute; a little more for the request and the render. */
const POLL_WAIT_MS = 80_000;

const banner = (page: Page) => page.getByRole('region', { name: 'OAuth2 tokens that need attention' });
const needsAuthorization = (page: Page, name: string) =>
  banner(page).getByText(`OAuth2 token "${name}" needs to be authorized again`, { exact: true });
const isNotificationsRequest = (r: Request) => new URL(r.url()).pathname === '/mail-auth/notifications';

describe('the expiry banner on every admin page (built admin, Chromium)', () => {
  let e2e: E2eFixture;
  let alice: number;
  let bob: number;
  /** The super admin's browser, kept open from test to test: the banner must update in it. */
  let watcher: TestBrowser;

  const createToken = async (name: string, clientId: string, clientSecret: string) => {
    const res = await e2e.superAdmin.post('/mail-auth/tokens', {
      name,
      template: 'generic',
      clientId,
      clientSecret,
      issuer: e2e.op.issuer,
      authorizationEndpoint: e2e.op.authorizationEndpoint,
      tokenEndpoint: e2e.op.tokenEndpoint,
      scope: 'openid email offline_access mail',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const flow = await generateTokens(e2e.superAdmin, res.body.id);
    assert.equal(flow.status, 200, flow.html);
    return res.body.id as number;
  };

  /** The provider forgets the grant, and a refresh makes the plugin find out. */
  const refuseRefreshToken = async (id: number) => {
    const res = await e2e.superAdmin.post(`/mail-auth/tokens/${id}/refresh`);
    assert.notEqual(res.status, 200, `the refresh should have been refused: ${JSON.stringify(res.body)}`);
    const token = (await e2e.superAdmin.get(`/mail-auth/tokens/${id}`)).body;
    assert.equal(token.status, 'reauthorization-required', JSON.stringify(token));
  };

  before(async () => {
    if (skip) return;
    // No refresh job: the test decides when a refresh happens.
    e2e = await startE2e({ oauth: true, env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    const client = await e2e.addOAuthClient('banner-client');
    alice = await createToken('mailbox-alice', client.clientId, client.clientSecret);
    bob = await createToken('mailbox-bob', client.clientId, client.clientSecret);
  });

  after(async () => {
    await e2e?.stop();
  });

  test('no banner while every token is valid (the notifications are asked for)', { skip }, async (t) => {
    try {
      watcher = await e2e.session(t, e2e.superAdminUser);
      // Quiet first, so that the answer awaited is the fresh page's, not the login page's.
      await watcher.page.waitForLoadState('networkidle');
      const [res] = await Promise.all([
        watcher.page.waitForResponse((r) => isNotificationsRequest(r.request())),
        watcher.page.goto(`${e2e.app.url}/admin`),
      ]);
      // The page asked; its answer may belong to a page already navigated away from, so
      // what the server says is checked here rather than by reading that response's body.
      assert.equal(res.status(), 200);
      const answer = await fetch(res.url(), { headers: await res.request().allHeaders() });
      assert.deepEqual(((await answer.json()) as { results: unknown[] }).results, []);
      await mainNavigation(watcher.page).getByRole('link', { name: 'Mail Auth', exact: true }).waitFor();
      await settle(watcher.page);
      assert.equal(await banner(watcher.page).count(), 0);
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });

  test('a refused refresh token shows the banner on the open page, without a reload, linking to the token', { skip }, async (t) => {
    try {
      const { page } = watcher;
      await page.evaluate('window.__mailAuthNoReload = true');
      e2e.op.revokeAll();
      await refuseRefreshToken(alice);

      const title = needsAuthorization(page, 'mailbox-alice');
      await title.waitFor({ timeout: POLL_WAIT_MS });
      assert.equal(await page.evaluate('window.__mailAuthNoReload'), true, 'the page was not reloaded');
      const link = banner(page).getByRole('link', { name: 'Open the token' });
      assert.equal(await link.getAttribute('href'), `${PLUGIN_PATH}/tokens/${alice}`);
      // Where it sits: at the top of the content column, above the page's header.
      const top = await banner(page).boundingBox();
      const heading = await page.getByRole('heading', { level: 1 }).first().boundingBox();
      assert.ok(top && heading && top.y < heading.y, `banner (${top?.y}) above the page's heading (${heading?.y})`);
      assert.ok(top!.x > 0, 'beside the left menu, not over it');
      await settle(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'banner-home')}`);
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });

  test('the banner is on the Content Manager and Settings pages too, and on a fresh load', { skip }, async (t) => {
    try {
      const { page } = watcher;
      const nav = mainNavigation(page);

      await nav.getByRole('link', { name: 'Content Manager', exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/admin/content-manager'));
      await needsAuthorization(page, 'mailbox-alice').waitFor();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await settle(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'banner-content-manager')}`);

      await nav.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/admin/settings'));
      await needsAuthorization(page, 'mailbox-alice').waitFor();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await settle(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'banner-settings')}`);

      await page.goto(`${e2e.app.url}/admin/settings/users`);
      await needsAuthorization(page, 'mailbox-alice').waitFor();
      assert.equal(await banner(page).count(), 1, 'one banner, not one per rendering of the menu');

      // Clicking in the banner stays in the banner (the menu link it is rendered by does not navigate).
      await banner(page).getByText(/The provider refused its refresh token/).click();
      assert.match(new URL(page.url()).pathname, /^\/admin\/settings\/users/);

      // Its link opens the token's page inside the panel.
      await banner(page).getByRole('link', { name: 'Open the token' }).click();
      await page.waitForURL((url) => url.pathname === `${PLUGIN_PATH}/tokens/${alice}`);
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });

  test('an admin without the read permission never sees it, nor asks for it', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const role = await e2e.superAdmin.createRole(`No mail-auth ${Date.now()}`, [
        'plugin::upload.read',
        'admin::users.read',
      ]);
      const outsider = await e2e.superAdmin.inviteAdmin([role]);
      browser = await e2e.session(t, outsider);
      const { page } = browser;
      const asked: string[] = [];
      page.on('request', (r) => {
        if (isNotificationsRequest(r)) asked.push(r.url());
      });
      // The control: the same pages show the banner to the super admin right now.
      assert.equal(await needsAuthorization(watcher.page, 'mailbox-alice').count(), 1);

      for (const path of ['/admin', '/admin/content-manager', '/admin/settings/users']) {
        await page.goto(`${e2e.app.url}${path}`);
        await mainNavigation(page).getByRole('link', { name: 'Media Library', exact: true }).waitFor();
        await page.getByRole('main').first().waitFor();
        await page.waitForTimeout(1_000);
        assert.equal(await banner(page).count(), 0, `no banner on ${path}`);
        assert.equal(await page.getByText('mailbox-alice').count(), 0, `nothing about the token on ${path}`);
      }
      assert.deepEqual(asked, [], 'the outsider never asked for the notifications');
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('dismissed for the session, and back when a new problem appears', { skip }, async (t) => {
    try {
      const { page } = watcher;
      await page.goto(`${e2e.app.url}/admin`);
      await needsAuthorization(page, 'mailbox-alice').waitFor();
      await banner(page).getByRole('button', { name: 'Hide until a new problem appears' }).click();
      await banner(page).waitFor({ state: 'detached' });

      // The same problem stays hidden after a reload (same tab: sessionStorage).
      const answered = page.waitForResponse((r) => isNotificationsRequest(r.request()));
      await page.reload();
      await answered;
      await mainNavigation(page).getByRole('link', { name: 'Mail Auth', exact: true }).waitFor();
      await page.waitForTimeout(500);
      assert.equal(await banner(page).count(), 0, 'still dismissed after a reload');

      // A new problem (another token) brings the banner back, with only the new problem in it.
      await refuseRefreshToken(bob);
      await page.reload();
      await needsAuthorization(page, 'mailbox-bob').waitFor();
      assert.equal(await needsAuthorization(page, 'mailbox-alice').count(), 0, 'the dismissed problem stays hidden');

      // Another tab is another session: it shows both.
      const other = await watcher.newPage();
      await other.goto(`${e2e.app.url}/admin`);
      await needsAuthorization(other, 'mailbox-alice').waitFor();
      await needsAuthorization(other, 'mailbox-bob').waitFor();
      await settle(other);
      t.diagnostic(`screenshot: ${await screenshot(other, 'banner-two-tokens')}`);
      await other.close();
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });

  test('it disappears, without a reload, once tokens are generated again', { skip }, async (t) => {
    try {
      const { page } = watcher;
      await page.evaluate('window.__mailAuthNoReload = true');
      for (const id of [alice, bob]) {
        const flow = await generateTokens(e2e.superAdmin, id);
        assert.equal(flow.status, 200, flow.html);
        assert.equal((await e2e.superAdmin.get(`/mail-auth/tokens/${id}`)).body.status, 'valid');
      }
      assert.equal(await needsAuthorization(page, 'mailbox-bob').count(), 1, 'shown until the next poll');
      await banner(page).waitFor({ state: 'detached', timeout: POLL_WAIT_MS });
      assert.equal(await page.evaluate('window.__mailAuthNoReload'), true, 'the page was not reloaded');
      assert.deepEqual(watcher.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });

  test('a client secret that expires within 30 days is announced; its date is in the token form', { skip }, async (t) => {
    try {
      const { page } = watcher;
      const on = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
      const res = await e2e.superAdmin.put(`/mail-auth/tokens/${alice}`, { clientSecretExpiresOn: on });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await page.goto(`${e2e.app.url}/admin/content-manager`);
      const title = banner(page).getByText('The client secret of OAuth2 token "mailbox-alice" expires soon', { exact: true });
      await title.waitFor();
      await banner(page).getByText(/from then on the provider refuses its refreshes/).waitFor();
      await settle(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'banner-secret-expiring')}`);

      await banner(page).getByRole('link', { name: 'Open the token' }).click();
      await page.waitForURL((url) => url.pathname === `${PLUGIN_PATH}/tokens/${alice}`);
      assert.equal(await page.getByLabel('Secret expires on').inputValue(), on);
    } catch (err) {
      await e2e.explainFailure(t, watcher, err);
    }
  });
});
