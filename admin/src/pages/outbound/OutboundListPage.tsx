import { Td, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';

import { listOutboundAccounts, type OutboundAccount } from '../../api/outbound';
import { AccountLastError } from '../../components/accounts/AccountLastError';
import { AccountStatusBadge } from '../../components/accounts/AccountStatusBadge';
import { useTransferToggle, WithTransferSidebar } from '../../components/ExportImportSidebar';
import { ConnectMailboxButton } from '../../components/list/ConnectMailboxButton';
import { CreateLinkButton } from '../../components/list/CreateLinkButton';
import { ListPageHeader } from '../../components/list/ListPageHeader';
import { ListTable } from '../../components/list/ListTable';
import { LoadFailureAlert } from '../../components/list/LoadFailureAlert';
import { NameLinkCell } from '../../components/list/NameLinkCell';
import { RelativeTime } from '../../components/list/RelativeTime';
import { useListQuery } from '../../hooks/useListQuery';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';

/** /plugins/mail-auth/outbound: the accounts mail is sent through, with their state. */
export const OutboundListPage = () => {
  const t = useT();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const transfer = useTransferToggle();
  const { page, pageSize, search, key } = useListQuery();
  const accounts = useRemote(() => listOutboundAccounts(client, { page, pageSize, search: search || undefined }), key);
  const typeLabel = (type: string) =>
    type === 'smtp' ? t('outbound.type.smtp', 'SMTP') : type === 'microsoft-graph' ? t('outbound.type.microsoft-graph', 'Microsoft Graph sendMail') : type === 'gmail-api' ? t('outbound.type.gmail-api', 'Gmail API') : type;

  const newButton = permissions.canCreate ? (
    <CreateLinkButton to={`/plugins/${PLUGIN_ID}/outbound/new`} label={t('outbound.new', 'New outbound account')} />
  ) : undefined;

  if (accounts.isLoading) return <Page.Loading />;

  const where = (a: OutboundAccount) => (a.type === 'smtp' ? `${a.host}:${a.port} (${a.security})` : '—');
  const auth = (a: OutboundAccount) =>
    a.type === 'smtp' && !a.useAuthentication
      ? t('account.auth.none', 'none')
      : a.authentication === 'oauth2' || a.type !== 'smtp'
      ? t('account.auth.token', 'OAuth2: {name}', { name: a.oauthToken?.name ?? '—' })
      : t('account.auth.password', 'password');

  return (
    <Page.Main>
      <ListPageHeader
        title={t('outbound.title', 'Outbound accounts')}
        subtitle={t('outbound.subtitle', 'Servers and mailboxes the helpdesk sends mail through, also as Strapi’s email provider.')}
        searchLabel={t('outbound.search', 'Search by name, sender or server')}
        transferButton={transfer.button}
        createButton={newButton && <><ConnectMailboxButton />{newButton}</>}
      />
      <Layouts.Content>
        <WithTransferSidebar open={transfer.open} onClose={transfer.close} onImported={() => void accounts.reload()}>
          <LoadFailureAlert failure={accounts.failure} title={t('outbound.loadFailed', 'The outbound accounts could not be loaded')} />
          <ListTable
            headings={[
              t('accounts.col.name', 'Name'),
              t('accounts.col.type', 'Type'),
              t('outbound.col.server', 'Server'),
              t('outbound.col.from', 'From'),
              t('accounts.col.auth', 'Sign-in'),
              t('accounts.col.status', 'Status'),
              t('outbound.col.lastSent', 'Last sent'),
              t('accounts.col.lastError', 'Last error'),
            ]}
            rows={accounts.data?.results ?? []}
            rowAttributes={(a) => ({ 'data-account': a.name })}
            cells={(a) => (
              <>
                <NameLinkCell to={`/plugins/${PLUGIN_ID}/outbound/${a.id}`} name={a.name} />
                <Td><Typography textColor="neutral800">{typeLabel(a.type)}</Typography></Td>
                <Td><Typography textColor="neutral800">{where(a)}</Typography></Td>
                <Td><Typography textColor="neutral800">{a.fromAddress}</Typography></Td>
                <Td><Typography textColor="neutral800">{auth(a)}</Typography></Td>
                <Td><AccountStatusBadge active={a.active} confirmed={a.confirmed} failing={Boolean(a.lastError)} /></Td>
                <Td><RelativeTime date={a.lastSentAt} /></Td>
                <Td><AccountLastError error={a.lastError} /></Td>
              </>
            )}
            emptyContent={
              search
                ? t('accounts.noMatch', 'No account matches “{search}”.', { search })
                : t('outbound.empty', 'No outbound account yet. For a server that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and send a test message.')
            }
            emptyAction={search ? undefined : newButton}
            pagination={accounts.data?.pagination}
            pageSize={pageSize}
          />
        </WithTransferSidebar>
      </Layouts.Content>
    </Page.Main>
  );
};
