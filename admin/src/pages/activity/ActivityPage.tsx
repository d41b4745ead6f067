import {
  Box,
  EmptyStateLayout,
  Field,
  Flex,
  Link,
  SingleSelect,
  SingleSelectOption,
  Status,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tooltip,
  Tr,
  Typography,
} from '@strapi/design-system';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, Pagination, useFetchClient, useQueryParams } from '@strapi/strapi/admin';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';

import { listActivity, type ActivityEntry } from '../../api/activity';
import { listTokens } from '../../api/tokens';
import { withCode } from '../../components/tokens/TokenStatusCard';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { ACTIVITY_KINDS, kindLabel, SUBJECT_TYPES, subjectTypeLabel } from './activityKinds';

const ALL = '__all__';
const PAGE_SIZES = ['10', '25', '50', '100'];

type Query = { page?: string; pageSize?: string; kind?: string; subjectType?: string; subjectId?: string };

const OUTCOME_VARIANT = { success: 'success', failure: 'danger', info: 'neutral' } as const;

/** /plugins/mail-auth/activity: who authorised, refreshed, tested, imported, and what failed. */
export const ActivityPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const [{ query }] = useQueryParams<Query>();
  const [searchParams, setSearchParams] = useSearchParams();
  const page = Number(query.page) || 1;
  const pageSize = Number(query.pageSize) || 25;
  const filters = {
    kind: query.kind || undefined,
    subjectType: query.subjectType || undefined,
    subjectId: query.subjectId ? Number(query.subjectId) : undefined,
  };
  const activity = useRemote(
    () => listActivity(client, { page, pageSize, ...filters }),
    `${page}|${pageSize}|${filters.kind}|${filters.subjectType}|${filters.subjectId}`
  );
  // The tokens to filter by; one page of 100 covers real installations.
  const tokens = useRemote(() => listTokens(client, { page: 1, pageSize: 100 }), 'tokens');

  /** A filter change starts again at page 1; an empty value leaves the address. */
  const setFilter = (next: Partial<Query>) => {
    const params = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(next)) {
      if (value) params.set(key, value);
      else params.delete(key);
    }
    params.set('page', '1');
    setSearchParams(params);
  };

  const subjectOf = (entry: ActivityEntry) => {
    if (!entry.subjectName) return <Typography textColor="neutral500">—</Typography>;
    if (entry.subjectType === 'token' && entry.subjectId && tokens.data?.results.some((x) => x.id === entry.subjectId)) {
      return (
        <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/tokens/${entry.subjectId}`}>
          {entry.subjectName}
        </Link>
      );
    }
    return <Typography textColor="neutral800">{entry.subjectName}</Typography>;
  };

  if (activity.isLoading) return <Page.Loading />;
  const results = activity.data?.results ?? [];
  const pagination = activity.data?.pagination;
  const filtered = Boolean(filters.kind || filters.subjectType || filters.subjectId);

  return (
    <Page.Main>
      <Page.Title>{t('activity.title', 'Activity')}</Page.Title>
      <Layouts.Header
        title={t('activity.title', 'Activity')}
        subtitle={t('activity.subtitle', 'Who authorised, refreshed, tested or imported what, and what failed. Newest first.')}
      />
      <Layouts.Action
        startActions={
          <Flex gap={3} alignItems="flex-end" wrap="wrap">
            <Box minWidth="22rem">
              <Field.Root name="kind">
                <Field.Label>{t('activity.filter.kind', 'Kind')}</Field.Label>
                <SingleSelect size="S" value={filters.kind ?? ALL} onChange={(v: string | number) => setFilter({ kind: v === ALL ? '' : String(v) })}>
                  <SingleSelectOption value={ALL}>{t('activity.filter.allKinds', 'Every kind')}</SingleSelectOption>
                  {ACTIVITY_KINDS.map((kind) => (
                    <SingleSelectOption key={kind} value={kind}>
                      {kindLabel(t, kind)}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
            </Box>
            <Box minWidth="18rem">
              <Field.Root name="subjectType">
                <Field.Label>{t('activity.filter.subjectType', 'Concerning')}</Field.Label>
                <SingleSelect
                  size="S"
                  value={filters.subjectType ?? ALL}
                  onChange={(v: string | number) => setFilter({ subjectType: v === ALL ? '' : String(v), subjectId: '' })}
                >
                  <SingleSelectOption value={ALL}>{t('activity.filter.everything', 'Everything')}</SingleSelectOption>
                  {SUBJECT_TYPES.map((type) => (
                    <SingleSelectOption key={type} value={type}>
                      {subjectTypeLabel(t, type)}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
            </Box>
            {filters.subjectType === 'token' && (
              <Box minWidth="18rem">
                <Field.Root name="subjectId">
                  <Field.Label>{t('activity.filter.token', 'Token')}</Field.Label>
                  <SingleSelect
                    size="S"
                    value={filters.subjectId ? String(filters.subjectId) : ALL}
                    onChange={(v: string | number) => setFilter({ subjectId: v === ALL ? '' : String(v) })}
                  >
                    <SingleSelectOption value={ALL}>{t('activity.filter.allTokens', 'Every token')}</SingleSelectOption>
                    {(tokens.data?.results ?? []).map((x) => (
                      <SingleSelectOption key={x.id} value={String(x.id)}>
                        {x.name}
                      </SingleSelectOption>
                    ))}
                  </SingleSelect>
                </Field.Root>
              </Box>
            )}
          </Flex>
        }
      />
      <Layouts.Content>
        {activity.failure && (
          <Box paddingBottom={4}>
            <DismissibleAlert variant="danger" title={t('activity.loadFailed', 'The activity could not be loaded')}>
              {activity.failure.message}
            </DismissibleAlert>
          </Box>
        )}
        {results.length === 0 ? (
          <EmptyStateLayout
            icon={<EmptyDocuments width="16rem" />}
            content={
              filtered
                ? t('activity.noMatch', 'Nothing of this kind happened yet. Choose other filters.')
                : t('activity.empty', 'Nothing happened yet. Create an OAuth2 token first: what is done with it shows here.')
            }
          />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Table colCount={6} rowCount={results.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('activity.col.when', 'When')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('activity.col.kind', 'What')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('activity.col.subject', 'Concerning')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('activity.col.outcome', 'Outcome')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('activity.col.actor', 'Who')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('activity.col.message', 'Details')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {results.map((entry) => (
                  <Tr key={entry.id} data-kind={entry.kind}>
                    <Td>
                      <Tooltip label={time.full(entry.createdAt)}>
                        <Typography textColor="neutral800">{time.relative(entry.createdAt)}</Typography>
                      </Tooltip>
                    </Td>
                    <Td><Typography textColor="neutral800">{kindLabel(t, entry.kind)}</Typography></Td>
                    <Td>{subjectOf(entry)}</Td>
                    <Td>
                      <Status variant={OUTCOME_VARIANT[entry.outcome] ?? 'neutral'} size="S">
                        <Typography variant="omega" fontWeight="bold">
                          {entry.outcome === 'success'
                            ? t('outcome.success', 'success')
                            : entry.outcome === 'failure'
                              ? t('outcome.failure', 'failure')
                              : t('outcome.info', 'info')}
                        </Typography>
                      </Status>
                    </Td>
                    <Td><Typography textColor="neutral800">{entry.actor ?? '—'}</Typography></Td>
                    <Td>
                      <Box maxWidth="36rem">
                        <Typography textColor="neutral800" style={{ whiteSpace: 'normal', wordBreak: 'break-word' }}>
                          {entry.message ? withCode(entry.code ?? undefined, entry.message) : (entry.code ?? '—')}
                        </Typography>
                      </Box>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
            {pagination && (
              <Pagination.Root pageCount={pagination.pageCount} total={pagination.total} defaultPageSize={pageSize}>
                <Pagination.PageSize options={PAGE_SIZES} />
                <Pagination.Links />
              </Pagination.Root>
            )}
          </Flex>
        )}
      </Layouts.Content>
    </Page.Main>
  );
};
