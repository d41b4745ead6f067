import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';

import type { TestBrowser } from '../helpers/browser';
import { AUTOCONFIG_HOST, GOOGLE_CLIENT, MAILBOXES, MS_CLIENT, PASSWORD, TENANT, startConnectWorld, type ConnectWorld } from '../helpers/connect-world';
import { ConnectWizard } from '../helpers/connect-wizard';
import { screenshotPage, skipWithoutChromium } from '../helpers/e2e';
import { fetchNow } from '../helpers/inbound';
import { DOVECOT } from '../servers/dovecot';
import { requireBinary } from '../servers/require-binary';

const skip = skipWithoutChromium || (requireBinary(DOVECOT, 'Dovecot') ? false : 'Dovecot is not installed');

/**
 * The Connect a mailbox wizard in Chromium, for each provider kind: Microsoft 365 and Google
 * Workspace (found by MX, the stand-ins' sign-in, one consent) and a password IMAP/SMTP provider
 * (found by autoconfig); a refused consent and a name already taken on the way. Afterwards
 * both accounts are confirmed, a message is fetched and one was sent.
 */
describe('Connect a mailbox (built admin, Chromium, DNS, autoconfig, Microsoft and Google stand-ins, Dovecot, SMTP)', () => {
  let world: ConnectWorld;

  before(async () => {
    if (skip) return;
    world = await startConnectWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const totals = async () => {
    const total = async (path: string) => (await world.e2e.superAdmin.get(path)).body.pagination.total as number;
    return [await total('/mail-auth/tokens'), await total('/mail-auth/inbound-accounts'), await total('/mail-auth/outbound-accounts')];
  };

  /** Both reports passed, both accounts confirmed, a delivered message fetched, the test message sent with `method`. */
  const assertWorking = async (wizard: ConnectWizard, address: string, method: string) => {
    const { inbound, outbound } = await wizard.testBoth();
    assert.equal(await inbound.getAttribute('data-ok'), 'true', await inbound.innerText());
    assert.equal(await outbound.getAttribute('data-ok'), 'true', await outbound.innerText());
    assert.ok(await inbound.locator('[data-step-ok="true"]').filter({ hasText: 'authenticate' }).count(), 'the authenticate step shown');
    const { superAdmin } = world.e2e;
    const account = async (kind: string, name: string) => {
      const list = (await superAdmin.get(`/mail-auth/${kind}?search=${encodeURIComponent(address)}`)).body.results as { id: number; name: string; confirmed: boolean }[];
      const found = list.find((a) => a.name === name);
      assert.ok(found, `${name} in ${JSON.stringify(list.map((a) => a.name))}`);
      return found;
    };
    const inAccount = await account('inbound-accounts', `${address} (inbound)`);
    const outAccount = await account('outbound-accounts', `${address} (outbound)`);
    assert.equal(inAccount.confirmed, true);
    assert.equal(outAccount.confirmed, true);
    await world.dovecot.deliver(address, `From: customer@example.org\r\nTo: ${address}\r\nSubject: Hello ${address}\r\nMessage-ID: <${Date.now()}@example.org>\r\n\r\nPlease help.\r\n`);
    assert.equal((await fetchNow(superAdmin, inAccount.id)).fetched, 1);
    const sent = world.smtp.received.filter((m) => m.envelope.from === address);
    assert.equal(sent.length, 1, 'the test message reached the SMTP server');
    assert.deepEqual([sent[0].authMethod, sent[0].user, sent[0].envelope.to], [method, address, [address]]);
  };

  const run = async (t: TestContext, body: (wizard: ConnectWizard, browser: TestBrowser) => Promise<void>) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await world.e2e.session(t, world.e2e.superAdminUser);
      const wizard = new ConnectWizard(browser.page);
      await body(wizard, browser);
      assert.deepEqual(browser.pageErrors, []);
      // Strapi's admin asks GitHub for its latest release; nothing of the plugin's leaves the loopback.
      assert.deepEqual(browser.blockedRequests.filter((url) => !url.startsWith('https://api.github.com/repos/strapi/')), []);
      t.diagnostic(`effort: ${JSON.stringify(wizard.effort)}`);
    } catch (err) {
      await world.e2e.explainFailure(t, browser, err);
    }
  };

  test('Microsoft 365: found by MX with its tenant; the password warning offers OAuth 2.0; a refused consent, then one consent; both confirmed', { skip }, async (t) => {
    await run(t, async (wizard) => {
      const { page } = wizard;
      await wizard.open(world.e2e.app.url);
      await wizard.discover(MAILBOXES.microsoft);
      assert.equal(await page.getByTestId('connect-provider').getAttribute('data-provider'), 'microsoft');
      const found = await page.getByTestId('connect-found').innerText();
      assert.match(found, /Provider: found in the domain’s MX records \(contoso-test\.mail\.protection\.outlook\.com\)/);
      assert.match(found, /Tenant: found in Microsoft’s OpenID configuration/);
      assert.equal(await page.getByLabel(/^Tenant/).inputValue(), TENANT, 'the tenant is filled in from discovery');
      assert.match(await page.getByLabel(/^Redirect URI/).inputValue(), /\/mail-auth\/oauth\/callback$/);

      // Password sign-in at Microsoft 365: warned, and OAuth 2.0 offered instead.
      await wizard.choose(/^The plugin signs in with/, 'The mailbox’s password');
      const warning = page.locator('[data-warning="MICROSOFT_BASIC_AUTH"]');
      await warning.waitFor();
      await wizard.click(warning.getByRole('button', { name: 'Use the OAuth 2.0 preset instead' }));
      await page.getByLabel(/^Client ID/).waitFor();

      await wizard.fill(/^Client ID/, MS_CLIENT.clientId);
      await wizard.fill(/^Client secret/, MS_CLIENT.clientSecret);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'connect-found')}`);
      assert.equal(await wizard.section('Incoming mail').getByLabel(/^Host/).inputValue(), 'outlook.office365.com');
      await wizard.pointAtLocalServers({ host: world.dovecot.host, port: world.dovecot.ports.imap }, world.smtp);
      await wizard.click(wizard.button('Create the token and both accounts'));
      await page.getByTestId('connect-created').waitFor();

      // Refused at the provider: the entries stay, unconfirmed, and the button asks again.
      world.ms.denyNextConsent();
      await wizard.consent();
      const feedback = page.getByTestId('generate-feedback');
      await feedback.getByText('The provider did not grant the tokens').waitFor();
      assert.match(await feedback.innerText(), /access_denied/);
      assert.equal(await page.getByRole('button', { name: 'Test & confirm both' }).count(), 0);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'connect-consent-refused')}`);

      await wizard.consent();
      await feedback.getByText('Tokens stored').waitFor();
      await assertWorking(wizard, MAILBOXES.microsoft, 'XOAUTH2');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'connect-confirmed')}`);
    });
  });

  test('Google Workspace: found by MX; a name already taken is refused and nothing is made; renamed, one consent; both confirmed', { skip }, async (t) => {
    const taken = await world.e2e.superAdmin.post('/mail-auth/tokens', { name: MAILBOXES.google, template: 'google', clientId: 'other-app', clientSecret: 'x' });
    assert.equal(taken.status, 201, JSON.stringify(taken.body));
    await run(t, async (wizard) => {
      const { page } = wizard;
      await wizard.open(world.e2e.app.url);
      await wizard.discover(MAILBOXES.google);
      assert.equal(await page.getByTestId('connect-provider').getAttribute('data-provider'), 'google');
      assert.match(await page.getByTestId('connect-found').innerText(), /Provider: found in the domain’s MX records \(aspmx\.l\.google\.com\)/);
      await wizard.fill(/^Client ID/, GOOGLE_CLIENT.clientId);
      await wizard.fill(/^Client secret/, GOOGLE_CLIENT.clientSecret);
      await wizard.pointAtLocalServers({ host: world.dovecot.host, port: world.dovecot.ports.imap }, world.smtp);

      const before = await totals();
      await wizard.click(wizard.button('Create the token and both accounts'));
      const failure = page.getByTestId('connect-failure');
      await failure.getByText('A name is already taken: nothing was created').waitFor();
      assert.match(await failure.innerText(), /is already the name of an OAuth2 token/);
      assert.match(await wizard.section('Names of the entries').innerText(), /already the name of an OAuth2 token/);
      assert.deepEqual(await totals(), before, 'nothing created, nothing overwritten');
      assert.equal((await world.e2e.superAdmin.get(`/mail-auth/tokens/${taken.body.id}`)).body.clientId, 'other-app');

      await wizard.fill(/^OAuth2 token/, 'Fabrikam support', { within: wizard.section('Names of the entries') });
      await wizard.click(wizard.button('Create the token and both accounts'));
      await page.getByTestId('connect-created').getByText('OAuth2 token “Fabrikam support”').waitFor();
      await wizard.consent();
      await page.getByTestId('generate-feedback').getByText('Tokens stored').waitFor();
      await assertWorking(wizard, MAILBOXES.google, 'XOAUTH2');
    });
  });

  test('Microsoft 365 without a public callback: the consent by a code entered on another device; both confirmed', { skip }, async (t) => {
    await run(t, async (wizard) => {
      const { page } = wizard;
      await wizard.open(world.e2e.app.url);
      await wizard.discover(MAILBOXES.microsoft);
      await wizard.fill(/^Client ID/, MS_CLIENT.clientId);
      await wizard.fill(/^Client secret/, MS_CLIENT.clientSecret);
      await wizard.pointAtLocalServers({ host: world.dovecot.host, port: world.dovecot.ports.imap }, world.smtp);
      // The first test made the entries of this address: these get names of their own.
      const names = wizard.section('Names of the entries');
      await wizard.fill(/^OAuth2 token/, 'Contoso by code', { within: names });
      await wizard.fill(/^Inbound account/, 'Contoso in, by code', { within: names });
      await wizard.fill(/^Outbound account/, 'Contoso out, by code', { within: names });
      await wizard.click(wizard.button('Create the token and both accounts'));
      await page.getByTestId('connect-created').getByText('OAuth2 token “Contoso by code”').waitFor();

      // No popup: the code is shown, the person enters it at the provider (here, the stand-in's devicelogin).
      await wizard.click(wizard.button('Sign in with a code'));
      const code = (await page.getByTestId('device-user-code').innerText()).trim();
      assert.match(await page.getByTestId('device-verification-uri').innerText(), /\/devicelogin$/);
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'connect-device-code')}`);
      world.ms.enterDeviceCode(code, 'allow', MAILBOXES.microsoft);

      const { inbound, outbound } = await wizard.testBoth();
      assert.equal(await inbound.getAttribute('data-ok'), 'true', await inbound.innerText());
      assert.equal(await outbound.getAttribute('data-ok'), 'true', await outbound.innerText());
      const token = (await world.e2e.superAdmin.get('/mail-auth/tokens?search=Contoso%20by%20code')).body.results[0];
      assert.deepEqual([token.status, token.grantedBy], ['valid', MAILBOXES.microsoft]);
      assert.equal(wizard.effort.consents, 0, 'no popup was opened');
    });
  });

  test('a password IMAP/SMTP provider: hosts from autoconfig, the password, both confirmed', { skip }, async (t) => {
    await run(t, async (wizard) => {
      const { page } = wizard;
      await wizard.open(world.e2e.app.url);
      await wizard.discover(MAILBOXES.password);
      assert.equal(await page.getByTestId('connect-provider').getAttribute('data-provider'), 'other');
      assert.match(await page.getByTestId('connect-found').innerText(), /Incoming mail: found in the domain’s autoconfig file/);
      const incoming = wizard.section('Incoming mail');
      assert.equal(await incoming.getByLabel(/^Host/).inputValue(), AUTOCONFIG_HOST);
      assert.equal(await incoming.getByLabel(/^Port/).inputValue(), String(world.dovecot.ports.imap));
      assert.equal(await wizard.section('Outgoing mail').getByLabel(/^Port/).inputValue(), String(world.smtp.port));
      await wizard.fill(/^Password of/, PASSWORD);
      await wizard.replaceHosts(world.dovecot.host);
      await wizard.click(wizard.button('Create both accounts'));
      await page.getByTestId('connect-created').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign in and consent' }).count(), 0);
      await assertWorking(wizard, MAILBOXES.password, 'PLAIN');
      assert.deepEqual(wizard.effort, { typed: 2, clicks: 4, consents: 0, standInTyped: 2, standInClicks: 0 });
    });
  });
});
