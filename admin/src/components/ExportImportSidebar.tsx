import { Box, Button, Flex, IconButton, Typography } from '@strapi/design-system';
import { Cross, Download } from '@strapi/icons';
import { useState, type ReactNode } from 'react';

import type { ImportReport } from '../api/transfer';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { useT } from '../utils/useT';
import { ExportSection } from './transfer/ExportSection';
import { ImportSection } from './transfer/ImportSection';

/**
 * Export and import of the plugin's configuration as YAML (docs/transfer.md), beside the
 * tokens list (open at first) and the account lists (opened with their header button). Export downloads a file
 * (secrets only after a warning and a confirmation); import previews the dry-run report of the
 * chosen or pasted file before anything is written, then shows the result. Each half shows
 * only to admins holding its permission (export, import); without either there is no sidebar.
 */

interface Props {
  /** Called after an import wrote something, so that the page can reload its list. */
  onImported?: (report: ImportReport) => void;
  /** When given, the sidebar has a close button (opened from a page's button). */
  onClose?: () => void;
}

/** One half of the sidebar, under its heading. */
const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Flex direction="column" alignItems="stretch" gap={3} tag="section">
    <Typography variant="sigma" tag="h3" textColor="neutral600">
      {title}
    </Typography>
    {children}
  </Flex>
);

export const ExportImportSidebar = ({ onImported, onClose }: Props) => {
  const t = useT();
  const permissions = usePluginPermissions();
  if (!permissions.canExport && !permissions.canImport) return null;

  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6} tag="aside" aria-labelledby="mail-auth-transfer-title" data-testid="transfer-sidebar">
      <Flex direction="column" alignItems="stretch" gap={6}>
        <Flex justifyContent="space-between" alignItems="center" gap={2}>
          <Typography variant="delta" tag="h2" id="mail-auth-transfer-title">
            {t('transfer.title', 'Export and import')}
          </Typography>
          {onClose && (
            <IconButton label={t('transfer.close', 'Close export and import')} onClick={onClose} variant="ghost">
              <Cross />
            </IconButton>
          )}
        </Flex>
        {permissions.canExport && (
          <Section title={t('transfer.export.title', 'Export')}>
            <ExportSection />
          </Section>
        )}
        {permissions.canImport && (
          <Section title={t('transfer.import.title', 'Import')}>
            <ImportSection onImported={onImported} />
          </Section>
        )}
      </Flex>
    </Box>
  );
};

/**
 * A list page's content with the sidebar beside it while `open` (see useTransferToggle).
 * Without the export and import permissions the content has the whole width.
 */
export const WithTransferSidebar = ({ open = true, onClose, onImported, children }: Props & { open?: boolean; children: ReactNode }) => {
  const permissions = usePluginPermissions();
  const shown = open && (permissions.canExport || permissions.canImport);
  return (
    <Flex alignItems="flex-start" gap={6}>
      <Box flex="1" minWidth={0}>
        {children}
      </Box>
      {shown && (
        <Box width="40rem" shrink={0}>
          <ExportImportSidebar onImported={onImported} onClose={onClose} />
        </Box>
      )}
    </Flex>
  );
};

/**
 * For the list pages: the header button that opens and closes the sidebar (none without the
 * export and import permissions), and whether it is open. The tokens page opens it at first;
 * the account pages when asked (the sidebar takes room their wide tables need).
 */
export const useTransferToggle = (initiallyOpen = false) => {
  const t = useT();
  const permissions = usePluginPermissions();
  const [open, setOpen] = useState(initiallyOpen);
  const button =
    permissions.canExport || permissions.canImport ? (
      <Button variant="tertiary" startIcon={<Download />} size="S" onClick={() => setOpen((was) => !was)} aria-expanded={open}>
        {t('transfer.open', 'Export and import')}
      </Button>
    ) : null;
  return { open, close: () => setOpen(false), button };
};
