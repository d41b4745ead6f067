/**
 * bench/setup-effort: how much it takes to connect a mailbox with the Connect a mailbox wizard,
 * from an empty plugin to both accounts confirmed, counted in the built admin panel in Debian's
 * Chromium: fields typed into, clicks, and consents given at the provider. For a Microsoft 365
 * address, a Google Workspace address and a password IMAP/SMTP provider, against the goal of at
 * most 5 typed fields and 1 consent. Not a test: the figures are printed, not asserted.
 *
 *   npm run build && npx tsc -p playground/tsconfig.json && (cd playground && npx strapi build)
 *   node --import tsx bench/setup-effort.ts
 *
 * What stands in for what (all on 127.0.0.1): a local DNS server gives contoso.test Microsoft
 * 365's MX and fabrikam.test Google's; the Microsoft stand-in answers contoso.test's OpenID
 * configuration (tenant and endpoints) and signs in; the Google stand-in's endpoints reach
 * discovery through its googleOAuth option; an autoconfig server publishes example.test's
 * servers. The real IMAP and SMTP hosts of Google and Microsoft (outlook.office365.com,
 * imap.gmail.com …) cannot be reached here: for those two runs the wizard's proposed servers are
 * changed to the harness's Dovecot (plain IMAP) and SMTP server (no TLS), which check the
 * stand-ins' tokens. example.test's file names mail.example.test, which does not resolve here
 * (discovery takes no IP address from an autoconfig file): its two host names are changed to
 * 127.0.0.1. Those edits are counted apart ("stand-in") and are not part of the figure compared
 * with the goal: at a real provider the proposed servers are the right ones.
 */
import { dismissStrapiBanners, launchBrowser, loginToAdmin } from '../tests/helpers/browser';
import { GOOGLE_CLIENT, MAILBOXES, MS_CLIENT, PASSWORD, startConnectWorld } from '../tests/helpers/connect-world';
import { ConnectWizard, type Effort } from '../tests/helpers/connect-wizard';

const GOAL = { typed: 5, consents: 1 };

async function main() {
  const world = await startConnectWorld();
  const rows: { kind: string; effort: Effort; confirmed: boolean }[] = [];
  const browser = await launchBrowser();
  try {
    await loginToAdmin(browser.page, world.e2e.app.url, world.e2e.superAdminUser);
    await dismissStrapiBanners(browser.page);
    const local = () => wizard.pointAtLocalServers({ host: world.dovecot.host, port: world.dovecot.ports.imap }, world.smtp);
    let wizard = new ConnectWizard(browser.page);

    const oauthRun = async (kind: string, address: string, client: { clientId: string; clientSecret: string }) => {
      wizard = new ConnectWizard(browser.page);
      await wizard.open(world.e2e.app.url);
      await wizard.discover(address);
      await wizard.fill(/^Client ID/, client.clientId);
      await wizard.fill(/^Client secret/, client.clientSecret);
      await local();
      await wizard.click(wizard.button('Create the token and both accounts'));
      await wizard.consent();
      await browser.page.getByTestId('generate-feedback').getByText('Tokens stored').waitFor();
      rows.push({ kind, effort: wizard.effort, confirmed: await confirmed(wizard) });
    };
    const confirmed = async (w: ConnectWizard) => {
      const { inbound, outbound } = await w.testBoth();
      return (await inbound.getAttribute('data-ok')) === 'true' && (await outbound.getAttribute('data-ok')) === 'true';
    };

    await oauthRun('Microsoft 365 (contoso.test)', MAILBOXES.microsoft, MS_CLIENT);
    await oauthRun('Google Workspace (fabrikam.test)', MAILBOXES.google, GOOGLE_CLIENT);

    wizard = new ConnectWizard(browser.page);
    await wizard.open(world.e2e.app.url);
    await wizard.discover(MAILBOXES.password);
    await wizard.fill(/^Password of/, PASSWORD);
    await wizard.replaceHosts(world.dovecot.host);
    await wizard.click(wizard.button('Create both accounts'));
    rows.push({ kind: 'password IMAP/SMTP (example.test)', effort: wizard.effort, confirmed: await confirmed(wizard) });
  } finally {
    await browser.close();
    await world.stop();
  }

  console.log(`setup effort, ${new Date().toISOString().slice(0, 10)}: from an empty plugin to both accounts confirmed (goal: ≤ ${GOAL.typed} typed fields, ${GOAL.consents} consent)`);
  for (const { kind, effort, confirmed } of rows) {
    const met = effort.typed <= GOAL.typed && effort.consents <= GOAL.consents && confirmed;
    console.log(
      `${kind.padEnd(36)} typed ${effort.typed}, clicks ${effort.clicks}, consents ${effort.consents}` +
        ` | stand-in edits: typed ${effort.standInTyped}, clicks ${effort.standInClicks}` +
        ` | both confirmed: ${confirmed ? 'yes' : 'NO'} | goal ${met ? 'met' : 'NOT met'}`
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
