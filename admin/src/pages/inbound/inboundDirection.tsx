import { inboundApi, type InboundAccount, type InboundAccountInput, type InboundPreset, type InboundPresets } from '../../api/inbound';
import type { AccountDirection } from '../accounts/accountDirection';
import { InboundConnectionFields } from './InboundConnectionFields';
import { InboundDeliverySection } from './InboundDeliverySection';
import { inboundFormModel, typeInfo, type InboundFormValues } from './inboundFormModel';
import { InboundMailboxFields } from './InboundMailboxFields';
import { InboundStateItems } from './InboundStateItems';
import { LastPollCell } from './LastPollCell';
import { useInboundTest } from './useInboundTest';

/** Inbound accounts (/plugins/mail-auth/inbound): the mailboxes mail is fetched from. */
export const inboundDirection: AccountDirection<InboundAccount, InboundFormValues, InboundAccountInput, InboundPresets, InboundPreset> = {
  kind: 'inbound',
  api: inboundApi,
  model: inboundFormModel,
  texts: (t) => ({
    newTitle: t('inbound.new.title', 'New inbound account'),
    newSubtitle: t('inbound.new.subtitle', 'Start from a preset: it fills the server, port and security; then choose how the mailbox signs in.'),
    createLabel: t('inbound.create', 'Create account'),
    createdMessage: (name) => t('account.created', 'Account “{name}” created. Next: Test & confirm.', { name }),
    deleteConsequence: (name) => t('inbound.delete.body', 'Mail is no longer fetched from “{name}”. Messages already received stay.', { name }),
    activeLabel: t('inbound.field.active', 'Active: fetched on schedule'),
    tokenHint: t('inbound.token.hint', 'The token signs in to the mailbox (XOAUTH2 for IMAP and POP3).'),
    list: {
      title: t('inbound.title', 'Inbound accounts'),
      subtitle: t('inbound.subtitle', 'Mailboxes the plugin fetches mail from and hands to the helpdesk.'),
      searchLabel: t('inbound.search', 'Search by name, login, mailbox or server'),
      newLabel: t('inbound.new', 'New inbound account'),
      loadFailed: t('inbound.loadFailed', 'The inbound accounts could not be loaded'),
      empty: t('inbound.empty', 'No inbound account yet. For a mailbox that signs in with OAuth 2.0, create its OAuth2 token first; then add the account from a preset and click Test & confirm.'),
    },
  }),
  // The type's name as the form shows it now (it may differ from the saved one until Save).
  subtitle: (_account, values, presets) => typeInfo(presets, values.type).label,
  ConnectionFields: InboundConnectionFields,
  AccountNameFields: InboundMailboxFields,
  KindSections: InboundDeliverySection,
  StateItems: InboundStateItems,
  useTest: useInboundTest,
  listColumns: (t) => ({
    where: [
      {
        heading: t('inbound.col.mailbox', 'Mailbox'),
        cell: (a) =>
          a.protocol === 'imap' || a.protocol === 'pop3' ? `${a.login ?? a.mailbox ?? '?'} @ ${a.host}:${a.port}` : (a.mailbox ?? a.login ?? a.oauthToken?.name ?? '—'),
      },
    ],
    lastActivity: { heading: t('inbound.col.lastPoll', 'Last fetch'), cell: (a) => <LastPollCell account={a} /> },
  }),
};
