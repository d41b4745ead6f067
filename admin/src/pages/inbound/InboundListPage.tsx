import { Td, Tooltip, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';

import { getInboundPresets, listInboundAccounts, type InboundAccount } from '../../api/inbound';
import { AccountLastError } from '../../components/accounts/AccountLastError';
import { AccountStatusBadge } from '../../components/accounts/AccountStatusBadge';
import { useTransferToggle, WithTransferSidebar } from '../../components/ExportImportSidebar';
import { ConnectMailboxButton } from '../../components/list/ConnectMailboxButton';
import { CreateLinkButton } from '../../components/list/CreateLinkButton';
import { ListPageHeader } from '../../components/list/ListPageHeader';
import { ListTable } from '../../components/list/ListTable';
import { LoadFailureAlert } from '../../components/list/LoadFailureAlert';
import { NameLinkCell } from '../../components/list/NameLinkCell';
import { useListQuery } from '../../hooks/useListQuery';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

/** /plugins/mail-auth/inbound: the mailboxes mail is fetched from, with their state. */
export const InboundListPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const transfer = useTransferToggle();
  const { page, pageSize, search, key } = useListQuery();
  const accounts = useRemote(() => listInboundAccounts(client, { page, pageSize, search: search || undefined }), key);
  const presets = useRemote(() => getInboundPresets(client), 'inbound-presets');
  const typeLabel = (type: string) => presets.data?.types.find((x) => x.type === type)?.label ?? type;

  const newButton = permissions.canCreate ? (
    <CreateLinkButton to={`/plugins/${PLUGIN_ID}/inbound/new`} label={t('inbound.new', 'New inbound account')} />
  ) : undefined;

  if (accounts.isLoading) return <Page.Loading />;

  const where = (a: InboundAccount) =>
    a.protocol === 'imap' || a.protocol === 'pop3' ? `${a.login ?? a.mailbox ?? '?'} @ ${a.host}:${a.port}` : (a.mailbox ?? a.login ?? a.oauthToken?.name ?? '—');
  const auth = (a: InboundAccount) =>
    a.authentication === 'oauth2'
      ? t('account.auth.token', 'OAuth2: {name}', { name: a.oauthToken?.name ?? '—' })
      : t('account.auth.password', 'password');

  return (
    <Page.Main>
      <ListPageHeader
        title={t('inbound.title', 'Inbound accounts')}
        subtitle={t('inbound.subtitle', 'Mailboxes the plugin fetches mail from and hands to the helpdesk.')}
        searchLabel={t('inbound.search', 'Search by name, login, mailbox or server')}
        transferButton={transfer.button}
        createButton={newButton && <><ConnectMailboxButton />{newButton}</>}
      />
      <Layouts.Content>
        <WithTransferSidebar open={transfer.open} onClose={transfer.close} onImported={() => void accounts.reload()}>
          <LoadFailureAlert failure={accounts.failure} title={t('inbound.loadFailed', 'The inbound accounts could not be loaded')} />
          <ListTable
            headings={[
              t('accounts.col.name', 'Name'),
              t('accounts.col.type', 'Type'),
              t('inbound.col.mailbox', 'Mailbox'),
              t('accounts.col.auth', 'Sign-in'),
              t('accounts.col.status', 'Status'),
              t('inbound.col.lastPoll', 'Last fetch'),
              t('accounts.col.lastError', 'Last error'),
            ]}
            rows={accounts.data?.results ?? []}
            rowAttributes={(a) => ({ 'data-account': a.name })}
            cells={(a) => (
              <>
                <NameLinkCell to={`/plugins/${PLUGIN_ID}/inbound/${a.id}`} name={a.name} />
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
                <Td><AccountLastError error={a.lastError} /></Td>
              </>
            )}
            emptyContent={
              search
                ? t('accounts.noMatch', 'No account matches “{search}”.', { search })
                : t('inbound.empty', 'No inbound account yet. For a mailbox that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and click Test & confirm.')
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
