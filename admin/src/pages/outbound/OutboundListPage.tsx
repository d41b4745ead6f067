import { EmptyStateLayout, Flex, Link, LinkButton, Table, Tbody, Td, Th, Thead, Tooltip, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, Pagination, SearchInput, useFetchClient, useQueryParams } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';

import { listOutboundAccounts, type OutboundAccount } from '../../api/outbound';
import { AccountStatusBadge } from '../../components/accounts/AccountStatusBadge';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { withCode } from '../../components/tokens/TokenStatusCard';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

const PAGE_SIZES = ['10', '25', '50', '100'];

/** /plugins/mail-auth/outbound: the accounts mail is sent through, with their state. */
export const OutboundListPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const [{ query }] = useQueryParams<{ page?: string; pageSize?: string; _q?: string }>();
  const page = Number(query.page) || 1;
  const pageSize = Number(query.pageSize) || 10;
  const search = query._q ?? '';
  const accounts = useRemote(() => listOutboundAccounts(client, { page, pageSize, search: search || undefined }), `${page}|${pageSize}|${search}`);
  const typeLabel = (type: string) =>
    type === 'smtp' ? t('outbound.type.smtp', 'SMTP') : type === 'microsoft-graph' ? t('outbound.type.microsoft-graph', 'Microsoft Graph sendMail') : type === 'gmail-api' ? t('outbound.type.gmail-api', 'Gmail API') : type;

  const newButton = permissions.canCreate ? (
    <LinkButton tag={RouterLink} to={`/plugins/${PLUGIN_ID}/outbound/new`} startIcon={<Plus />} size="S">
      {t('outbound.new', 'New outbound account')}
    </LinkButton>
  ) : undefined;

  if (accounts.isLoading) return <Page.Loading />;
  const results = accounts.data?.results ?? [];
  const pagination = accounts.data?.pagination;

  const where = (a: OutboundAccount) => (a.type === 'smtp' ? `${a.host}:${a.port} (${a.security})` : '—');
  const auth = (a: OutboundAccount) =>
    a.type === 'smtp' && !a.useAuthentication
      ? t('account.auth.none', 'none')
      : a.authentication === 'oauth2' || a.type !== 'smtp'
      ? t('account.auth.token', 'OAuth2: {name}', { name: a.oauthToken?.name ?? '—' })
      : t('account.auth.password', 'password');

  return (
    <Page.Main>
      <Page.Title>{t('outbound.title', 'Outbound accounts')}</Page.Title>
      <Layouts.Header
        title={t('outbound.title', 'Outbound accounts')}
        subtitle={t('outbound.subtitle', 'Servers and mailboxes the helpdesk sends mail through, also as Strapi’s email provider.')}
        primaryAction={newButton}
      />
      <Layouts.Action startActions={<SearchInput label={t('outbound.search', 'Search by name, sender or server')} />} />
      <Layouts.Content>
        {accounts.failure && (
          <DismissibleAlert variant="danger" title={t('outbound.loadFailed', 'The outbound accounts could not be loaded')}>
            {accounts.failure.message}
          </DismissibleAlert>
        )}
        {results.length === 0 ? (
          <EmptyStateLayout
            icon={<EmptyDocuments width="16rem" />}
            content={
              search
                ? t('accounts.noMatch', 'No account matches “{search}”.', { search })
                : t('outbound.empty', 'No outbound account yet. For a server that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and send a test message.')
            }
            action={search ? undefined : newButton}
          />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Table colCount={8} rowCount={results.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('accounts.col.name', 'Name')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.type', 'Type')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('outbound.col.server', 'Server')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('outbound.col.from', 'From')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.auth', 'Sign-in')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.status', 'Status')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('outbound.col.lastSent', 'Last sent')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.lastError', 'Last error')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {results.map((a) => (
                  <Tr key={a.id} data-account={a.name}>
                    <Td>
                      <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/outbound/${a.id}`}>
                        {a.name}
                      </Link>
                    </Td>
                    <Td><Typography textColor="neutral800">{typeLabel(a.type)}</Typography></Td>
                    <Td><Typography textColor="neutral800">{where(a)}</Typography></Td>
                    <Td><Typography textColor="neutral800">{a.fromAddress}</Typography></Td>
                    <Td><Typography textColor="neutral800">{auth(a)}</Typography></Td>
                    <Td><AccountStatusBadge active={a.active} confirmed={a.confirmed} failing={Boolean(a.lastError)} /></Td>
                    <Td>
                      {a.lastSentAt ? (
                        <Tooltip label={time.full(a.lastSentAt)}>
                          <Typography textColor="neutral800">{time.relative(a.lastSentAt)}</Typography>
                        </Tooltip>
                      ) : (
                        <Typography textColor="neutral500">—</Typography>
                      )}
                    </Td>
                    <Td>
                      {a.lastError ? (
                        <Tooltip label={[a.lastError.message, a.lastError.advice].filter(Boolean).join(' ')}>
                          <Typography textColor="danger600" ellipsis style={{ maxWidth: '20rem', display: 'block' }}>
                            {withCode(a.lastError.code, a.lastError.message)}
                          </Typography>
                        </Tooltip>
                      ) : (
                        <Typography textColor="neutral500">—</Typography>
                      )}
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
