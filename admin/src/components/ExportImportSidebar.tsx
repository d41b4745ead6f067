import { Alert, Box, Button, Checkbox, Field, Flex, Textarea, Typography } from '@strapi/design-system';
import { isFetchError, useRBAC } from '@strapi/strapi/admin';
import { useState, type ChangeEvent, type ReactNode } from 'react';
import { useIntl } from 'react-intl';

import { useTransferApi, type EntryRef, type ImportReport, type TransferIssue } from '../api/transfer';
import { PERMISSIONS } from '../permissions';
import { getTranslation } from '../utils/getTranslation';

/**
 * Export and import of the plugin's configuration as YAML (docs/transfer.md), for the side of
 * the tokens and account pages. Export downloads a file (secrets only after a warning);
 * import previews the dry-run report of the chosen or pasted file before anything is written.
 * Each half shows only to admins holding its permission.
 */

interface Props {
  /** Called after an import wrote something, so that the page can reload its list. */
  onImported?: (report: ImportReport) => void;
}

type Refusal = { message: string; issues: TransferIssue[] };

/** What was previewed: the import button applies exactly this, nothing edited since. */
type Preview = { yaml: string; overwrite: boolean; report: ImportReport };

const download = (text: string, fileName: string) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
};

/** One half of the sidebar, under its heading. */
const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Flex direction="column" alignItems="stretch" gap={3}>
    <Typography variant="sigma" tag="h3">
      {title}
    </Typography>
    {children}
  </Flex>
);

