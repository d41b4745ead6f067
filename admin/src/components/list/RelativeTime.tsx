import { Tooltip, Typography } from '@strapi/design-system';

import { useTimeFormat } from '../../utils/time';

/** "in 58 minutes" with the full date on hover, or a dash when there is no date. */
export const RelativeTime = ({ date }: { date: string | null | undefined }) => {
  const time = useTimeFormat();
  if (!date) return <Typography textColor="neutral500">—</Typography>;
  return (
    <Tooltip label={time.full(date)}>
      <Typography textColor="neutral800">{time.relative(date)}</Typography>
    </Tooltip>
  );
};
