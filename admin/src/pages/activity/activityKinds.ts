import type { SubjectType } from '../../api/activity';
import type { Translate } from '../../utils/useT';

/** The kinds of entry the plugin records (server: every activity().record call). */
export const ACTIVITY_KINDS = [
  'token.created',
  'token.updated',
  'token.deleted',
  'token.authorized',
  'token.authorization-failed',
  'token.refreshed',
  'token.refresh-failed',
  'token.expired',
  'token.reauthorization-required',
  'inbound-account.created',
  'inbound-account.updated',
  'inbound-account.deleted',
  'inbound-account.tested',
  'inbound.fetched',
  'inbound.fetch-failed',
  'inbound.action-not-applied',
  'outbound-account.created',
  'outbound-account.updated',
  'outbound-account.deleted',
  'outbound-account.tested',
  'outbound.sent',
  'outbound.failed',
  'transfer.exported',
  'transfer.imported',
  'transfer.import-failed',
  'settings.updated',
] as const;

export const kindLabel = (t: Translate, kind: string): string => {
  switch (kind) {
    case 'token.created':
      return t('kind.token.created', 'Token created');
    case 'token.updated':
      return t('kind.token.updated', 'Token changed');
    case 'token.deleted':
      return t('kind.token.deleted', 'Token deleted');
    case 'token.authorized':
      return t('kind.token.authorized', 'Tokens generated');
    case 'token.authorization-failed':
      return t('kind.token.authorization-failed', 'Generate tokens failed');
    case 'token.refreshed':
      return t('kind.token.refreshed', 'Token refreshed');
    case 'token.refresh-failed':
      return t('kind.token.refresh-failed', 'Refresh failed');
    case 'token.expired':
      return t('kind.token.expired', 'Access token expired');
    case 'token.reauthorization-required':
      return t('kind.token.reauthorization-required', 'Authorization needed again');
    case 'inbound-account.created':
      return t('kind.inbound-account.created', 'Inbound account created');
    case 'inbound-account.updated':
      return t('kind.inbound-account.updated', 'Inbound account changed');
    case 'inbound-account.deleted':
      return t('kind.inbound-account.deleted', 'Inbound account deleted');
    case 'inbound-account.tested':
      return t('kind.inbound-account.tested', 'Inbound account tested');
    case 'inbound.fetched':
      return t('kind.inbound.fetched', 'Mail fetched');
    case 'inbound.fetch-failed':
      return t('kind.inbound.fetch-failed', 'Fetching mail failed');
    case 'inbound.action-not-applied':
      return t('kind.inbound.action-not-applied', 'Action after fetch not applied');
    case 'outbound-account.created':
      return t('kind.outbound-account.created', 'Outbound account created');
    case 'outbound-account.updated':
      return t('kind.outbound-account.updated', 'Outbound account changed');
    case 'outbound-account.deleted':
      return t('kind.outbound-account.deleted', 'Outbound account deleted');
    case 'outbound-account.tested':
      return t('kind.outbound-account.tested', 'Outbound account tested');
    case 'outbound.sent':
      return t('kind.outbound.sent', 'Mail sent');
    case 'outbound.failed':
      return t('kind.outbound.failed', 'Sending failed');
    case 'transfer.exported':
      return t('kind.transfer.exported', 'Exported');
    case 'transfer.imported':
      return t('kind.transfer.imported', 'Imported');
    case 'transfer.import-failed':
      return t('kind.transfer.import-failed', 'Import failed');
    case 'settings.updated':
      return t('kind.settings.updated', 'Settings changed');
    default:
      return kind;
  }
};

export const SUBJECT_TYPES: SubjectType[] = ['token', 'inbound-account', 'outbound-account', 'transfer', 'settings'];

export const subjectTypeLabel = (t: Translate, type: string): string => {
  switch (type) {
    case 'token':
      return t('subject.token', 'OAuth2 tokens');
    case 'inbound-account':
      return t('subject.inbound-account', 'Inbound accounts');
    case 'outbound-account':
      return t('subject.outbound-account', 'Outbound accounts');
    case 'transfer':
      return t('subject.transfer', 'Export and import');
    case 'settings':
      return t('subject.settings', 'Settings');
    default:
      return type;
  }
};
