import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Page } from 'playwright-core';

import type { TestBrowser } from '../helpers/browser';
import { PLUGIN_PATH, screenshotPage, skipWithoutChromium as skip, startE2e, type E2eFixture } from '../helpers/e2e';
import { generateTokens } from '../helpers/tokens';

const choose = async (page: Page, label: RegExp, option: string) => {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

/** The kinds shown in the activity table, top to bottom. */
const shownKinds = (page: Page) =>
  // One evaluation, so that a table re-rendering meanwhile cannot make a row vanish half-way.
  page.locator('tbody tr[data-kind]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')));

/** Waits until the table shows exactly `kinds` (the filter's answer has arrived). */
const waitForKinds = async (page: Page, kinds: string[], timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  let shown: (string | null)[] = [];
  while (Date.now() < deadline) {
    shown = await shownKinds(page);
    if (JSON.stringify(shown) === JSON.stringify(kinds)) return;
    await page.waitForTimeout(200);
  }
  assert.deepEqual(shown, kinds);
};

const cell = (page: Page, text: string) => page.locator('td').filter({ hasText: new RegExp(`^\\s*${text.replace(/[*/]/g, '\\$&')}\\s*$`) });

describe('activity and settings pages (built admin, Chromium)', () => {
  let e2e: E2eFixture;
  let sales: number;
  let billing: number;

  before(async () => {
    if (skip) return;
    e2e = await startE2e({ oauth: true });
    const client = await e2e.addOAuthClient('activity-client');
    const create = async (name: string) => {
      const res = await e2e.superAdmin.post('/mail-auth/tokens', {
        name,
        template: 'generic',
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        issuer: e2e.op.issuer,
        authorizationEndpoint: e2e.op.authorizationEndpoint,
        tokenEndpoint: e2e.op.tokenEndpoint,
        scope: 'openid email offline_access mail',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as number;
    };
    sales = await create('Sales mailbox');
    billing = await create('Billing mailbox');
    assert.equal((await generateTokens(e2e.superAdmin, sales)).status, 200);
    assert.equal((await e2e.superAdmin.post(`/mail-auth/tokens/${sales}/refresh`)).status, 200);
    e2e.op.denyNextConsent();
    assert.equal((await generateTokens(e2e.superAdmin, billing)).status, 400);
  });

  after(async () => {
    await e2e?.stop();
  });

  test('the activity lists what happened, newest first, and filters by kind and by token', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      await page.getByRole('navigation', { name: 'Mail Auth' }).getByRole('link', { name: 'Activity' }).click();
      await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
      await page.locator('tbody tr[data-kind]').first().waitFor();
      assert.deepEqual((await shownKinds(page)).slice(0, 5), [
        'token.authorization-failed',
        'token.refreshed',
        'token.authorized',
        'token.created',
        'token.created',
      ]);
      const failed = page.locator('tr[data-kind="token.authorization-failed"]');
      assert.match(await failed.innerText(), /Generate tokens failed[\s\S]*Billing mailbox[\s\S]*failure[\s\S]*access_denied/);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'activity')}`);

      await choose(page, /^Kind/, 'Tokens generated');
      await page.waitForURL((url) => url.searchParams.get('kind') === 'token.authorized');
      await waitForKinds(page, ['token.authorized']);

      await choose(page, /^Kind/, 'Every kind');
      await choose(page, /^Concerning/, 'OAuth2 tokens');
      await choose(page, /^Token/, 'Billing mailbox');
      await page.waitForURL((url) => url.searchParams.get('subjectId') === String(billing));
      await waitForKinds(page, ['token.authorization-failed', 'token.created']);

      // The token page links to its own activity.
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${sales}`);
      await page.getByRole('link', { name: 'Activity of this token' }).click();
      await page.waitForURL((url) => url.searchParams.get('subjectId') === String(sales));
      await waitForKinds(page, ['token.refreshed', 'token.authorized', 'token.created']);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('settings: the key is only said to be set; wrong values are marked; saved values apply and can go back to the config', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      const puts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'PUT' && new URL(r.url()).pathname === '/mail-auth/settings') puts.push(r.postData() ?? '');
      });
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      await page.getByRole('navigation', { name: 'Mail Auth' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      const schedule = page.getByLabel(/^Refresh schedule/);
      const margin = page.getByLabel(/^Refresh margin/);
      assert.equal(await schedule.inputValue(), '* * * * *');
      assert.equal(await margin.inputValue(), '300');
      assert.match(await page.getByTestId('settings-encryption-key').innerText(), /key set/i);
      assert.match(await page.getByTestId('settings-run-jobs').innerText(), /yes/i);
      await cell(page, 'Refresh tokens').waitFor();
      const body = await page.locator('body').innerText();
      assert.ok(!body.includes('playground-encryption-key'), 'the key is not on the page');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'settings')}`);

      // Checked in the browser first: nothing is sent.
      await schedule.fill('every minute');
      await margin.fill('-5');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('A cron expression: five fields').waitFor();
      assert.equal(await schedule.getAttribute('aria-invalid'), 'true');
      assert.equal(await margin.getAttribute('aria-invalid'), 'true');
      assert.deepEqual(puts, []);

      // Five fields but no valid cron: the server says so, next to the field.
      await schedule.fill('99 * * * *');
      await margin.fill('600');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(/must be a cron expression/).waitFor();
      assert.equal(await schedule.getAttribute('aria-invalid'), 'true');
      assert.notEqual(await margin.getAttribute('aria-invalid'), 'true');
      assert.equal(puts.length, 1);

      await schedule.fill('*/5 * * * *');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved.', { exact: false }).waitFor();
      await cell(page, '*/5 * * * *').waitFor();
      const saved = (await e2e.superAdmin.get('/mail-auth/settings')).body;
      assert.deepEqual(saved.refreshSchedule, { value: '*/5 * * * *', default: '* * * * *', saved: true });
      assert.equal(saved.refreshMargin.value, 600);

      await page.getByRole('button', { name: 'Use the value of config/plugins.ts (* * * * *)' }).click();
      await cell(page, '* * * * *').waitFor();
      assert.equal(await schedule.inputValue(), '* * * * *');
      const back = (await e2e.superAdmin.get('/mail-auth/settings')).body;
      assert.deepEqual(back.refreshSchedule, { value: '* * * * *', default: '* * * * *', saved: false });
      assert.equal(back.refreshMargin.value, 600, 'the other saved value stays');
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });
});
