import {
  Box,
  EmptyStateLayout,
  Flex,
  Link,
  LinkButton,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tooltip,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, Pagination, SearchInput, useFetchClient, useQueryParams } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';

import { listTokens, type Token } from '../../api/tokens';
import { ExportImportSidebar } from '../../components/ExportImportSidebar';
import { StatusBadge } from '../../components/tokens/StatusBadge';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { useTemplates } from '../../hooks/useTemplates';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../../components/DismissibleAlert';

const PAGE_SIZES = ['10', '25', '50', '100'];

/** "in 58 minutes" with the full date on hover, or a dash. */
const When = ({ date }: { date: string | null }) => {
  const time = useTimeFormat();
  if (!date) return <Typography textColor="neutral500">—</Typography>;
  return (
    <Tooltip label={time.full(date)}>
      <Typography textColor="neutral800">{time.relative(date)}</Typography>
    </Tooltip>
  );
};

const LastError = ({ token }: { token: Token }) => {
  if (!token.lastError) return <Typography textColor="neutral500">—</Typography>;
  return (
    <Tooltip label={[token.lastError.message, token.lastError.advice].filter(Boolean).join(' ')}>
      <Typography textColor="danger600" ellipsis style={{ maxWidth: '22rem', display: 'block' }}>
        {token.lastError.code}: {token.lastError.message}
      </Typography>
    </Tooltip>
  );
};

/** /plugins/mail-auth: every OAuth2 token with its state, searchable and paged. */
export const TokensListPage = () => {
  const t = useT();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const [{ query }] = useQueryParams<{ page?: string; pageSize?: string; _q?: string }>();
  const page = Number(query.page) || 1;
  const pageSize = Number(query.pageSize) || 10;
  const search = query._q ?? '';
  const templates = useTemplates();
  const templateName = (id: string) => templates.data?.results.find((x) => x.id === id)?.name ?? id;
  const tokens = useRemote(() => listTokens(client, { page, pageSize, search: search || undefined }), `${page}|${pageSize}|${search}`);

  const newTokenButton = permissions.canCreate ? (
    <LinkButton tag={RouterLink} to={`/plugins/${PLUGIN_ID}/tokens/new`} startIcon={<Plus />} size="S">
      {t('tokens.new', 'New token')}
    </LinkButton>
  ) : undefined;

  if (tokens.isLoading) return <Page.Loading />;

  const results = tokens.data?.results ?? [];
  const pagination = tokens.data?.pagination;
  const yes = t('common.yes', 'yes');
  const no = t('common.no', 'no');

  return (
    <Page.Main>
      <Page.Title>{t('tokens.title', 'OAuth2 tokens')}</Page.Title>
      <Layouts.Header
        title={t('tokens.title', 'OAuth2 tokens')}
        subtitle={t('tokens.subtitle', 'The sign-ins that mail accounts use. Kept alive by the refresh job.')}
        primaryAction={newTokenButton}
      />
      <Layouts.Action startActions={<SearchInput label={t('tokens.search', 'Search tokens by name, template or who granted them')} />} />
      <Layouts.Content>
        <Flex alignItems="flex-start" gap={6}>
        <Box flex="1" minWidth={0}>
        {tokens.failure && (
          <Box paddingBottom={4}>
            <DismissibleAlert variant="danger" title={t('tokens.loadFailed', 'The tokens could not be loaded')}>
              {tokens.failure.message}
            </DismissibleAlert>
          </Box>
        )}
        {results.length === 0 ? (
          <EmptyStateLayout
            icon={<EmptyDocuments width="16rem" />}
            content={
              search
                ? t('tokens.noMatch', 'No token matches “{search}”.', { search })
                : permissions.canCreate
                  ? t('tokens.empty', 'No OAuth2 token yet. Register an app at your mail provider (Google, Microsoft or any OAuth 2.0 server), then create a token from its template.')
                  : t('tokens.emptyReadOnly', 'No OAuth2 token yet. An administrator who may create tokens has to add one first.')
            }
            action={search ? undefined : newTokenButton}
          />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Table colCount={8} rowCount={results.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('tokens.col.name', 'Name')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.template', 'Template')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.status', 'Status')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.expires', 'Access token expires')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.refreshToken', 'Refresh token')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.grantedBy', 'Granted by')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.lastRefresh', 'Last refresh')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('tokens.col.lastError', 'Last error')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {results.map((token) => (
                  <Tr key={token.id} data-token={token.name}>
                    <Td>
                      <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/tokens/${token.id}`}>
                        {token.name}
                      </Link>
                    </Td>
                    <Td><Typography textColor="neutral800">{templateName(token.template)}</Typography></Td>
                    <Td><StatusBadge status={token.status} /></Td>
                    <Td><When date={token.accessTokenExpiresAt} /></Td>
                    <Td>
                      <Typography textColor="neutral800">
                        {token.grantType === 'client_credentials' ? t('tokens.notNeeded', 'not needed') : token.hasRefreshToken ? yes : no}
                      </Typography>
                    </Td>
                    <Td><Typography textColor="neutral800">{token.grantedBy ?? '—'}</Typography></Td>
                    <Td><When date={token.lastRefreshAt} /></Td>
                    <Td><LastError token={token} /></Td>
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
        </Box>
        {/* Export and import (issue 8): beside the list they change. */}
        <Box width="40rem" shrink={0}>
          <ExportImportSidebar onImported={() => void tokens.reload()} />
        </Box>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
