import { Td, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';

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
import { useT } from '../../utils/useT';
import type { AccountFormValues, AccountPreset, DirectionProps, ShownAccount } from './accountDirection';

/** /plugins/mail-auth/<kind>: the accounts of one kind with their state; what differs comes from `direction`. */
export const AccountListPage = <A extends ShownAccount, V extends AccountFormValues, I, P, Preset extends AccountPreset>({ direction }: DirectionProps<A, V, I, P, Preset>) => {
  const t = useT();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const transfer = useTransferToggle();
  const { kind, model } = direction;
  const texts = direction.texts(t).list;
  const { page, pageSize, search, key } = useListQuery();
  const accounts = useRemote(() => direction.api.list(client, { page, pageSize, search: search || undefined }), key);
  // Inbound's type labels come with its presets; until they arrive a row shows the type's id.
  const presets = useRemote(() => direction.api.presets(client), `${kind}-presets`);
  const typeOptions = model.typeOptions(t, presets.data);
  const typeLabel = (type: string) => typeOptions.find((x) => x.value === type)?.label ?? type;

  const newButton = permissions.canCreate ? <CreateLinkButton to={`/plugins/${PLUGIN_ID}/${kind}/new`} label={texts.newLabel} /> : undefined;

  if (accounts.isLoading) return <Page.Loading />;

  const signInLabel = (a: A) => {
    const signIn = model.accountSignIn(a);
    if (signIn === 'none') return t('account.auth.none', 'none');
    return signIn === 'oauth2' ? t('account.auth.token', 'OAuth2: {name}', { name: a.oauthToken?.name ?? '—' }) : t('account.auth.password', 'password');
  };
  const { where, lastActivity } = direction.listColumns(t);

  return (
    <Page.Main>
      <ListPageHeader
        title={texts.title}
        subtitle={texts.subtitle}
        searchLabel={texts.searchLabel}
        transferButton={transfer.button}
        createButton={newButton && <><ConnectMailboxButton />{newButton}</>}
      />
      <Layouts.Content>
        <WithTransferSidebar open={transfer.open} onClose={transfer.close} onImported={() => void accounts.reload()}>
          <LoadFailureAlert failure={accounts.failure} title={texts.loadFailed} />
          <ListTable
            headings={[
              t('accounts.col.name', 'Name'),
              t('accounts.col.type', 'Type'),
              ...where.map((c) => c.heading),
              t('accounts.col.auth', 'Sign-in'),
              t('accounts.col.status', 'Status'),
              lastActivity.heading,
              t('accounts.col.lastError', 'Last error'),
            ]}
            rows={accounts.data?.results ?? []}
            rowAttributes={(a) => ({ 'data-account': a.name })}
            cells={(a) => (
              <>
                <NameLinkCell to={`/plugins/${PLUGIN_ID}/${kind}/${a.id}`} name={a.name} />
                <Td><Typography textColor="neutral800">{typeLabel(a.type)}</Typography></Td>
                {where.map((c) => (
                  <Td key={c.heading}><Typography textColor="neutral800">{c.cell(a)}</Typography></Td>
                ))}
                <Td><Typography textColor="neutral800">{signInLabel(a)}</Typography></Td>
                <Td><AccountStatusBadge active={a.active} confirmed={a.confirmed} failing={Boolean(a.lastError)} /></Td>
                <Td>{lastActivity.cell(a)}</Td>
                <Td><AccountLastError error={a.lastError} /></Td>
              </>
            )}
            emptyContent={search ? t('accounts.noMatch', 'No account matches “{search}”.', { search }) : texts.empty}
            emptyAction={search ? undefined : newButton}
            pagination={accounts.data?.pagination}
            pageSize={pageSize}
          />
        </WithTransferSidebar>
      </Layouts.Content>
    </Page.Main>
  );
};
