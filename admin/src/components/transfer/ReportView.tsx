import { Badge, Box, Flex, Typography } from '@strapi/design-system';
import type { ReactNode } from 'react';

import type { ChangedEntry, EntryRef, ImportReport, TransferIssue } from '../../api/transfer';
import { useT, type Translate } from '../../utils/useT';

/**
 * An import's report as lists (docs/transfer.md, "Import"): what the import would do (a dry
 * run: the preview) or did (the result), group by group, each entry with its kind; and the
 * problems of a refused document with entry, path, line and column.
 */

/** 'OAuth2Token' → 'OAuth2 token'; a kind the panel does not know yet shows as it is written. */
export const kindLabel = (t: Translate, kind: string | undefined): string => {
  switch (kind) {
    case undefined:
    case 'OAuth2Token':
      return t('transfer.kind.OAuth2Token', 'OAuth2 token');
    case 'InboundAccount':
      return t('transfer.kind.InboundAccount', 'Inbound account');
    case 'OutboundAccount':
      return t('transfer.kind.OutboundAccount', 'Outbound account');
    default:
      return kind;
  }
};

type Group = 'created' | 'updated' | 'skipped' | 'unchanged' | 'needsConfiguration';

const groupTitle = (t: Translate, group: Group, dryRun: boolean, count: number): string => {
  const n = { count };
  switch (group) {
    case 'created':
      return dryRun ? t('transfer.report.toCreate', 'To be created ({count})', n) : t('transfer.report.created', 'Created ({count})', n);
    case 'updated':
      return dryRun ? t('transfer.report.toUpdate', 'To be updated ({count})', n) : t('transfer.report.updated', 'Updated ({count})', n);
    case 'skipped':
      return t('transfer.report.skipped', 'Skipped: same name, different content ({count})', n);
    case 'unchanged':
      return t('transfer.report.unchanged', 'Unchanged ({count})', n);
    case 'needsConfiguration':
      return t('transfer.report.needsConfiguration', 'Settings to complete before use ({count})', n);
  }
};

/** An entry's name and its kind. */
const EntryName = ({ entry }: { entry: EntryRef }) => {
  const t = useT();
  return (
    <Flex gap={2} wrap="wrap">
      <Typography fontWeight="semiBold" textColor="neutral800">
        {entry.name}
      </Typography>
      <Badge size="S">{kindLabel(t, entry.kind)}</Badge>
    </Flex>
  );
};

/** One entry: its name, its kind, and a line below (changed fields, problems). */
const EntryLine = ({ entry, detail }: { entry: EntryRef; detail?: string }) => (
  <Box tag="li" data-entry={entry.name} data-kind={entry.kind}>
    <EntryName entry={entry} />
    {detail && (
      <Typography variant="pi" textColor="neutral600" tag="p">
        {detail}
      </Typography>
    )}
  </Box>
);

const GroupList = ({ group, title, hint, children }: { group: Group | 'errors'; title: string; hint?: string; children: ReactNode }) => (
  <Flex direction="column" alignItems="stretch" gap={1} data-report-group={group}>
    <Typography variant="sigma" textColor="neutral700" tag="h4">
      {title}
    </Typography>
    {hint && (
      <Typography variant="pi" textColor="neutral600">
        {hint}
      </Typography>
    )}
    <Flex tag="ul" direction="column" alignItems="stretch" gap={2}>
      {children}
    </Flex>
  </Flex>
);

/** "Line 3, column 5 · Config.Scope: must be text", the entry (name and kind) above it. */
export const IssueLine = ({ issue }: { issue: TransferIssue }) => {
  const t = useT();
  const where = issue.line ? t('transfer.issue.where', 'Line {line}, column {column}', { line: issue.line, column: issue.column ?? 1 }) : '';
  // The path starts with 'yaml' and, inside an entry, the entry's index.
  const field = issue.path.slice(issue.entry ? 2 : 1).join('.');
  const text = [where, field].filter(Boolean).join(' · ');
  const entry = issue.entry
    ? { kind: issue.entry.kind ?? 'OAuth2Token', name: issue.entry.name ?? t('transfer.issue.entryNumber', 'Entry {number}', { number: issue.entry.index + 1 }) }
    : undefined;
  return (
    <Box tag="li" data-issue-line={issue.line ?? ''} data-issue-column={issue.column ?? ''}>
      {entry && <EntryName entry={entry} />}
      <Typography variant="pi" textColor="neutral800" tag="p">
        {text ? `${text}: ${issue.message}` : issue.message}
      </Typography>
    </Box>
  );
};

export const IssueList = ({ issues }: { issues: TransferIssue[] }) => (
  <Flex tag="ul" direction="column" alignItems="stretch" gap={2}>
    {issues.map((issue, i) => (
      <IssueLine key={i} issue={issue} />
    ))}
  </Flex>
);

const changesText = (t: Translate, entry: ChangedEntry) =>
  entry.changes.length ? t('transfer.report.changes', 'Changed: {fields}', { fields: entry.changes.join(', ') }) : undefined;

export const ReportView = ({ report }: { report: ImportReport }) => {
  const t = useT();
  const { dryRun } = report;
  const simple = (group: 'created' | 'unchanged') =>
    report[group].length > 0 && (
      <GroupList group={group} title={groupTitle(t, group, dryRun, report[group].length)}>
        {report[group].map((e) => (
          <EntryLine key={`${e.kind}:${e.name}`} entry={e} />
        ))}
      </GroupList>
    );
  const changed = (group: 'updated' | 'skipped', hint?: string) =>
    report[group].length > 0 && (
      <GroupList group={group} title={groupTitle(t, group, dryRun, report[group].length)} hint={hint}>
        {report[group].map((e) => (
          <EntryLine key={`${e.kind}:${e.name}`} entry={e} detail={changesText(t, e)} />
        ))}
      </GroupList>
    );
  const groups = [report.created, report.updated, report.skipped, report.unchanged, report.needsConfiguration, report.errors];
  const empty = groups.every((list) => list.length === 0);

  return (
    <Flex direction="column" alignItems="stretch" gap={4} data-testid="transfer-report">
      {simple('created')}
      {changed('updated')}
      {changed('skipped', t('transfer.report.skippedHint', 'Check “Overwrite entries with the same name” to update them.'))}
      {simple('unchanged')}
      {report.needsConfiguration.length > 0 && (
        <GroupList
          group="needsConfiguration"
          title={groupTitle(t, 'needsConfiguration', dryRun, report.needsConfiguration.length)}
          hint={t('transfer.report.needsConfigurationHint', 'Imported, but not used until these settings are completed in the form.')}
        >
          {report.needsConfiguration.map((e) => (
            <EntryLine key={`${e.kind}:${e.name}`} entry={e} detail={e.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')} />
          ))}
        </GroupList>
      )}
      {report.errors.length > 0 && (
        <GroupList group="errors" title={t('transfer.report.errors', 'Errors ({count})', { count: report.errors.length })}>
          {report.errors.map((issue, i) => (
            <IssueLine key={i} issue={issue} />
          ))}
        </GroupList>
      )}
      {empty && <Typography>{t('transfer.report.nothing', 'The file holds no entries.')}</Typography>}
    </Flex>
  );
};
