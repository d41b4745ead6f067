import { Tooltip, Typography } from '@strapi/design-system';

import type { InboundAccount } from '../../api/inbound';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

/** The list's Last fetch: when, and how many new messages it brought; the full date on hover. */
export const LastPollCell = ({ account }: { account: InboundAccount }) => {
  const t = useT();
  const time = useTimeFormat();
  if (!account.lastPollAt) return <Typography textColor="neutral500">—</Typography>;
  return (
    <Tooltip label={time.full(account.lastPollAt)}>
      <Typography textColor="neutral800">
        {account.lastPollResult
          ? t('inbound.lastPoll', '{when}: {fetched} new', { when: time.relative(account.lastPollAt), fetched: account.lastPollResult.fetched })
          : time.relative(account.lastPollAt)}
      </Typography>
    </Tooltip>
  );
};
