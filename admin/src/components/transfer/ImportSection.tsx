import { Alert, Box, Button, Checkbox, Field, Flex, Textarea, Typography } from '@strapi/design-system';
import { Check, Eye, Upload } from '@strapi/icons';
import { isFetchError } from '@strapi/strapi/admin';
import { useRef, useState, type ChangeEvent, type ReactNode } from 'react';

import { useTransferApi, type ImportReport, type TransferIssue } from '../../api/transfer';
import { useT } from '../../utils/useT';
import { IssueList, ReportView } from './ReportView';

type Refusal = { message: string; issues: TransferIssue[] };

/** What was previewed: Apply imports exactly this, nothing edited since. */
type Preview = { yaml: string; overwrite: boolean; report: ImportReport };

const refusalOf = (e: unknown): Refusal => {
  if (isFetchError(e) && e.response?.data?.error) {
    const error = e.response.data.error as { message: string; details?: { errors?: TransferIssue[] } };
    return { message: error.message, issues: error.details?.errors ?? [] };
  }
  return { message: e instanceof Error ? e.message : String(e), issues: [] };
};

/** A framed part of the import: the preview or the result, with a title. */
const Panel = ({ tone, title, testId, children }: { tone: 'neutral' | 'success'; title: string; testId: string; children: ReactNode }) => (
  <Box
    background={tone === 'success' ? 'success100' : 'neutral100'}
    borderColor={tone === 'success' ? 'success200' : 'neutral200'}
    borderStyle="solid"
    borderWidth="1px"
    hasRadius
    padding={4}
    data-testid={testId}
  >
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Typography variant="omega" fontWeight="bold" textColor="neutral800" tag="h3">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

/**
 * Import: a chosen or pasted YAML document, "overwrite entries with the same name", the dry
 * run's report as a preview, Apply, then the result. Nothing is written before Apply; Apply
 * sends exactly the previewed document with the previewed option.
 */
export const ImportSection = ({ onImported }: { onImported?: (report: ImportReport) => void }) => {
  const t = useT();
  const api = useTransferApi();
  const fileInput = useRef<HTMLInputElement>(null);
  const [yaml, setYaml] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  const [preview, setPreview] = useState<Preview>();
  const [result, setResult] = useState<ImportReport>();
  const [refusal, setRefusal] = useState<Refusal>();

  const reset = () => {
    setPreview(undefined);
    setResult(undefined);
    setRefusal(undefined);
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Choosing the same file again is a change too.
    event.target.value = '';
    if (!file) return;
    setYaml(await file.text());
    setFileName(file.name);
    reset();
  };

  const runPreview = async () => {
    setBusy('preview');
    reset();
    try {
      setPreview({ yaml, overwrite, report: await api.importYaml({ yaml, overwrite, dryRun: true }) });
    } catch (e) {
      setRefusal(refusalOf(e));
    } finally {
      setBusy(undefined);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setBusy('apply');
    try {
      const report = await api.importYaml({ yaml: preview.yaml, overwrite: preview.overwrite, dryRun: false });
      setPreview(undefined);
      setResult(report);
      if (report.created.length || report.updated.length) onImported?.(report);
    } catch (e) {
      setPreview(undefined);
      setRefusal(refusalOf(e));
    } finally {
      setBusy(undefined);
    }
  };

  const writes = preview ? preview.report.created.length + preview.report.updated.length : 0;

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      {/* A file input has no design-system counterpart: a button opens the browser's chooser. */}
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Typography variant="pi" fontWeight="bold" textColor="neutral800" id="mail-auth-import-file-label">
          {t('transfer.import.file.label', 'YAML file')}
        </Typography>
        <Flex gap={2} wrap="wrap">
          <Button variant="tertiary" startIcon={<Upload />} onClick={() => fileInput.current?.click()} aria-describedby="mail-auth-import-file-label">
            {t('transfer.import.file.choose', 'Choose a file…')}
          </Button>
          <Typography variant="pi" textColor="neutral600" data-testid="transfer-file-name">
            {fileName ?? t('transfer.import.file.none', 'No file chosen')}
          </Typography>
        </Flex>
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,text/yaml,application/yaml"
          onChange={(event) => void chooseFile(event)}
          hidden
          aria-labelledby="mail-auth-import-file-label"
        />
        <Typography variant="pi" textColor="neutral600">
          {t('transfer.import.file.hint', 'A file exported here, or one of Znuny’s OAuth2 token configurations.')}
        </Typography>
      </Flex>
      <Field.Root name="mail-auth-import-text" hint={t('transfer.import.text.hint', 'A chosen file shows here too, to read or change before the preview.')}>
        <Field.Label>{t('transfer.import.text.label', 'Or paste the YAML')}</Field.Label>
        <Textarea
          value={yaml}
          onChange={(event: ChangeEvent<HTMLTextAreaElement>) => {
            setYaml(event.target.value);
            setFileName(undefined);
            reset();
          }}
          rows={10}
          spellCheck={false}
          // YAML is read by its indentation: long lines scroll instead of wrapping.
          style={{ fontFamily: 'monospace', whiteSpace: 'pre', overflowWrap: 'normal', overflowX: 'auto' }}
        />
        <Field.Hint />
      </Field.Root>
      <Checkbox
        checked={overwrite}
        onCheckedChange={(checked: boolean | 'indeterminate') => {
          setOverwrite(checked === true);
          reset();
        }}
      >
        {t('transfer.import.overwrite', 'Overwrite entries with the same name')}
      </Checkbox>
      <Typography variant="pi" textColor="neutral600">
        {t('transfer.import.untouched', 'Entries that are not in the file are never changed.')}
      </Typography>
      <Button variant="secondary" startIcon={<Eye />} onClick={() => void runPreview()} loading={busy === 'preview'} disabled={!yaml.trim() || Boolean(busy)} fullWidth>
        {t('transfer.import.preview', 'Preview')}
      </Button>

      {preview && (
        <Panel tone="neutral" title={t('transfer.preview.title', 'Preview: nothing is written yet')} testId="transfer-preview">
          <ReportView report={preview.report} />
          {writes === 0 && (
            <Typography variant="pi" textColor="neutral600">
              {t('transfer.preview.nothingToApply', 'Nothing to import: no entry would be created or updated.')}
            </Typography>
          )}
          <Flex gap={2}>
            <Button startIcon={<Check />} onClick={() => void apply()} loading={busy === 'apply'} disabled={writes === 0 || Boolean(busy)}>
              {t('transfer.import.apply', 'Apply')}
            </Button>
            <Button variant="tertiary" onClick={() => setPreview(undefined)} disabled={Boolean(busy)}>
              {t('common.cancel', 'Cancel')}
            </Button>
          </Flex>
        </Panel>
      )}

      {result && (
        <Panel tone="success" title={t('transfer.result.title', 'Imported')} testId="transfer-result">
          <ReportView report={result} />
        </Panel>
      )}

      {refusal && (
        <Alert
          variant="danger"
          title={t('transfer.refused.title', 'Nothing was imported')}
          closeLabel={t('common.close', 'Close')}
          onClose={() => setRefusal(undefined)}
          data-testid="transfer-refused"
        >
          <Flex direction="column" alignItems="stretch" gap={2} paddingTop={1}>
            <Typography>{refusal.message}</Typography>
            <IssueList issues={refusal.issues} />
          </Flex>
        </Alert>
      )}
    </Flex>
  );
};
