import { outboundApi, type OutboundAccount, type OutboundAccountInput, type OutboundPreset } from '../../api/outbound';
import { RelativeTime } from '../../components/list/RelativeTime';
import type { AccountDirection } from '../accounts/accountDirection';
import { OutboundConnectionFields } from './OutboundConnectionFields';
import { outboundFormModel, type OutboundFormValues } from './outboundFormModel';
import { OutboundSenderSection } from './OutboundSenderSection';
import { OutboundStateItems } from './OutboundStateItems';
import { OutboundUserNameField } from './OutboundUserNameField';
import { useOutboundTest } from './useOutboundTest';

/** Outbound accounts (/plugins/mail-auth/outbound): the servers and mailboxes mail is sent through. */
export const outboundDirection: AccountDirection<OutboundAccount, OutboundFormValues, OutboundAccountInput, OutboundPreset[], OutboundPreset> = {
  kind: 'outbound',
  api: outboundApi,
  model: outboundFormModel,
  texts: (t) => ({
    newTitle: t('outbound.new.title', 'New outbound account'),
    newSubtitle: t('outbound.new.subtitle', 'Start from a preset: it fills the server, port and security; then choose how the account signs in.'),
    createLabel: t('outbound.create', 'Create account'),
    createdMessage: (name) => t('outbound.created', 'Account “{name}” created. Next: send a test message.', { name }),
    deleteConsequence: (name) => t('outbound.delete.body', 'Nothing can be sent through “{name}” any more.', { name }),
    activeLabel: t('outbound.field.active', 'Active: mail can be sent through it'),
    tokenHint: t('outbound.token.hint', 'The token signs in to send (XOAUTH2 for SMTP).'),
    list: {
      title: t('outbound.title', 'Outbound accounts'),
      subtitle: t('outbound.subtitle', 'Servers and mailboxes the helpdesk sends mail through, also as Strapi’s email provider.'),
      searchLabel: t('outbound.search', 'Search by name, sender or server'),
      newLabel: t('outbound.new', 'New outbound account'),
      loadFailed: t('outbound.loadFailed', 'The outbound accounts could not be loaded'),
      empty: t('outbound.empty', 'No outbound account yet. For a server that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and send a test message.'),
    },
  }),
  subtitle: (account) => account.fromAddress,
  ConnectionFields: OutboundConnectionFields,
  AccountNameFields: OutboundUserNameField,
  KindSections: OutboundSenderSection,
  StateItems: OutboundStateItems,
  useTest: useOutboundTest,
  listColumns: (t) => ({
    where: [
      { heading: t('outbound.col.server', 'Server'), cell: (a) => (a.type === 'smtp' ? `${a.host}:${a.port} (${a.security})` : '—') },
      { heading: t('outbound.col.from', 'From'), cell: (a) => a.fromAddress },
    ],
    lastActivity: { heading: t('outbound.col.lastSent', 'Last sent'), cell: (a) => <RelativeTime date={a.lastSentAt} /> },
  }),
};
