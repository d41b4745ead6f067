import type { Locator, Page } from 'playwright-core';

import { PLUGIN_PATH } from './e2e';

/** What it took: typed fields, clicks and consents; the stand-in ones apart (see `standIn`). */
export interface Effort {
  typed: number;
  clicks: number;
  consents: number;
  /** Typed only because the real IMAP/SMTP hosts of Google and Microsoft cannot be reached here. */
  standInTyped: number;
  standInClicks: number;
}

/** For a step done only to point the wizard at a local server instead of Google's or Microsoft's. */
export interface StepOptions {
  standIn?: boolean;
  /** The part of the page the field is in (both server sections have a Host, a Port …). */
  within?: Locator;
}

/**
 * Drives the Connect a mailbox page as an admin would, counting every field typed into, every
 * click and every consent given (a provider popup), for the e2e test and bench/setup-effort.
 */
export class ConnectWizard {
  readonly effort: Effort = { typed: 0, clicks: 0, consents: 0, standInTyped: 0, standInClicks: 0 };

  constructor(readonly page: Page) {}

  async fill(label: RegExp, value: string, options: StepOptions = {}): Promise<void> {
    await (options.within ?? this.page).getByLabel(label).fill(value);
    if (options.standIn) this.effort.standInTyped++;
    else this.effort.typed++;
  }

  async click(target: Locator, options: StepOptions = {}): Promise<void> {
    await target.click();
    if (options.standIn) this.effort.standInClicks++;
    else this.effort.clicks++;
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name });
  }

  /** A select: two clicks, the field and its option. */
  async choose(label: RegExp, option: string, options: StepOptions = {}): Promise<void> {
    await this.click((options.within ?? this.page).getByRole('combobox', { name: label }), options);
    await this.click(this.page.getByRole('option', { name: option, exact: true }), options);
  }

  /** From the tokens list (what the plugin's home shows when nothing exists yet) to the wizard. */
  async open(appUrl: string): Promise<void> {
    await this.page.goto(`${appUrl}${PLUGIN_PATH}`);
    await this.click(this.page.getByRole('link', { name: 'Connect a mailbox' }).first());
    await this.page.getByRole('heading', { name: 'Connect a mailbox', level: 1 }).waitFor();
  }

  async discover(address: string): Promise<void> {
    await this.fill(/^Address of the mailbox/, address);
    await this.click(this.button('Find the settings'));
    await this.page.getByTestId('connect-provider').waitFor();
  }

  /** A section of the page, by its title. */
  section(title: string): Locator {
    return this.page.getByRole('heading', { name: title, level: 2 }).locator('xpath=..');
  }

  /** Points both servers at the local Dovecot (plain IMAP) and SMTP server (no TLS): stand-in steps. */
  async pointAtLocalServers(imap: { host: string; port: number }, smtp: { host: string; port: number }): Promise<void> {
    const incoming = { standIn: true, within: this.section('Incoming mail') };
    await this.choose(/^Type/, 'IMAP, plain text', incoming);
    await this.fill(/^Host/, imap.host, incoming);
    await this.fill(/^Port/, String(imap.port), incoming);
    const outgoing = { standIn: true, within: this.section('Outgoing mail') };
    await this.fill(/^Host/, smtp.host, outgoing);
    await this.fill(/^Port/, String(smtp.port), outgoing);
    await this.choose(/^Security/, 'None: plain text (usually port 25)', outgoing);
  }

  /**
   * Only the host names, for the autoconfig run: the file names mail.example.test with the local
   * servers' ports, and no name but localhost reaches 127.0.0.1 on this machine (discovery takes
   * host names, not IP addresses, from an autoconfig file).
   */
  async replaceHosts(host: string): Promise<void> {
    await this.fill(/^Host/, host, { standIn: true, within: this.section('Incoming mail') });
    await this.fill(/^Host/, host, { standIn: true, within: this.section('Outgoing mail') });
  }

  /** Sign in and consent: the popup opens, the provider answers, the popup closes. */
  async consent(): Promise<void> {
    const popup = this.page.waitForEvent('popup');
    await this.click(this.button('Sign in and consent'));
    await (await popup).waitForEvent('close', { timeout: 30_000 });
    this.effort.consents++;
  }

  /** Test & confirm both; answers the two reports' texts once both are shown. */
  async testBoth(): Promise<{ inbound: Locator; outbound: Locator }> {
    await this.click(this.button('Test & confirm both'));
    const inbound = this.page.getByTestId('connect-test-inbound').getByTestId('test-report');
    const outbound = this.page.getByTestId('connect-test-outbound').getByTestId('test-report');
    await outbound.waitFor({ timeout: 60_000 });
    return { inbound, outbound };
  }
}
