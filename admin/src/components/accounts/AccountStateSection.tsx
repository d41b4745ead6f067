import { Grid, Typography } from '@strapi/design-system';
import type { ReactNode } from 'react';

import type { AccountError } from '../../api/accountTests';
import { DismissibleAlert } from '../DismissibleAlert';
import { Section } from '../tokens/TokenForm';
import { withCode } from '../tokens/TokenStatusCard';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';

/** One labelled value in an account's State section. */
export const AccountStateItem = ({ label, children }: { label: string; children: ReactNode }) => (
  <Grid.Item col={4} s={6} xs={12} direction="column" alignItems="flex-start" gap={1}>
    <Typography variant="sigma" textColor="neutral600">{label}</Typography>
    <Typography textColor="neutral800">{children}</Typography>
  </Grid.Item>
);

interface AccountStateSectionProps {
  account: { confirmedAt: string | null; lastError: AccountError | null };
  /** False while a fresh test report is shown, which says more than the stored last error. */
  showLastError: boolean;
  /** The account kind's own items, after "Confirmed". */
  children: ReactNode;
}

/** An account's State section: when it was confirmed, the kind's own items, and its last error. */
export const AccountStateSection = ({ account, showLastError, children }: AccountStateSectionProps) => {
  const t = useT();
  const time = useTimeFormat();
  return (
    <Section title={t('account.state', 'State')}>
      <Grid.Root gap={5}>
        <AccountStateItem label={t('account.confirmedAt', 'Confirmed')}>
          {account.confirmedAt ? time.relative(account.confirmedAt) : t('common.no', 'no')}
        </AccountStateItem>
        {children}
      </Grid.Root>
      {account.lastError && showLastError && (
        <DismissibleAlert variant="danger" title={t('token.lastErrorTitle', 'Last error')}>
          {[withCode(account.lastError.code, account.lastError.message), account.lastError.advice].filter(Boolean).join(' ')}
        </DismissibleAlert>
      )}
    </Section>
  );
};
