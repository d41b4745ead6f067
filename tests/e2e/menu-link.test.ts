import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import type { Page } from 'playwright-core';

import { AdminClient, type AdminUser } from '../helpers/admin';
import {
  chromiumAvailable,
  dismissStrapiBanners,
  launchBrowser,
  loginToAdmin,
  screenshot,
  type TestBrowser,
} from '../helpers/browser';
import { startStrapiProcess, type StrapiProcess } from '../helpers/strapi-process';

const PLUGIN_PATH = '/admin/plugins/mail-auth';
/** What Strapi's error boundaries and error pages say. */
const ERROR_TEXT = /An error occurred|Something went wrong|Woops!/i;

const mainNavigation = (page: Page) =>
  page.getByRole('navigation').filter({ has: page.getByRole('link', { name: 'Home', exact: true }) });

// Skipped test by test (not the whole suite) so that npm test's summary counts them as skipped.
const skip = chromiumAvailable() ? false : 'Chromium is not installed';

describe('the Mail Auth link in the admin panel (built admin, Chromium)', () => {
  let app: StrapiProcess;
  let superAdmin: AdminClient;
  let superAdminUser: AdminUser;
  const browsers: TestBrowser[] = [];

  before(async () => {
    if (skip) return;
    app = await startStrapiProcess();
    ({ client: superAdmin, user: superAdminUser } = await AdminClient.registerFirstAdmin(app.url));
  });

  after(async () => {
    for (const b of browsers) await b.close();
    await app?.stop();
  });

  /** A logged-in browser session; on failure the test's error carries a screenshot path and Strapi's log. */
  async function session(t: TestContext, user: Pick<AdminUser, 'email' | 'password'>) {
    const browser = await launchBrowser();
    browsers.push(browser);
    await loginToAdmin(browser.page, app.url, user);
    t.diagnostic(`logged in as ${user.email}`);
    return browser;
  }

  async function explainFailure(t: TestContext, browser: TestBrowser | undefined, err: unknown): Promise<never> {
    const e = err instanceof Error ? err : new Error(String(err));
    const notes: string[] = [];
    if (browser) {
      const dir = resolve(__dirname, '..', '..', 'test-results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${t.name.replace(/\W+/g, '-')}.png`);
      await browser.page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      notes.push(`screenshot: ${file}`, `page errors: ${JSON.stringify(browser.pageErrors)}`);
    }
    notes.push('----- strapi output (last 60 lines) -----', app.logs().split('\n').slice(-60).join('\n'));
    e.message += `\n${notes.join('\n')}`;
    throw e;
  }

  test('a super admin sees "Mail Auth" in the main navigation and opens the plugin page', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await session(t, superAdminUser);
      const { page } = browser;

      const link = mainNavigation(page).getByRole('link', { name: 'Mail Auth', exact: true });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), PLUGIN_PATH);

      await link.click();
      await page.waitForURL((url) => url.pathname === PLUGIN_PATH);
      // The plugin opens on its tokens page, with its own navigation.
      const header = page.getByRole('heading', { name: 'OAuth2 tokens', level: 1 });
      await header.waitFor();
      assert.ok(await header.isVisible(), 'the plugin page shows its header');
      await page.getByRole('navigation', { name: 'Mail Auth' }).waitFor();
      assert.doesNotMatch(await page.locator('body').innerText(), ERROR_TEXT);
      assert.deepEqual(browser.pageErrors, [], 'no uncaught exception in the page');

      // Strapi's own "what's new" banner and the link's tooltip stay out of the picture.
      await dismissStrapiBanners(page);
      await page.mouse.move(900, 700);
      await page.getByRole('tooltip').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      t.diagnostic(`screenshot: ${await screenshot(page, 'plugin-home')}`);
      if (browser.blockedRequests.length) t.diagnostic(`refused off-loopback requests: ${browser.blockedRequests.join(', ')}`);
    } catch (err) {
      await explainFailure(t, browser, err);
    }
  });

  test('an admin whose role lacks plugin::mail-auth.read does not see the link', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      // The Media Library's read permission is the control: once its link shows, the panel
      // has filtered the menu by this user's permissions.
      const role = await superAdmin.createRole(`No mail-auth ${Date.now()}`, ['plugin::upload.read']);
      const outsider = await superAdmin.inviteAdmin([role]);
      browser = await session(t, outsider);
      const { page } = browser;

      const nav = mainNavigation(page);
      await nav.getByRole('link', { name: 'Media Library', exact: true }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'Mail Auth' }).count(), 0);
      assert.equal(await page.locator(`a[href="${PLUGIN_PATH}"]`).count(), 0);

      // Nor does the page open when the address is typed in.
      await page.goto(`${app.url}${PLUGIN_PATH}`);
      await page.getByText(/don.t have the permissions/i).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'OAuth2 tokens', level: 1 }).count(), 0);
    } catch (err) {
      await explainFailure(t, browser, err);
    }
  });

  test('an admin whose role has plugin::mail-auth.read sees the link', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const role = await superAdmin.createRole(`Mail Auth reader ${Date.now()}`, ['plugin::mail-auth.read']);
      const reader = await superAdmin.inviteAdmin([role]);
      browser = await session(t, reader);
      const link = mainNavigation(browser.page).getByRole('link', { name: 'Mail Auth', exact: true });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), PLUGIN_PATH);
      await link.click();
      await browser.page.getByRole('heading', { name: 'OAuth2 tokens', level: 1 }).waitFor();
      assert.doesNotMatch(await browser.page.locator('body').innerText(), ERROR_TEXT);
    } catch (err) {
      await explainFailure(t, browser, err);
    }
  });
});
