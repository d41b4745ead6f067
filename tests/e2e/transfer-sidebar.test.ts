import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import type { Download, Locator, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';

import { AdminClient } from '../helpers/admin';
import type { TestBrowser } from '../helpers/browser';
import { ERROR_TEXT, PLUGIN_PATH, screenshotPage, skipWithoutChromium as skip, startE2e, type E2eFixture } from '../helpers/e2e';

/**
 * The export/import sidebar (issue 8) in the built admin panel: export downloads a YAML file
 * (secrets only after the confirmation), import previews the dry run, applies it with and
 * without overwrite, refuses a bad document with line and column, opens from the account
 * pages, and shows each half only to admins holding its permission.
 */

const SECRET = 'sidebar-secret-0123456789';
const TOKEN_URL = 'https://idp.example/oauth2/token';

type Entry = { Kind?: string; Name: string; Config: Record<string, unknown>; MailAuth?: Record<string, unknown> };
type TokenView = { id: number; name: string; scope: string; clientId: string; hasClientSecret: boolean; [key: string]: unknown };

const sidebarOf = (page: Page) => page.getByTestId('transfer-sidebar');

/** Clicks `button` and returns the download it starts, with its text. */
const downloadBy = async (page: Page, button: Locator): Promise<{ download: Download; text: string }> => {
  const started = page.waitForEvent('download');
  await button.click();
  const download = await started;
  const path = await download.path();
  return { download, text: await readFile(path, 'utf8') };
};

/** The entries of one group of a shown report (created, updated, skipped, unchanged …). */
const groupEntries = (report: Locator, group: string) => report.locator(`[data-report-group="${group}"] [data-entry]`);
const entryNames = async (report: Locator, group: string) => groupEntries(report, group).evaluateAll((els) => els.map((e) => e.getAttribute('data-entry')));

describe('export and import sidebar (built admin, Chromium)', () => {
  let e2e: E2eFixture;
  /** The export without secrets, as downloaded: the base of the import documents. */
  let exported = '';

  const tokenNamed = async (name: string): Promise<TokenView | undefined> => {
    const list = await e2e.superAdmin.get(`/mail-auth/tokens?pageSize=100&search=${encodeURIComponent(name)}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const found = (list.body.results as TokenView[]).find((x) => x.name === name);
    return found && ((await e2e.superAdmin.get(`/mail-auth/tokens/${found.id}`)).body as TokenView);
  };

  const createToken = async (body: Record<string, unknown>) => {
    const res = await e2e.superAdmin.post('/mail-auth/tokens', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };

  before(async () => {
    if (skip) return;
    e2e = await startE2e({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
    await createToken({ name: 'Helpdesk app', template: 'generic-client-credentials', clientId: 'helpdesk-client', clientSecret: SECRET, tokenEndpoint: TOKEN_URL, scope: 'mail' });
    await createToken({ name: 'Untouched google', template: 'google', clientId: 'untouched.apps.googleusercontent.com', clientSecret: SECRET });
  });

  after(async () => {
    await e2e?.stop();
  });

  test('export: a YAML file of the tokens without secrets; with secrets only after the confirmation', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      const downloads: string[] = [];
      page.on('download', (d) => downloads.push(d.suggestedFilename()));
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      await page.locator('tr[data-token="Helpdesk app"]').waitFor();
      const sidebar = sidebarOf(page);
      await sidebar.getByRole('heading', { name: 'Export and import' }).waitFor();

      const plain = await downloadBy(page, sidebar.getByRole('button', { name: 'Export', exact: true }));
      assert.equal(plain.download.suggestedFilename(), 'mail-auth.yaml');
      const entries = parse(plain.text) as Entry[];
      assert.deepEqual(
        entries.map((e) => e.Name),
        ['Helpdesk app', 'Untouched google']
      );
      assert.ok(entries.every((e) => !('ClientSecret' in e.Config)), 'no ClientSecret key');
      assert.doesNotMatch(plain.text, /^\s*ClientSecret:/m);
      assert.ok(!plain.text.includes(SECRET), 'no secret in the file');
      exported = plain.text;

      // Secrets: a warning beside the checkbox, then a dialog; Cancel downloads nothing.
      await sidebar.getByRole('checkbox', { name: /Include secrets/ }).click();
      await sidebar.getByTestId('transfer-secrets-warning').getByText(/secrets in clear text/).waitFor();
      await sidebar.getByRole('button', { name: 'Export with secrets…' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText('Export secrets in clear text?').waitFor();
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'transfer-export-secrets')}`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual(downloads, ['mail-auth.yaml'], 'nothing downloaded without the confirmation');

      await sidebar.getByRole('button', { name: 'Export with secrets…' }).click();
      const withSecrets = await downloadBy(page, page.getByRole('alertdialog').getByRole('button', { name: 'Download with secrets' }));
      assert.equal(withSecrets.download.suggestedFilename(), 'mail-auth-with-secrets.yaml');
      const secretEntries = parse(withSecrets.text) as Entry[];
      assert.equal(secretEntries.find((e) => e.Name === 'Helpdesk app')?.Config.ClientSecret, SECRET);
      await page.getByRole('alertdialog').waitFor({ state: 'detached' });

      // Closed, the list has the whole width (the sidebar's 40rem and the gap more); the
      // header's button brings the sidebar back.
      const listWidth = () => page.locator('table').evaluate((el) => el.parentElement?.clientWidth ?? 0);
      const narrow = await listWidth();
      await sidebar.getByRole('button', { name: 'Close export and import' }).click();
      await sidebar.waitFor({ state: 'detached' });
      const wide = await listWidth();
      assert.ok(wide >= narrow + 400, `the list grows from ${narrow} to ${wide} px`);
      await page.getByRole('button', { name: 'Export and import', exact: true }).click();
      await sidebar.waitFor();
      assert.doesNotMatch(await page.locator('body').innerText(), ERROR_TEXT);
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('import: a chosen file previewed (1 created, 1 skipped, nothing written), applied; pasted with overwrite → updated', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      assert.ok(exported, 'the export test ran first');
      // The exported file, with the scope of one token changed, one new token, and without the
      // other token (which must stay as it is).
      const entries = (parse(exported) as Entry[]).filter((e) => e.Name === 'Helpdesk app');
      entries[0].Config.Scope = 'mail send';
      entries.push({ ...structuredClone(entries[0]), Name: 'Imported app', Config: { ...structuredClone(entries[0].Config), ClientID: 'imported-client' } });
      const document = stringify(entries);
      const untouchedBefore = await tokenNamed('Untouched google');
      assert.ok(untouchedBefore);

      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      const sidebar = sidebarOf(page);
      await sidebar.waitFor();

      // Choose a file: its text shows in the box, its name beside the button.
      await sidebar.locator('input[type="file"]').setInputFiles({ name: 'changes.yaml', mimeType: 'text/yaml', buffer: Buffer.from(document) });
      await sidebar.getByTestId('transfer-file-name').getByText('changes.yaml').waitFor();
      assert.equal(await sidebar.getByLabel('Or paste the YAML').inputValue(), document);

      await sidebar.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByTestId('transfer-preview');
      await preview.getByText('Preview: nothing is written yet').waitFor();
      assert.deepEqual(await entryNames(preview, 'created'), ['Imported app']);
      assert.deepEqual(await entryNames(preview, 'skipped'), ['Helpdesk app']);
      assert.equal(await groupEntries(preview, 'updated').count(), 0);
      const skipped = preview.locator('[data-report-group="skipped"]');
      assert.match(await skipped.innerText(), /Skipped: same name, different content \(1\)[\s\S]*OAuth2 token[\s\S]*Changed: Config\.Scope/i);
      assert.match(await preview.locator('[data-report-group="created"]').innerText(), /To be created \(1\)/i);
      assert.equal(await groupEntries(preview, 'created').getAttribute('data-kind'), 'OAuth2Token');
      assert.equal(await tokenNamed('Imported app'), undefined, 'the preview wrote nothing');
      assert.equal((await tokenNamed('Helpdesk app'))?.scope, 'mail');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'transfer-preview')}`);

      await preview.getByRole('button', { name: 'Apply' }).click();
      const result = page.getByTestId('transfer-result');
      await result.getByText('Imported', { exact: true }).waitFor();
      assert.deepEqual(await entryNames(result, 'created'), ['Imported app']);
      assert.deepEqual(await entryNames(result, 'skipped'), ['Helpdesk app']);
      assert.equal(await preview.count(), 0, 'the preview gives way to the result');
      const imported = await tokenNamed('Imported app');
      assert.equal(imported?.clientId, 'imported-client');
      assert.equal(imported?.scope, 'mail send');
      assert.equal((await tokenNamed('Helpdesk app'))?.scope, 'mail', 'skipped: not overwritten');
      // The list beside it shows the new token.
      await page.locator('tr[data-token="Imported app"]').waitFor();

      // Paste the same document, overwrite on: the same-name token would be updated.
      const text = sidebar.getByLabel('Or paste the YAML');
      await text.fill('');
      await text.fill(document);
      await sidebar.getByRole('checkbox', { name: 'Overwrite entries with the same name' }).click();
      await sidebar.getByRole('button', { name: 'Preview' }).click();
      await preview.waitFor();
      assert.deepEqual(await entryNames(preview, 'updated'), ['Helpdesk app']);
      assert.deepEqual(await entryNames(preview, 'unchanged'), ['Imported app']);
      assert.match(await preview.locator('[data-report-group="updated"]').innerText(), /To be updated \(1\)[\s\S]*Changed: Config\.Scope/i);
      assert.equal((await tokenNamed('Helpdesk app'))?.scope, 'mail', 'still nothing written');

      await preview.getByRole('button', { name: 'Apply' }).click();
      await result.waitFor();
      assert.deepEqual(await entryNames(result, 'updated'), ['Helpdesk app']);
      assert.match(await result.locator('[data-report-group="updated"]').innerText(), /Updated \(1\)[\s\S]*Changed: Config\.Scope/i);
      const helpdesk = await tokenNamed('Helpdesk app');
      assert.equal(helpdesk?.scope, 'mail send', 'overwritten');
      assert.equal(helpdesk?.hasClientSecret, true, 'a secret left out of the file is kept');
      assert.deepEqual(await tokenNamed('Untouched google'), untouchedBefore, 'a token not in the file is not touched');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'transfer-result')}`);
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('a bad document: the error with entry, path, line and column; nothing imported', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const good = { Name: 'Would be new', Config: { ClientID: 'x', Scope: 'mail', Requests: { TokenByClientCredentials: { Request: { URL: TOKEN_URL } } } }, MailAuth: { Template: 'generic-client-credentials' } };
      const bad = { ...structuredClone(good), Name: 'Broken scope', Config: { ...structuredClone(good.Config), Scope: { nested: 'map' } } };
      const document = stringify([good, bad]);
      const line = document.split('\n').findIndex((l) => l.trim() === 'nested: map') + 1;
      // What the server says, to compare with what the page shows.
      const answer = await e2e.superAdmin.post('/mail-auth/import', { yaml: document, dryRun: true });
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      const issue = (answer.body.error.details.errors as Array<{ path: string[]; line: number; column: number; message: string }>).find((i) => i.path.includes('Scope'));
      assert.ok(issue, JSON.stringify(answer.body));
      assert.equal(issue.line, line);

      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      const sidebar = sidebarOf(page);
      await sidebar.getByLabel('Or paste the YAML').fill(document);
      await sidebar.getByRole('button', { name: 'Preview' }).click();
      const refused = page.getByTestId('transfer-refused');
      await refused.getByText('Nothing was imported', { exact: true }).waitFor();
      const shown = refused.locator(`[data-issue-line="${line}"]`);
      assert.equal(await shown.count(), 1, await refused.innerText());
      assert.match(await shown.innerText(), new RegExp(`Broken scope[\\s\\S]*OAuth2 token[\\s\\S]*Line ${line}, column ${issue.column} · Config\\.Scope: `, 'i'));
      assert.equal(await page.getByTestId('transfer-preview').count(), 0);
      assert.equal(await sidebar.getByRole('button', { name: 'Apply' }).count(), 0, 'nothing to apply');
      assert.equal(await tokenNamed('Would be new'), undefined, 'all or nothing');
      t.diagnostic(`screenshot: ${await screenshotPage(page, 'transfer-refused')}`);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('the sidebar opens from the inbound and outbound account pages', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      const subNav = page.getByRole('navigation', { name: 'Mail Auth' });
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      for (const [link, heading] of [
        ['Inbound accounts', 'Inbound accounts'],
        ['Outbound accounts', 'Outbound accounts'],
      ]) {
        await subNav.getByRole('link', { name: link }).click();
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        const sidebar = sidebarOf(page);
        assert.equal(await sidebar.count(), 0, `${heading}: closed at first`);
        await page.getByRole('button', { name: 'Export and import', exact: true }).click();
        await sidebar.waitFor();
        const { text } = await downloadBy(page, sidebar.getByRole('button', { name: 'Export', exact: true }));
        assert.ok((parse(text) as Entry[]).some((e) => e.Name === 'Helpdesk app'), `${heading}: the export works from here`);
        await sidebar.getByRole('button', { name: 'Preview' }).waitFor();
        if (heading === 'Inbound accounts') t.diagnostic(`screenshot: ${await screenshotPage(page, 'transfer-inbound')}`);
        await sidebar.getByRole('button', { name: 'Close export and import' }).click();
        await sidebar.waitFor({ state: 'detached' });
      }
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('accounts: an inbound account and its token from one file, previewed with their kinds, applied from the inbound page', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    try {
      const document = stringify([
        { Kind: 'InboundAccount', Name: 'Imported inbox', Config: { Type: 'imaps', Host: '127.0.0.1', Login: 'support@example.test', Authentication: 'oauth2', OAuth2Token: 'Inbox app' } },
        { Name: 'Inbox app', Config: { ClientID: 'inbox-client', Scope: 'mail', Requests: { TokenByClientCredentials: { Request: { URL: TOKEN_URL } } } }, MailAuth: { Template: 'generic-client-credentials' } },
      ]);
      browser = await e2e.session(t, e2e.superAdminUser);
      const { page } = browser;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/inbound`);
      await page.getByRole('heading', { name: 'Inbound accounts', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Export and import', exact: true }).click();
      const sidebar = sidebarOf(page);
      await sidebar.getByLabel('Or paste the YAML').fill(document);
      await sidebar.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByTestId('transfer-preview');
      await preview.waitFor();
      assert.deepEqual(await entryNames(preview, 'created'), ['Inbox app', 'Imported inbox'], 'tokens first, then the accounts that use them');
      const kinds = await groupEntries(preview, 'created').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
      assert.deepEqual(kinds, ['OAuth2Token', 'InboundAccount']);
      assert.match(await preview.locator('[data-report-group="created"]').innerText(), /Inbox app[\s\S]*OAuth2 token[\s\S]*Imported inbox[\s\S]*Inbound account/i);
      const accounts = async () => ((await e2e.superAdmin.get('/mail-auth/inbound-accounts?pageSize=100')).body.results as Array<{ name: string; oauthToken: { name: string } | null }>);
      assert.equal((await accounts()).some((a) => a.name === 'Imported inbox'), false, 'the preview wrote nothing');

      await preview.getByRole('button', { name: 'Apply' }).click();
      await page.getByTestId('transfer-result').waitFor();
      // The list beside the sidebar shows the account, linked to the token of the same file.
      await page.locator('tr[data-account="Imported inbox"]').waitFor();
      assert.equal((await accounts()).find((a) => a.name === 'Imported inbox')?.oauthToken?.name, 'Inbox app');
      assert.deepEqual(browser.pageErrors, []);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    }
  });

  test('each half only with its permission: read only → no sidebar (and the API refuses); export only; import only', { skip }, async (t) => {
    let browser: TestBrowser | undefined;
    const browsers: TestBrowser[] = [];
    try {
      const roleWith = async (label: string, actions: string[]) => {
        const role = await e2e.superAdmin.createRole(`Mail Auth ${label} ${Date.now()}`, actions.map((a) => `plugin::mail-auth.${a}`));
        return e2e.superAdmin.inviteAdmin([role]);
      };
      const reader = await roleWith('reader', ['read']);
      const exporter = await roleWith('exporter', ['read', 'export']);
      const importer = await roleWith('importer', ['read', 'import']);

      // The server refuses what the panel does not offer.
      const readerApi = await AdminClient.login(e2e.app.url, reader);
      assert.equal((await readerApi.get('/mail-auth/export')).status, 403);
      assert.equal((await readerApi.post('/mail-auth/import', { yaml: exported, dryRun: true })).status, 403);

      browser = await e2e.session(t, reader);
      browsers.push(browser);
      let page = browser.page;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      await page.locator('tr[data-token="Helpdesk app"]').waitFor();
      assert.equal(await sidebarOf(page).count(), 0, 'no sidebar for a reader');
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}/inbound`);
      await page.getByRole('heading', { name: 'Inbound accounts', level: 1 }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Export and import', exact: true }).count(), 0, 'no button on the account pages');
      await browser.close();

      browser = await e2e.session(t, exporter);
      browsers.push(browser);
      page = browser.page;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      let sidebar = sidebarOf(page);
      await sidebar.getByRole('button', { name: 'Export', exact: true }).waitFor();
      assert.equal(await sidebar.getByRole('heading', { name: 'Import', exact: true }).count(), 0);
      assert.equal(await sidebar.getByRole('button', { name: 'Preview' }).count(), 0, 'no import for an exporter');
      assert.equal(await sidebar.getByRole('checkbox', { name: /Include secrets/ }).count(), 0, 'no secrets without export-secrets');
      await browser.close();

      browser = await e2e.session(t, importer);
      browsers.push(browser);
      page = browser.page;
      await page.goto(`${e2e.app.url}${PLUGIN_PATH}`);
      sidebar = sidebarOf(page);
      await sidebar.getByRole('button', { name: 'Preview' }).waitFor();
      assert.equal(await sidebar.getByRole('button', { name: 'Export', exact: true }).count(), 0, 'no export for an importer');
      assert.equal(await sidebar.getByRole('heading', { name: 'Export', exact: true }).count(), 0);
    } catch (err) {
      await e2e.explainFailure(t, browser, err);
    } finally {
      for (const b of browsers) await b.close();
    }
  });
});
