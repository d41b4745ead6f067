import { Box, Field, Flex, Link, SingleSelect, SingleSelectOption, Status, Td, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient, useQueryParams } from '@strapi/strapi/admin';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';

import { listActivity, type ActivityEntry } from '../../api/activity';
import { listTokens } from '../../api/tokens';
import { ListTable } from '../../components/list/ListTable';
import { LoadFailureAlert } from '../../components/list/LoadFailureAlert';
import { RelativeTime } from '../../components/list/RelativeTime';
import { withCode } from '../../components/tokens/TokenStatusCard';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';
import { ACTIVITY_KINDS, kindLabel, SUBJECT_TYPES, subjectTypeLabel } from './activityKinds';

const ALL = '__all__';

type Query = { page?: string; pageSize?: string; kind?: string; subjectType?: string; subjectId?: string };

const OUTCOME_VARIANT = { success: 'success', failure: 'danger', info: 'neutral' } as const;

/** /plugins/mail-auth/activity: who authorised, refreshed, tested, imported, and what failed. */
export const ActivityPage = () => {
  const t = useT();
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
            <LoadFailureAlert failure={activity.failure} title={t('activity.loadFailed', 'The activity could not be loaded')} />
          </Box>
        )}
        <ListTable
          headings={[
            t('activity.col.when', 'When'),
            t('activity.col.kind', 'What'),
            t('activity.col.subject', 'Concerning'),
            t('activity.col.outcome', 'Outcome'),
            t('activity.col.actor', 'Who'),
            t('activity.col.message', 'Details'),
          ]}
          rows={activity.data?.results ?? []}
          rowAttributes={(entry) => ({ 'data-kind': entry.kind })}
          cells={(entry) => (
            <>
              <Td><RelativeTime date={entry.createdAt} /></Td>
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
            </>
          )}
          emptyContent={
            filtered
              ? t('activity.noMatch', 'Nothing of this kind happened yet. Choose other filters.')
              : t('activity.empty', 'Nothing happened yet. Create an OAuth2 token first: what is done with it shows here.')
          }
          pagination={activity.data?.pagination}
          pageSize={pageSize}
        />
      </Layouts.Content>
    </Page.Main>
  );
};
