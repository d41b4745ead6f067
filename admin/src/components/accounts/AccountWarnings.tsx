import { Flex } from '@strapi/design-system';

import type { AccountWarning } from '../../api/accountTests';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../DismissibleAlert';

/**
 * What an account's settings let one see coming (password sign-in at Microsoft 365, a token
 * granted by someone else than the mailbox, its client secret about to expire): shown on the account and beside Test & confirm's
 * steps. The server's sentences name hosts and addresses; the titles are translated.
 */
export const AccountWarnings = ({ warnings }: { warnings: AccountWarning[] }) => {
  const t = useT();
  if (!warnings.length) return null;
  const title = (code: AccountWarning['code']) => {
    switch (code) {
      case 'MICROSOFT_BASIC_AUTH':
        return t('warning.MICROSOFT_BASIC_AUTH', 'Password sign-in is switched off at Microsoft 365');
      case 'GRANTOR_NOT_MAILBOX':
        return t('warning.GRANTOR_NOT_MAILBOX', 'The token belongs to another user than this mailbox');
      case 'CLIENT_SECRET_EXPIRING':
        return t('warning.CLIENT_SECRET_EXPIRING', 'The token’s client secret expires soon');
    }
  };
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="account-warnings">
      {warnings.map((w) => (
        <DismissibleAlert key={w.code} variant="warning" title={title(w.code)} data-warning={w.code}>
          {`${w.message} ${w.advice}`}
        </DismissibleAlert>
      ))}
    </Flex>
  );
};
