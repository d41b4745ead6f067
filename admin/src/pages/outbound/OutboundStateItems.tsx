import type { OutboundAccount } from '../../api/outbound';
import { AccountStateItem } from '../../components/accounts/AccountStateSection';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

/** An outbound account's State item: when it last sent. */
export const OutboundStateItems = ({ account }: { account: OutboundAccount }) => {
  const t = useT();
  const time = useTimeFormat();
  return <AccountStateItem label={t('outbound.col.lastSent', 'Last sent')}>{account.lastSentAt ? time.relative(account.lastSentAt) : '—'}</AccountStateItem>;
};
