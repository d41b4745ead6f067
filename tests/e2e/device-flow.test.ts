import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { TestBrowser } from '../helpers/browser';
import { ERROR_TEXT, PLUGIN_PATH, screenshotPage, skipWithoutChromium as skip, startE2e, type E2eFixture } from '../helpers/e2e';
import { enterUserCode } from '../servers/headless';
import { DEVICE_CODE_GRANT } from '../servers/oauth-server';

const SECRET = 'device-e2e-secret';

describe('Sign in with a code on the token page (built admin, Chromium)', () => {
  let e2e: E2eFixture;

  before(async () => {
    if (skip) return;
    e2e = await startE2e({ oauth: true, env: { MAIL_AUTH_RUN_JOBS: 'false' } });
  });
  after(async () => {
    await e2e?.stop();
  });

  test('the code, the link and a countdown; signed in at the provider, the page says so and the token is valid', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      await e2e.op.addClient({
        clientId: 'device-e2e',
        clientSecret: SECRET,
        grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'],
        tokenEndpointAuthMethod: 'client_secret_post',
        deviceInterval: 1,
      });
      const created = await e2e.superAdmin.post('/mail-auth/tokens', {
        name: 'Intranet mailbox',
        template: 'generic',
        clientId: 'device-e2e',
        clientSecret: SECRET,
        issuer: e2e.op.issuer,
        authorizationEndpoint: e2e.op.authorizationEndpoint,
        tokenEndpoint: e2e.op.tokenEndpoint,
        scope: 'openid email offline_access mail',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/tokens/${created.body.id}`);
      await page.getByRole('button', { name: 'Sign in with a code' }).click();

      const code = page.getByTestId('device-user-code');
      await code.waitFor();
      const userCode = (await code.textContent())?.trim() ?? '';
      assert.match(userCode, /^[A-Z]{4}-[A-Z]{4}$/);
      const link = page.getByTestId('device-verification-uri');
      assert.equal(await link.getAttribute('href'), e2e.op.deviceVerificationUri);
      await page.getByTestId('device-countdown').getByText(/The code expires in (9|10):\d\d/).waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'token-device-code')}`);

      e2e.op.loginNextAs('bob@example.test');
      assert.match(await enterUserCode(e2e.op.deviceVerificationUri, userCode), /Signed in/);
      await page.getByTestId('device-sign-in').getByText('Signed in with the code').waitFor({ timeout: 15_000 });
      await page.getByText('Granted by bob@example.test', { exact: false }).first().waitFor();
      await page.locator('[data-testid="token-status"] [data-status="valid"]').waitFor();
      assert.equal(await page.getByText(ERROR_TEXT).count(), 0);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });
});
