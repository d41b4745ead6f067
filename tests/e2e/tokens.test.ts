import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Page } from 'playwright-core';

import type { TestBrowser } from '../helpers/browser';
import {
  ERROR_TEXT,
  mainNavigation,
  PLUGIN_PATH,
  screenshotPage,
  skipWithoutChromium as skip,
  startE2e,
  type E2eFixture,
} from '../helpers/e2e';

const CLIENT_ID = 'first-run-client';
const CLIENT_SECRET = 'first-run-secret-0123456789';
const SCOPE = 'openid email offline_access mail';

/** A design-system select: open it by its label, pick the option. */
const choose = async (page: Page, label: RegExp, option: string) => {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

const field = (page: Page, label: RegExp) => page.getByLabel(label);
const statusBadge = (page: Page) => page.getByTestId('token-status').locator('[data-status]');

describe('OAuth2 tokens in the admin panel (built admin, Chromium)', () => {
  let e2e: E2eFixture;
  /** The token of the first-run flow. */
  let firstId: number;

  const createByApi = async (name: string) => {
    const res = await e2e.superAdmin.post('/mail-auth/tokens', {
      name,
      template: 'generic',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      issuer: e2e.op.issuer,
      authorizationEndpoint: e2e.op.authorizationEndpoint,
      tokenEndpoint: e2e.op.tokenEndpoint,
      scope: SCOPE,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };

  before(async () => {
    if (skip) return;
    // Production, as a real deployment: the panel then warns about a redirect URI that is not https.
    e2e = await startE2e({ oauth: true, env: { MAIL_AUTH_RUN_JOBS: 'false', NODE_ENV: 'production' } });
  });

  after(async () => {
    await e2e?.stop();
  });

  test('first run: a generic token at the OAuth server, its redirect URI copied, Generate tokens in a popup → valid', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.app.url });

      await mainNavigation(page).getByRole('link', { name: 'Mail Auth', exact: true }).click();
      await page.getByRole('heading', { name: 'OAuth2 tokens', level: 1 }).waitFor();
      await page.getByText(/No OAuth2 token yet\. Register an app at your mail provider/).waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'tokens-empty')}`);

      await page.getByRole('link', { name: 'New token' }).first().click();
      await page.waitForURL((url) => url.pathname === `${PLUGIN_PATH}/tokens/new`);
      await choose(page, /^Template/, 'Generic OAuth 2.0');

      // Exactly the generic template's fields: endpoints and issuer, no tenant.
      await field(page, /^Token endpoint/).waitFor();
      assert.equal(await page.getByLabel(/^Tenant/).count(), 0, 'no tenant for the generic template');
      await field(page, /^Client ID/).fill(CLIENT_ID);
      await field(page, /^Client secret(?! expires)/).fill(CLIENT_SECRET);
      await field(page, /^Issuer/).fill(e2e.op.issuer);
      await field(page, /^Authorization endpoint/).fill(e2e.op.authorizationEndpoint);
      await field(page, /^Token endpoint/).fill(e2e.op.tokenEndpoint);
      await field(page, /^Scope/).fill(SCOPE);
      await field(page, /^Name/).fill('Support mailbox');

      // http://127.0.0.1, even in production: providers accept http for loopback addresses, so no
      // warning (tests/integration/foundation.test.ts sees it for another http address).
      await page.getByRole('button', { name: 'Copy the redirect URI' }).waitFor();
      assert.equal(await page.getByText('Not an https address').count(), 0);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-new')}`);

      // The redirect URI, copied with its button, is what the provider's console gets.
      const shown = await field(page, /^Redirect URI/).inputValue();
      assert.equal(shown, `${e2e.app.url}/mail-auth/oauth/callback`);
      await page.getByRole('button', { name: 'Copy the redirect URI' }).click();
      await page.getByText('Redirect URI copied').waitFor();
      const copied = String(await page.evaluate('navigator.clipboard.readText()'));
      assert.equal(copied, shown);
      await e2e.op.addClient({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [copied],
        tokenEndpointAuthMethod: 'client_secret_post',
      });

      await page.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL((url) => /\/tokens\/\d+$/.test(url.pathname));
      firstId = Number(new URL(page.url()).pathname.split('/').pop());
      assert.equal(await statusBadge(page).getAttribute('data-status'), 'not-authorized');
      await page.getByText('Next: Generate tokens').waitFor();

      // Generate tokens: the provider opens in a popup, signs in and consents, the callback
      // reports back and closes; the page updates itself.
      const popupOpened = page.waitForEvent('popup');
      await page.getByRole('button', { name: 'Generate tokens' }).click();
      const popup = await popupOpened;
      await popup.waitForEvent('close', { timeout: 30_000 });
      await page.getByTestId('generate-feedback').getByText('Tokens stored').waitFor();
      await page.getByText('Granted by alice@example.test', { exact: false }).first().waitFor();
      await page.locator('[data-testid="token-status"] [data-status="valid"]').waitFor();
      const api = (await e2e.superAdmin.get(`/mail-auth/tokens/${firstId}`)).body;
      assert.equal(api.status, 'valid');
      assert.equal(api.hasRefreshToken, true);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-valid')}`);

      // Refresh now issues a new access token.
      const before = api.lastRefreshAt;
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await page.getByText('A new access token was issued.').waitFor();
      const refreshed = (await e2e.superAdmin.get(`/mail-auth/tokens/${firstId}`)).body;
      assert.notEqual(refreshed.lastRefreshAt, before);

      // The list shows it: valid, with a refresh token, granted by alice.
      await page.getByRole('navigation', { name: 'Mail Auth' }).getByRole('link', { name: 'OAuth2 tokens' }).click();
      const row = page.locator('tr[data-token="Support mailbox"]');
      await row.locator('[data-status="valid"]').waitFor();
      // The template's name comes with the templates, which may answer after the list.
      await row.getByText('Generic OAuth 2.0', { exact: true }).waitFor();
      assert.match(await row.innerText(), /Generic OAuth 2\.0[\s\S]*yes[\s\S]*alice@example\.test/);
      // The export/import sidebar (open at first; its own screenshots in transfer-sidebar) closed:
      // the list with all its columns.
      await page.getByRole('button', { name: 'Close export and import' }).click();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'tokens-list')}`);
      assert.doesNotMatch(await page.locator('body').innerText(), ERROR_TEXT);
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('consent refused in the popup: the provider error and its advice are shown', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const id = await createByApi('Refused consent');
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${id}`);
      await page.getByRole('heading', { name: 'Refused consent', level: 1 }).waitFor();

      e2e.op.denyNextConsent();
      const popupOpened = page.waitForEvent('popup');
      await page.getByRole('button', { name: 'Generate tokens' }).click();
      await (await popupOpened).waitForEvent('close', { timeout: 30_000 });

      const feedback = page.getByTestId('generate-feedback');
      await feedback.getByText('The provider did not grant the tokens').waitFor();
      const text = await feedback.innerText();
      assert.match(text, /access_denied/);
      assert.match(text, /Consent was refused in the provider's window\. Click Generate tokens again/);
      assert.equal(await statusBadge(page).getAttribute('data-status'), 'not-authorized');
      const api = (await e2e.superAdmin.get(`/mail-auth/tokens/${id}`)).body;
      assert.equal(api.lastError.code, 'access_denied', 'kept as the last error too');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-consent-refused')}`);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('field errors: an empty form and a duplicate name mark the right fields', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      const posted: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/mail-auth/tokens') posted.push(r.url());
      });
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/new`);
      await choose(page, /^Template/, 'Generic OAuth 2.0');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByText('Some fields need attention.').waitFor();

      const invalid = async (label: RegExp) => (await field(page, label).getAttribute('aria-invalid')) === 'true';
      for (const label of [/^Name/, /^Client ID/, /^Scope/, /^Token endpoint/, /^Authorization endpoint/]) {
        assert.equal(await invalid(label), true, `${label} is marked`);
      }
      for (const label of [/^Client secret(?! expires)/, /^Issuer/, /^Description/]) {
        assert.equal(await invalid(label), false, `${label} is not marked`);
      }
      assert.equal(await page.getByText('This value is required.').count(), 3, 'name, client id, scope');
      assert.equal(await page.getByText('Required, or an issuer to discover it from.').count(), 2);
      assert.deepEqual(posted, [], 'nothing was sent');

      // Valid in the browser, refused by the server: the name is taken.
      await field(page, /^Client ID/).fill(CLIENT_ID);
      await field(page, /^Token endpoint/).fill(e2e.op.tokenEndpoint);
      await field(page, /^Authorization endpoint/).fill(e2e.op.authorizationEndpoint);
      await field(page, /^Scope/).fill('mail');
      await field(page, /^Name/).fill('Support mailbox');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByText('Name is already used by another token').waitFor();
      assert.equal(posted.length, 1, 'sent once');
      assert.equal(await invalid(/^Name/), true);
      for (const label of [/^Client ID/, /^Scope/, /^Token endpoint/, /^Authorization endpoint/]) {
        assert.equal(await invalid(label), false, `${label} is no longer marked`);
      }
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-form-errors')}`);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('an admin who may only read sees the lists but no create, edit, delete or authorize buttons', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const role = await e2e.superAdmin.createRole(`Mail Auth reader ${Date.now()}`, ['plugin::mail-auth.read']);
      const reader = await e2e.superAdmin.inviteAdmin([role]);
      browser = await e2e.session(t, reader);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      await page.locator('tr[data-token="Support mailbox"]').waitFor();
      assert.equal(await page.getByRole('link', { name: 'New token' }).count(), 0);

      await page.getByRole('link', { name: 'Support mailbox' }).click();
      await page.getByRole('heading', { name: 'Support mailbox', level: 1 }).waitFor();
      await page.getByTestId('token-status').waitFor();
      for (const name of ['Generate tokens', 'Refresh now', 'Delete', 'Save']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      assert.equal(await field(page, /^Client ID/).isDisabled(), true, 'the form is read-only');
      assert.equal(await field(page, /^Name/).isDisabled(), true);

      // The activity is there to read; the plugin's settings are not.
      const subNav = page.getByRole('navigation', { name: 'Mail Auth' });
      await subNav.getByRole('link', { name: 'Activity' }).click();
      await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
      assert.equal(await subNav.getByRole('link', { name: 'Settings' }).count(), 0);
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/settings`);
      await page.getByText(/don.t have the permissions/i).waitFor();

      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${firstId}`);
      await page.getByTestId('token-status').waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-read-only')}`);
      // Typed in, the New token page says no.
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/new`);
      await page.getByText(/don.t have the permissions/i).waitFor();
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('delete asks first, then the token is gone', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const id = await createByApi('To be deleted');
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${id}`);
      await page.getByRole('heading', { name: 'To be deleted', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText('Delete this token?').waitFor();
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL((url) => url.pathname === PLUGIN_PATH);
      await page.locator('tr[data-token="Support mailbox"]').waitFor();
      assert.equal(await page.locator('tr[data-token="To be deleted"]').count(), 0);
      assert.equal((await e2e.superAdmin.get(`/mail-auth/tokens/${id}`)).status, 404);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });
});
