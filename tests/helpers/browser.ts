import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { requireBinary } from '../servers/require-binary';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and quiet: no first-run, sync, component updates or background requests. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Names resolve to nothing except localhost: the browser cannot leave the machine by name.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
];

export const SCREENSHOT_DIR = resolve(__dirname, '..', '..', 'docs', 'screenshots');

/**
 * True when Chromium is installed. In CI (`CI=true`) a missing Chromium throws; elsewhere it
 * prints a loud warning and returns false, and the caller skips its browser tests.
 */
export const chromiumAvailable = (): boolean => requireBinary(CHROMIUM_PATH, 'browser (e2e, Chromium)');

export interface TestBrowser {
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** Requests to anything but the loopback that were refused (should stay empty). */
  blockedRequests: string[];
  /** Uncaught exceptions thrown in any page of the context. */
  pageErrors: string[];
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile directory. Idempotent. */
  close(): Promise<void>;
}

export interface LaunchBrowserOptions {
  viewport?: { width: number; height: number };
  /** Default timeout of page actions and waits (ms, default 30 s). */
  timeoutMs?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Headless Debian Chromium through playwright-core, with its own fresh profile directory (one
 * launch per session: launch twice for two admins logged in at once). Requests that would
 * leave the loopback are aborted and recorded in `blockedRequests`.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'mail-auth-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(options.timeoutMs ?? 30_000);

  const blockedRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:') && !LOOPBACK_HOSTS.has(url.hostname)) {
      blockedRequests.push(url.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const watch = (p: Page) => p.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  context.pages().forEach(watch);
  context.on('page', watch);

  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    blockedRequests,
    pageErrors,
    newPage: () => context.newPage(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Logs in through the admin panel's real login form (/admin/auth/login) and waits until the
 * panel has left the auth pages and shows its main navigation.
 */
export async function loginToAdmin(
  page: Page,
  baseUrl: string,
  credentials: { email: string; password: string }
): Promise<void> {
  await page.goto(`${baseUrl}/admin/auth/login`);
  // The labels read "Email*" and "Password*" (required); the inputs' names are stable.
  await page.locator('form input[name="email"]').fill(credentials.email);
  await page.locator('form input[name="password"]').fill(credentials.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/auth'));
  await page.getByRole('navigation').first().waitFor();
}

/**
 * Closes Strapi's own announcement banners ("Introducing the new Media Library" …), which are
 * not the plugin's and would otherwise sit on top of every screenshot. Best effort.
 */
export async function dismissStrapiBanners(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: /^Close the banner/ });
  for (let i = await close.count(); i > 0; i--) {
    await close.first().click({ timeout: 2_000 }).catch(() => undefined);
  }
}

/** Writes a full-page PNG to docs/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
