import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Page } from 'playwright-core';

import type { TestBrowser } from '../helpers/browser';
import { mainNavigation, PLUGIN_PATH, screenshotPage, skipWithoutChromium, startE2e, type E2eFixture } from '../helpers/e2e';
import { generateTokens } from '../helpers/tokens';
import { DOVECOT, startDovecot, type DovecotServer } from '../servers/dovecot';
import { requireBinary } from '../servers/require-binary';
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp';

const ALICE = 'alice@example.test';
const CLIENT_ID = 'accounts-client';
const CLIENT_SECRET = 'accounts-secret-0123456789';
const skip = skipWithoutChromium || (requireBinary(DOVECOT, 'Dovecot') ? false : 'Dovecot is not installed');

const choose = async (page: Page, label: RegExp, option: string) => {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};
const field = (page: Page, label: RegExp) => page.getByLabel(label);
const message = (subject: string) => `From: customer@example.org\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\nPlease help.\r\n`;

describe('mail accounts in the admin panel (built admin, Chromium, Dovecot, SMTP)', () => {
  let e2e: E2eFixture;
  let dovecot: DovecotServer;
  let smtp: SmtpTestServer;
  let tokenId: number;

  before(async () => {
    if (skip) return;
    e2e = await startE2e({ oauth: true, env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_MAIL_TIMEOUT: '5', MAIL_AUTH_SMTP_TIMEOUT: '5' } });
    const oauth = { introspectionUrl: e2e.op.introspectionEndpoint, ...e2e.op.introspectionClient };
    [dovecot, smtp] = await Promise.all([startDovecot({ oauth }), startSmtpServer({ security: 'none', introspect: (token) => e2e.op.introspect(token) })]);
    await e2e.addOAuthClient(CLIENT_ID, { clientSecret: CLIENT_SECRET });
  });

  after(async () => {
    await e2e?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  test('first run: an OAuth2 token, an IMAP account using it (Test & confirm, Fetch now), an SMTP account (test message)', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      const subNav = page.getByRole('navigation', { name: 'Mail Auth' });

      // The token, as in the tokens test: generic template, Generate tokens in a popup.
      await mainNavigation(page).getByRole('link', { name: 'Mail Auth', exact: true }).click();
      await page.getByRole('link', { name: 'New token' }).first().click();
      await choose(page, /^Template/, 'Generic OAuth 2.0');
      await field(page, /^Client ID/).fill(CLIENT_ID);
      await field(page, /^Client secret(?! expires)/).fill(CLIENT_SECRET);
      await field(page, /^Issuer/).fill(e2e.op.issuer);
      await field(page, /^Authorization endpoint/).fill(e2e.op.authorizationEndpoint);
      await field(page, /^Token endpoint/).fill(e2e.op.tokenEndpoint);
      await field(page, /^Scope/).fill('openid email offline_access mail');
      await field(page, /^Name/).fill('Support mailbox');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL((url) => /\/tokens\/\d+$/.test(url.pathname));
      tokenId = Number(new URL(page.url()).pathname.split('/').pop());
      const popupOpened = page.waitForEvent('popup');
      await page.getByRole('button', { name: 'Generate tokens' }).click();
      await (await popupOpened).waitForEvent('close', { timeout: 30_000 });
      await page.locator('[data-testid="token-status"] [data-status="valid"]').waitFor();

      // The IMAP account: from the empty list, a preset, the token.
      await subNav.getByRole('link', { name: 'Inbound accounts' }).click();
      await page.getByText(/No inbound account yet/).waitFor();
      await page.getByRole('link', { name: 'New inbound account' }).first().click();
      await choose(page, /^Preset/, 'IMAP (password)');
      await choose(page, /^Type/, 'IMAP (plain text)');
      await field(page, /^Server/).fill(dovecot.host);
      await field(page, /^Port/).fill(String(dovecot.ports.imap));
      await choose(page, /^Sign-in with/, 'OAuth 2.0 (an OAuth2 token)');
      await choose(page, /^OAuth2 token/, 'Support mailbox (valid)');
      await field(page, /^Login/).fill(ALICE);
      await field(page, /^Name/).fill('Support inbox');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL((url) => /\/inbound\/\d+$/.test(url.pathname));
      await page.getByRole('heading', { name: 'Support inbox', level: 1 }).waitFor();
      await page.locator('[data-account-status="unconfirmed"]').first().waitFor();

      await page.getByRole('button', { name: 'Test & confirm' }).click();
      const report = page.getByTestId('test-report');
      await report.waitFor({ timeout: 30_000 });
      assert.equal(await report.getAttribute('data-ok'), 'true', await report.innerText());
      for (const step of ['connect', 'authenticate']) {
        assert.ok(await report.locator(`[data-step-ok="true"]`).filter({ hasText: step }).count(), `step ${step} shown and ok`);
      }
      await page.locator('[data-account-status="confirmed"]').first().waitFor();

      await dovecot.deliver(ALICE, message('Printer on fire'));
      await dovecot.deliver(ALICE, message('Password reset'));
      await page.getByRole('button', { name: 'Fetch now' }).click();
      await page.getByTestId('fetch-result').getByText('Fetched 2 new, skipped 0').waitFor({ timeout: 30_000 });
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'inbound-account')}`);

      await subNav.getByRole('link', { name: 'Inbound accounts' }).click();
      const row = page.locator('tr[data-account="Support inbox"]');
      await row.locator('[data-account-status="confirmed"]').waitFor();
      assert.match(await row.innerText(), /2 new/);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'inbound-list')}`);

      // The SMTP account, signing in with the same token, and a test message.
      await subNav.getByRole('link', { name: 'Outbound accounts' }).click();
      await page.getByRole('link', { name: 'New outbound account' }).first().click();
      await choose(page, /^Preset/, 'SMTP (password)');
      await choose(page, /^Security/, 'None: plain text (usually port 25)');
      await field(page, /^Server/).fill(smtp.host);
      await field(page, /^Port/).fill(String(smtp.port));
      await choose(page, /^Sign-in with/, 'OAuth 2.0 (an OAuth2 token)');
      await choose(page, /^OAuth2 token/, 'Support mailbox (valid)');
      await field(page, /^From address/).fill(ALICE);
      await field(page, /^From name/).fill('Example Support');
      await field(page, /^Name/).fill('Support outbox');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL((url) => /\/outbound\/\d+$/.test(url.pathname));
      await field(page, /^Test recipient/).fill('customer@example.org');
      await page.getByRole('button', { name: 'Send test message' }).click();
      const sent = page.getByTestId('test-report');
      await sent.waitFor({ timeout: 30_000 });
      assert.equal(await sent.getAttribute('data-ok'), 'true', await sent.innerText());
      const [received] = await smtp.waitFor(1, 10_000);
      assert.deepEqual(received.envelope.to, ['customer@example.org']);
      assert.equal(received.authMethod, 'XOAUTH2');
      assert.match(received.raw.toString(), /This message was sent by Strapi \(mail-auth plugin\) to test the outbound/);
      await page.locator('[data-account-status="confirmed"]').first().waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'outbound-account')}`);
      await subNav.getByRole('link', { name: 'Outbound accounts' }).click();
      await page.locator('tr[data-account="Support outbox"] [data-account-status="confirmed"]').waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'outbound-list')}`);
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('Test & confirm that fails says at which step and what to do; the account deleted from its page', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const created = await e2e.superAdmin.post('/mail-auth/inbound-accounts', {
        name: 'Wrong password',
        type: 'imap',
        host: dovecot.host,
        port: dovecot.ports.imap,
        authentication: 'password',
        login: ALICE,
        password: 'not-the-password',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/inbound/${created.body.id}`);
      await page.getByRole('button', { name: 'Test & confirm' }).click();
      const report = page.getByTestId('test-report');
      await report.waitFor({ timeout: 30_000 });
      assert.equal(await report.getAttribute('data-ok'), 'false');
      await report.getByText('Test failed at “authenticate”').waitFor();
      assert.match(await page.getByTestId('test-advice').innerText(), /password/i);
      await page.locator('[data-account-status="failing"]').first().waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'inbound-test-failed')}`);

      // Deleted from its page: asked first, then back at the list, and gone.
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL((url) => url.pathname.endsWith(`${PLUGIN_PATH}/inbound`));
      await page.getByText('Account “Wrong password” deleted.').waitFor();
      assert.equal((await e2e.superAdmin.get(`/mail-auth/inbound-accounts/${created.body.id}`)).status, 404);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('a token in use cannot be deleted: the page names the accounts that use it', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${tokenId}`);
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      const failure = page.getByTestId('token-action-failure');
      await failure.waitFor();
      const text = await failure.innerText();
      assert.match(text, /Used by: .*Support inbox/);
      assert.match(text, /Support outbox/);
      assert.equal((await e2e.superAdmin.get(`/mail-auth/tokens/${tokenId}`)).status, 200, 'still there');
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('field errors of an account form; a read-only admin sees the accounts but cannot change or test them', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      let page = browser.page;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/outbound/new`);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Some fields need attention.').waitFor();
      for (const label of [/^Server/, /^Name/, /^From address/, /^Password/]) {
        assert.equal(await field(page, label).getAttribute('aria-invalid'), 'true', `${label} is marked`);
      }
      // The server's rule: a name already taken.
      await choose(page, /^Sign-in with/, 'No authentication (a relay that trusts this server)');
      await field(page, /^Server/).fill(smtp.host);
      await field(page, /^From address/).fill(ALICE);
      await field(page, /^Name/).fill('Support outbox');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText(/^Name is already used/).waitFor();

      const role = await e2e.superAdmin.createRole(`Accounts reader ${Date.now()}`, ['plugin::mail-auth.read']);
      const reader = await e2e.superAdmin.inviteAdmin([role]);
      const readerBrowser = await e2e.session(t, reader);
      browser = readerBrowser;
      page = readerBrowser.page;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/inbound`);
      await page.locator('tr[data-account="Support inbox"]').waitFor();
      assert.equal(await page.getByRole('link', { name: 'New inbound account' }).count(), 0);
      await page.getByRole('link', { name: 'Support inbox' }).click();
      await page.getByRole('heading', { name: 'Support inbox', level: 1 }).waitFor();
      for (const name of ['Test & confirm', 'Fetch now', 'Delete', 'Save']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      assert.equal(await field(page, /^Login/).isDisabled(), true);
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/outbound`);
      await page.getByRole('link', { name: 'Support outbox' }).click();
      await page.getByRole('heading', { name: 'Support outbox', level: 1 }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Send test message' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });
});
