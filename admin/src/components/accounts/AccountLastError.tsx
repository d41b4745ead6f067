import { Tooltip, Typography } from '@strapi/design-system';

import type { AccountError } from '../../api/accountTests';
import { withCode } from '../tokens/TokenStatusCard';

/** An account's last error in a list cell, cut to one line with the message and advice on hover, or a dash. */
export const AccountLastError = ({ error }: { error: AccountError | null }) => {
  if (!error) return <Typography textColor="neutral500">—</Typography>;
  return (
    <Tooltip label={[error.message, error.advice].filter(Boolean).join(' ')}>
      <Typography textColor="danger600" ellipsis style={{ maxWidth: '20rem', display: 'block' }}>
        {withCode(error.code, error.message)}
      </Typography>
    </Tooltip>
  );
};
