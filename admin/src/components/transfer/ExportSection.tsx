import { Alert, Button, Checkbox, Dialog, Flex, Typography } from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { ConfirmDialog, useNotification } from '@strapi/strapi/admin';
import { useState } from 'react';

import { toApiFailure } from '../../api/errors';
import { useTransferApi } from '../../api/transfer';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useT } from '../../utils/useT';

/** Saves `text` as a file through the browser's download. */
const download = (text: string, fileName: string) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started from the click; the address is freed a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

/**
 * Export: downloads the configuration as YAML. Secrets only when asked for, after a warning
 * beside the checkbox and a confirmation dialog, and only for an admin with the permission
 * Export with secrets: without it the checkbox is not offered.
 */
export const ExportSection = () => {
  const t = useT();
  const api = useTransferApi();
  const { toggleNotification } = useNotification();
  const { canExportSecrets } = usePluginPermissions();
  const [asked, setIncludeSecrets] = useState(false);
  const includeSecrets = asked && canExportSecrets;
  const [confirming, setConfirming] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [failure, setFailure] = useState<string>();

  const runExport = async (secrets: boolean) => {
    setExporting(true);
    setFailure(undefined);
    try {
      const text = await api.exportYaml(secrets);
      const fileName = secrets ? 'mail-auth-with-secrets.yaml' : 'mail-auth.yaml';
      download(text, fileName);
      toggleNotification({ type: 'success', message: t('transfer.export.done', 'Downloaded {fileName}.', { fileName }) });
    } catch (e) {
      setFailure(toApiFailure(e).message);
    } finally {
      setExporting(false);
      setConfirming(false);
    }
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Typography variant="pi" textColor="neutral600">
        {t('transfer.export.hint', 'Downloads the configuration (OAuth2 tokens and mail accounts) as one YAML file in Znuny’s format.')}
      </Typography>
      {canExportSecrets && (
        <Checkbox checked={includeSecrets} onCheckedChange={(checked: boolean | 'indeterminate') => setIncludeSecrets(checked === true)}>
          {t('transfer.export.includeSecrets', 'Include secrets (client secrets, passwords and tokens)')}
        </Checkbox>
      )}
      {includeSecrets && (
        <Typography variant="pi" textColor="danger600" data-testid="transfer-secrets-warning">
          {t(
            'transfer.export.secretsWarning',
            'The file will hold secrets in clear text. Anyone with the file can read the mail of these accounts: keep it as safe as the accounts themselves.'
          )}
        </Typography>
      )}
      {includeSecrets ? (
        <Dialog.Root open={confirming} onOpenChange={setConfirming}>
          <Dialog.Trigger>
            <Button variant="danger-light" startIcon={<Download />} fullWidth>
              {t('transfer.export.buttonWithSecrets', 'Export with secrets…')}
            </Button>
          </Dialog.Trigger>
          <ConfirmDialog
            title={t('transfer.export.confirm.title', 'Export secrets in clear text?')}
            endAction={
              <Button fullWidth variant="danger" loading={exporting} onClick={() => void runExport(true)}>
                {t('transfer.export.confirm.button', 'Download with secrets')}
              </Button>
            }
          >
            {t(
              'transfer.export.confirm.body',
              'The file will hold every client secret, password, access token and refresh token in clear text. Store it encrypted, share it with no one, and delete it when it is no longer needed.'
            )}
          </ConfirmDialog>
        </Dialog.Root>
      ) : (
        <Button variant="secondary" startIcon={<Download />} loading={exporting} onClick={() => void runExport(false)} fullWidth>
          {t('transfer.export.button', 'Export')}
        </Button>
      )}
      {failure && (
        <Alert variant="danger" title={t('transfer.export.failed', 'Export failed')} closeLabel={t('common.close', 'Close')} onClose={() => setFailure(undefined)}>
          {failure}
        </Alert>
      )}
    </Flex>
  );
};
