import type { InboundAccount } from '../../api/inbound';
import { AccountStateItem } from '../../components/accounts/AccountStateSection';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

/** An inbound account's State items: its last fetch and test, and whether IDLE hands its mail on. */
export const InboundStateItems = ({ account }: { account: InboundAccount }) => {
  const t = useT();
  const time = useTimeFormat();
  return (
    <>
      <AccountStateItem label={t('inbound.col.lastPoll', 'Last fetch')}>
        {account.lastPollAt
          ? t('inbound.lastPoll', '{when}: {fetched} new', { when: time.relative(account.lastPollAt), fetched: account.lastPollResult?.fetched ?? 0 })
          : '—'}
      </AccountStateItem>
      <AccountStateItem label={t('account.lastTest', 'Last test')}>{account.lastTestAt ? time.relative(account.lastTestAt) : '—'}</AccountStateItem>
      {account.idle !== null && (
        <AccountStateItem label={t('inbound.state.idle', 'New mail')}>
          {!account.idle
            ? t('inbound.state.idleOff', 'Fetched every poll interval (IDLE off)')
            : account.idleActive
              ? t('inbound.state.idleActive', 'Handed on as it arrives (IMAP IDLE)')
              : t('inbound.state.idleDown', 'Fetched every poll interval: no IDLE connection now')}
        </AccountStateItem>
      )}
    </>
  );
};
