import { EmptyStateLayout, Flex, Link, LinkButton, Table, Tbody, Td, Th, Thead, Tooltip, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, Pagination, SearchInput, useFetchClient, useQueryParams } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';

import { getInboundPresets, listInboundAccounts, type InboundAccount } from '../../api/inbound';
import { AccountStatusBadge } from '../../components/accounts/AccountStatusBadge';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { withCode } from '../../components/tokens/TokenStatusCard';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

const PAGE_SIZES = ['10', '25', '50', '100'];

/** /plugins/mail-auth/inbound: the mailboxes mail is fetched from, with their state. */
export const InboundListPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const [{ query }] = useQueryParams<{ page?: string; pageSize?: string; _q?: string }>();
  const page = Number(query.page) || 1;
  const pageSize = Number(query.pageSize) || 10;
  const search = query._q ?? '';
  const accounts = useRemote(() => listInboundAccounts(client, { page, pageSize, search: search || undefined }), `${page}|${pageSize}|${search}`);
  const presets = useRemote(() => getInboundPresets(client), 'inbound-presets');
  const typeLabel = (type: string) => presets.data?.types.find((x) => x.type === type)?.label ?? type;

  const newButton = permissions.canCreate ? (
    <LinkButton tag={RouterLink} to={`/plugins/${PLUGIN_ID}/inbound/new`} startIcon={<Plus />} size="S">
      {t('inbound.new', 'New inbound account')}
    </LinkButton>
  ) : undefined;

  if (accounts.isLoading) return <Page.Loading />;
  const results = accounts.data?.results ?? [];
  const pagination = accounts.data?.pagination;

  const where = (a: InboundAccount) =>
    a.protocol === 'imap' || a.protocol === 'pop3' ? `${a.login ?? a.mailbox ?? '?'} @ ${a.host}:${a.port}` : (a.mailbox ?? a.login ?? a.oauthToken?.name ?? '—');
  const auth = (a: InboundAccount) =>
    a.authentication === 'oauth2'
      ? t('account.auth.token', 'OAuth2: {name}', { name: a.oauthToken?.name ?? '—' })
      : t('account.auth.password', 'password');

  return (
    <Page.Main>
      <Page.Title>{t('inbound.title', 'Inbound accounts')}</Page.Title>
      <Layouts.Header
        title={t('inbound.title', 'Inbound accounts')}
        subtitle={t('inbound.subtitle', 'Mailboxes the plugin fetches mail from and hands to the helpdesk.')}
        primaryAction={newButton}
      />
      <Layouts.Action startActions={<SearchInput label={t('inbound.search', 'Search by name, login, mailbox or server')} />} />
      <Layouts.Content>
        {accounts.failure && (
          <DismissibleAlert variant="danger" title={t('inbound.loadFailed', 'The inbound accounts could not be loaded')}>
            {accounts.failure.message}
          </DismissibleAlert>
        )}
        {results.length === 0 ? (
          <EmptyStateLayout
            icon={<EmptyDocuments width="16rem" />}
            content={
              search
                ? t('accounts.noMatch', 'No account matches “{search}”.', { search })
                : t('inbound.empty', 'No inbound account yet. For a mailbox that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and click Test & confirm.')
            }
            action={search ? undefined : newButton}
          />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Table colCount={7} rowCount={results.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('accounts.col.name', 'Name')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.type', 'Type')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('inbound.col.mailbox', 'Mailbox')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.auth', 'Sign-in')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.status', 'Status')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('inbound.col.lastPoll', 'Last fetch')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('accounts.col.lastError', 'Last error')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {results.map((a) => (
                  <Tr key={a.id} data-account={a.name}>
                    <Td>
                      <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/inbound/${a.id}`}>
                        {a.name}
                      </Link>
                    </Td>
                    <Td><Typography textColor="neutral800">{typeLabel(a.type)}</Typography></Td>
                    <Td><Typography textColor="neutral800">{where(a)}</Typography></Td>
                    <Td><Typography textColor="neutral800">{auth(a)}</Typography></Td>
                    <Td><AccountStatusBadge active={a.active} confirmed={a.confirmed} failing={Boolean(a.lastError)} /></Td>
                    <Td>
                      {a.lastPollAt ? (
                        <Tooltip label={time.full(a.lastPollAt)}>
                          <Typography textColor="neutral800">
                            {a.lastPollResult
                              ? t('inbound.lastPoll', '{when}: {fetched} new', { when: time.relative(a.lastPollAt), fetched: a.lastPollResult.fetched })
                              : time.relative(a.lastPollAt)}
                          </Typography>
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
