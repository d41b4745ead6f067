import { Box, Flex, Td, Tooltip, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';

import { listTokens, type Token } from '../../api/tokens';
import { useTransferToggle, WithTransferSidebar } from '../../components/ExportImportSidebar';
import { ConnectMailboxButton } from '../../components/list/ConnectMailboxButton';
import { CreateLinkButton } from '../../components/list/CreateLinkButton';
import { ListPageHeader } from '../../components/list/ListPageHeader';
import { ListTable } from '../../components/list/ListTable';
import { LoadFailureAlert } from '../../components/list/LoadFailureAlert';
import { NameLinkCell } from '../../components/list/NameLinkCell';
import { RelativeTime } from '../../components/list/RelativeTime';
import { StatusBadge } from '../../components/tokens/StatusBadge';
import { useListQuery } from '../../hooks/useListQuery';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { useTemplates } from '../../hooks/useTemplates';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';

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
  const transfer = useTransferToggle(true);
  const { page, pageSize, search, key } = useListQuery();
  const templates = useTemplates();
  const templateName = (id: string) => templates.data?.results.find((x) => x.id === id)?.name ?? id;
  const tokens = useRemote(() => listTokens(client, { page, pageSize, search: search || undefined }), key);

  const newTokenButton = permissions.canCreate ? (
    <CreateLinkButton to={`/plugins/${PLUGIN_ID}/tokens/new`} label={t('tokens.new', 'New token')} />
  ) : undefined;

  if (tokens.isLoading) return <Page.Loading />;

  const yes = t('common.yes', 'yes');
  const no = t('common.no', 'no');

  return (
    <Page.Main>
      <ListPageHeader
        title={t('tokens.title', 'OAuth2 tokens')}
        subtitle={t('tokens.subtitle', 'The sign-ins that mail accounts use. Kept alive by the refresh job.')}
        searchLabel={t('tokens.search', 'Search tokens by name, template or who granted them')}
        transferButton={transfer.button}
        createButton={newTokenButton && <><ConnectMailboxButton />{newTokenButton}</>}
      />
      <Layouts.Content>
        {/* Export and import (issue 8): beside the list they change. */}
        <WithTransferSidebar open={transfer.open} onClose={transfer.close} onImported={() => void tokens.reload()}>
          {tokens.failure && (
            <Box paddingBottom={4}>
              <LoadFailureAlert failure={tokens.failure} title={t('tokens.loadFailed', 'The tokens could not be loaded')} />
            </Box>
          )}
          <ListTable
            headings={[
              t('tokens.col.name', 'Name'),
              t('tokens.col.template', 'Template'),
              t('tokens.col.status', 'Status'),
              t('tokens.col.expires', 'Access token expires'),
              t('tokens.col.refreshToken', 'Refresh token'),
              t('tokens.col.grantedBy', 'Granted by'),
              t('tokens.col.lastRefresh', 'Last refresh'),
              t('tokens.col.lastError', 'Last error'),
            ]}
            rows={tokens.data?.results ?? []}
            rowAttributes={(token) => ({ 'data-token': token.name })}
            cells={(token) => (
              <>
                <NameLinkCell to={`/plugins/${PLUGIN_ID}/tokens/${token.id}`} name={token.name} />
                <Td><Typography textColor="neutral800">{templateName(token.template)}</Typography></Td>
                <Td><StatusBadge status={token.status} /></Td>
                <Td><RelativeTime date={token.accessTokenExpiresAt} /></Td>
                <Td>
                  <Typography textColor="neutral800">
                    {token.grantType === 'client_credentials' ? t('tokens.notNeeded', 'not needed') : token.hasRefreshToken ? yes : no}
                  </Typography>
                </Td>
                <Td><Typography textColor="neutral800">{token.grantedBy ?? '—'}</Typography></Td>
                <Td><RelativeTime date={token.lastRefreshAt} /></Td>
                <Td><LastError token={token} /></Td>
              </>
            )}
            emptyContent={
              search
                ? t('tokens.noMatch', 'No token matches “{search}”.', { search })
                : permissions.canCreate
                  ? t('tokens.empty', 'No OAuth2 token yet. Register an app at your mail provider (Google, Microsoft or any OAuth 2.0 server), then create a token from its template.')
                  : t('tokens.emptyReadOnly', 'No OAuth2 token yet. An administrator who may create tokens has to add one first.')
            }
            emptyAction={search || !newTokenButton ? undefined : <Flex gap={2}><ConnectMailboxButton variant="default" />{newTokenButton}</Flex>}
            pagination={tokens.data?.pagination}
            pageSize={pageSize}
          />
        </WithTransferSidebar>
      </Layouts.Content>
    </Page.Main>
  );
};
