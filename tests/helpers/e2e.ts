import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

import type { Page } from 'playwright-core';

import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';
import { AdminClient, type AdminUser } from './admin';
import {
  chromiumAvailable,
  dismissStrapiBanners,
  launchBrowser,
  loginToAdmin,
  screenshot,
  type LaunchBrowserOptions,
  type TestBrowser,
} from './browser';
import { startStrapiProcess, type StrapiProcess } from './strapi-process';

/** Skip value for node:test: browser tests are skipped one by one (counted) without Chromium. */
export const skipWithoutChromium = chromiumAvailable() ? false : 'Chromium is not installed';

/** The plugin's pages in the admin panel. */
export const PLUGIN_PATH = '/admin/plugins/mail-auth';

/** What Strapi's error boundaries and error pages say. */
export const ERROR_TEXT = /An error occurred|Something went wrong|Woops!/i;

/** The admin panel's main navigation (the left menu), not the plugin's or a page's. */
export const mainNavigation = (page: Page) =>
  page.getByRole('navigation').filter({ has: page.getByRole('link', { name: 'Home', exact: true }) });

/** Strapi's announcements closed, no toast, no tooltip, no hover: what a screenshot should show. */
export async function settle(page: Page): Promise<void> {
  await dismissStrapiBanners(page);
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.mouse.move(size.width - 5, size.height - 5);
  await page.getByRole('tooltip').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  // Strapi's toasts (sonner) leave after a few seconds.
  await page.locator('[data-sonner-toast]').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
}

// The tallest scrolling box's content: the admin panel scrolls inside its content column,
// which a full-page screenshot does not see. A string, not a function: tsx would add helpers
// that do not exist in the page.
const CONTENT_HEIGHT = `(() => {
  let height = document.documentElement.clientHeight;
  for (const el of document.querySelectorAll('*')) {
    // A text box scrolls its own text: the page is not taller for it.
    if (el.tagName === 'TEXTAREA') continue;
    const style = getComputedStyle(el);
    if ((style.overflowY === 'auto' || style.overflowY === 'scroll') && el.scrollHeight > el.clientHeight) {
      height = Math.max(height, Math.ceil(el.scrollHeight + el.getBoundingClientRect().top));
    }
  }
  return height;
})()`;

/**
 * docs/screenshots/<name>.png of the whole page: settles it, grows the window to the content's
 * height (at most 4000 px), takes the picture, and gives the window its size back.
 */
export async function screenshotPage(page: Page, name: string): Promise<string> {
  await settle(page);
  const viewport = page.viewportSize() ?? { width: 1440, height: 900 };
  try {
    for (let i = 0; i < 2; i++) {
      const height = Math.min(4000, Math.max(viewport.height, Number(await page.evaluate(CONTENT_HEIGHT))));
      await page.setViewportSize({ width: viewport.width, height });
      await page.waitForTimeout(300);
    }
    return await screenshot(page, name);
  } finally {
    await page.setViewportSize(viewport);
  }
}

export interface E2eFixture {
  app: StrapiProcess;
  /** The OAuth test server, when asked for. */
  op: OAuthTestServer;
  superAdmin: AdminClient;
  superAdminUser: AdminUser;
  /** A logged-in browser session (closed by stop()). */
  session(t: TestContext, user: Pick<AdminUser, 'email' | 'password'>, options?: LaunchBrowserOptions): Promise<TestBrowser>;
  /** Rethrows `err` with a screenshot path, the page's errors and the end of Strapi's log. */
  explainFailure(t: TestContext, browser: TestBrowser | undefined, err: unknown): Promise<never>;
  /** An OAuth client at the test server whose redirect URI is this Strapi's callback. */
  addOAuthClient(clientId: string, options?: { clientSecret?: string; accessTokenTtl?: number }): Promise<{ clientId: string; clientSecret: string }>;
  stop(): Promise<void>;
}

/**
 * One Strapi (the built playground, in a child process), its first super admin, and
 * optionally the OAuth test server: what a browser test file shares between its tests.
 */
export async function startE2e(options: { oauth?: boolean; env?: Record<string, string> } = {}): Promise<E2eFixture> {
  const op = options.oauth ? await startOAuthServer() : (undefined as unknown as OAuthTestServer);
  let app: StrapiProcess;
  try {
    app = await startStrapiProcess({ env: options.env });
  } catch (e) {
    await op?.stop();
    throw e;
  }
  const { client: superAdmin, user: superAdminUser } = await AdminClient.registerFirstAdmin(app.url);
  const browsers: TestBrowser[] = [];

  return {
    app,
    op,
    superAdmin,
    superAdminUser,

    async session(t, user, launchOptions) {
      const browser = await launchBrowser(launchOptions);
      browsers.push(browser);
      await loginToAdmin(browser.page, app.url, user);
      // Strapi's own announcement comes a moment after login; closed, it stays closed.
      await browser.page.getByRole('button', { name: /^Close the banner/ }).first().waitFor({ timeout: 3_000 }).catch(() => undefined);
      await dismissStrapiBanners(browser.page);
      t.diagnostic(`logged in as ${user.email}`);
      return browser;
    },

    async explainFailure(t, browser, err) {
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
    },

    async addOAuthClient(clientId, clientOptions = {}) {
      const clientSecret = clientOptions.clientSecret ?? `${clientId}-secret`;
      await op.addClient({
        clientId,
        clientSecret,
        redirectUris: [`${app.url}/mail-auth/oauth/callback`],
        tokenEndpointAuthMethod: 'client_secret_post',
        accessTokenTtl: clientOptions.accessTokenTtl,
      });
      return { clientId, clientSecret };
    },

    async stop() {
      for (const b of browsers) await b.close().catch(() => undefined);
      await app?.stop();
      await op?.stop();
    },
  };
}