const ExportImportSidebar = ({ onImported }: Props) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);
  const api = useTransferApi();
  const { allowedActions } = useRBAC([...PERMISSIONS.export, ...PERMISSIONS.import]);

  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();

  const [yaml, setYaml] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview>();
  const [result, setResult] = useState<ImportReport>();
  const [refusal, setRefusal] = useState<Refusal>();

  const refusalOf = (e: unknown): Refusal => {
    if (isFetchError(e) && e.response?.data?.error) {
      const error = e.response.data.error as { message: string; details?: { errors?: TransferIssue[] } };
      return { message: error.message, issues: error.details?.errors ?? [] };
    }
    return { message: e instanceof Error ? e.message : String(e), issues: [] };
  };

  const runExport = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const text = await api.exportYaml(includeSecrets);
      download(text, includeSecrets ? 'mail-auth-with-secrets.yaml' : 'mail-auth.yaml');
    } catch (e) {
      setExportError(refusalOf(e).message);
    } finally {
      setExporting(false);
    }
  };

  const edited = () => {
    setPreview(undefined);
    setResult(undefined);
    setRefusal(undefined);
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setYaml(await file.text());
    edited();
  };

  const runPreview = async () => {
    setBusy(true);
    edited();
    try {
      setPreview({ yaml, overwrite, report: await api.importYaml({ yaml, overwrite, dryRun: true }) });
    } catch (e) {
      setRefusal(refusalOf(e));
    } finally {
      setBusy(false);
    }
  };

  const runImport = async () => {
    if (!preview) return;
    setBusy(true);
    try {
      const report = await api.importYaml({ yaml: preview.yaml, overwrite: preview.overwrite, dryRun: false });
      setPreview(undefined);
      setResult(report);
      if (report.created.length || report.updated.length) onImported?.(report);
    } catch (e) {
      setPreview(undefined);
      setRefusal(refusalOf(e));
    } finally {
      setBusy(false);
    }
  };

  const refList = (refs: EntryRef[]) => refs.map((r) => r.name).join(', ');
  const issueText = (issue: TransferIssue) => {
    const where = issue.line ? t('transfer.issue.where', 'Line {line}, column {column}', { line: issue.line, column: issue.column ?? 1 }) : '';
    const entry = issue.entry?.name ? t('transfer.issue.entry', 'entry "{name}"', { name: issue.entry.name }) : '';
    const field = issue.path.slice(issue.entry ? 2 : 1).join('.');
    return [where, entry, field].filter(Boolean).join(' · ') + (where || entry || field ? ': ' : '') + issue.message;
  };

  const reportList = (report: ImportReport) => (
    <Flex direction="column" alignItems="stretch" gap={1}>
      {reportLines(report).map((line) => (
        <Typography key={line.key}>{line.text}</Typography>
      ))}
    </Flex>
  );

  function reportLines(report: ImportReport) {
    const lines: Array<{ key: string; text: string }> = [];
    const verb = report.dryRun;
    if (report.created.length) {
      lines.push({
        key: 'created',
        text: verb
          ? t('transfer.preview.created', 'To be created: {names}', { names: refList(report.created) })
          : t('transfer.result.created', 'Created: {names}', { names: refList(report.created) }),
      });
    }
    if (report.updated.length) {
      const names = report.updated.map((u) => `${u.name} (${u.changes.join(', ')})`).join('; ');
      lines.push({
        key: 'updated',
        text: verb ? t('transfer.preview.updated', 'To be updated: {names}', { names }) : t('transfer.result.updated', 'Updated: {names}', { names }),
      });
    }
    if (report.skipped.length) {
      lines.push({
        key: 'skipped',
        text: t('transfer.report.skipped', 'Skipped, same name and different content (check "overwrite" to update them): {names}', {
          names: refList(report.skipped),
        }),
      });
    }
    if (report.unchanged.length) {
      lines.push({ key: 'unchanged', text: t('transfer.report.unchanged', 'Unchanged: {names}', { names: refList(report.unchanged) }) });
    }
    for (const entry of report.needsConfiguration) {
      lines.push({
        key: `needs-${entry.kind}-${entry.name}`,
        text: t('transfer.report.needsConfiguration', '"{name}" will need its settings completed before it can be used: {problems}', {
          name: entry.name,
          problems: entry.problems.map((p) => `${p.path.join('.')} ${p.message}`).join('; '),
        }),
      });
    }
    if (!lines.length) lines.push({ key: 'nothing', text: t('transfer.report.nothing', 'The file holds no entries.') });
    return lines;
  }

  if (!allowedActions.canExport && !allowedActions.canImport) return null;

  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6} tag="aside" aria-labelledby="mail-auth-transfer-title">
      <Flex direction="column" alignItems="stretch" gap={6}>
        <Typography variant="delta" tag="h2" id="mail-auth-transfer-title">
          {t('transfer.title', 'Export and import')}
        </Typography>

        {allowedActions.canExport && (
          <Section title={t('transfer.export.title', 'Export')}>
            <Typography variant="pi" textColor="neutral600">
              {t('transfer.export.hint', 'Downloads the OAuth2 tokens as a YAML file in Znuny\'s format.')}
            </Typography>
            <Checkbox checked={includeSecrets} onCheckedChange={(checked: boolean | 'indeterminate') => setIncludeSecrets(checked === true)}>
              {t('transfer.export.includeSecrets', 'Include secrets (client secrets and tokens)')}
            </Checkbox>
            {includeSecrets && (
              <Alert variant="danger" title={t('transfer.export.secretsWarning.title', 'Secrets in clear text')} closeLabel={t('transfer.close', 'Close')} onClose={() => setIncludeSecrets(false)}>
                {t(
                  'transfer.export.secretsWarning.body',
                  'The file will hold client secrets and tokens in clear text. Anyone with the file can read mail of these accounts: keep it as safe as the accounts themselves.'
                )}
              </Alert>
            )}
            <Button onClick={runExport} loading={exporting} variant={includeSecrets ? 'danger' : 'secondary'}>
              {includeSecrets ? t('transfer.export.buttonWithSecrets', 'Export with secrets') : t('transfer.export.button', 'Export')}
            </Button>
            {exportError && (
              <Alert variant="danger" title={t('transfer.export.failed', 'Export failed')} closeLabel={t('transfer.close', 'Close')} onClose={() => setExportError(undefined)}>
                {exportError}
              </Alert>
            )}
          </Section>
        )}

        {allowedActions.canImport && (
          <Section title={t('transfer.import.title', 'Import')}>
            <Field.Root name="mail-auth-import-file" hint={t('transfer.import.file.hint', 'A file exported here, or one of Znuny\'s OAuth2 token configurations.')}>
              <Field.Label>{t('transfer.import.file.label', 'YAML file')}</Field.Label>
              <input type="file" accept=".yaml,.yml,text/yaml,application/yaml" onChange={chooseFile} />
              <Field.Hint />
            </Field.Root>
            <Field.Root name="mail-auth-import-text">
              <Field.Label>{t('transfer.import.text.label', 'Or paste the YAML')}</Field.Label>
              <Textarea
                value={yaml}
                onChange={(event: ChangeEvent<HTMLTextAreaElement>) => {
                  setYaml(event.target.value);
                  edited();
                }}
                rows={10}
                spellCheck={false}
                // YAML is read by its indentation: long lines scroll instead of wrapping.
                style={{ fontFamily: 'monospace', whiteSpace: 'pre', overflowWrap: 'normal', overflowX: 'auto' }}
              />
            </Field.Root>
            <Checkbox
              checked={overwrite}
              onCheckedChange={(checked: boolean | 'indeterminate') => {
                setOverwrite(checked === true);
                edited();
              }}
            >
              {t('transfer.import.overwrite', 'Overwrite entries with the same name')}
            </Checkbox>
            <Button onClick={runPreview} loading={busy && !preview} disabled={!yaml.trim() || busy} variant="secondary">
              {t('transfer.import.preview', 'Preview')}
            </Button>

            {preview && (
              <Alert variant="default" title={t('transfer.preview.title', 'Nothing is written yet. The import would do this:')} closeLabel={t('transfer.close', 'Close')} onClose={() => setPreview(undefined)}>
                {reportList(preview.report)}
              </Alert>
            )}
            {preview && (
              <Button onClick={runImport} loading={busy} disabled={!preview.report.created.length && !preview.report.updated.length}>
                {t('transfer.import.apply', 'Import')}
              </Button>
            )}

            {result && (
              <Alert variant="success" title={t('transfer.result.title', 'Imported')} closeLabel={t('transfer.close', 'Close')} onClose={() => setResult(undefined)}>
                {reportList(result)}
              </Alert>
            )}
            {refusal && (
              <Alert variant="danger" title={t('transfer.refused.title', 'Nothing was imported')} closeLabel={t('transfer.close', 'Close')} onClose={() => setRefusal(undefined)}>
                <Flex direction="column" alignItems="stretch" gap={1}>
                  <Typography>{refusal.message}</Typography>
                  {refusal.issues.map((issue, i) => (
                    <Typography key={i} variant="pi">
                      {issueText(issue)}
                    </Typography>
                  ))}
                </Flex>
              </Alert>
            )}
          </Section>
        )}
      </Flex>
    </Box>
  );
};

export { ExportImportSidebar };
