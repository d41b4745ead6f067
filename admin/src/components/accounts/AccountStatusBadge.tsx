import { Badge } from '@strapi/design-system';

import { useT } from '../../utils/useT';

interface AccountStatusBadgeProps {
  active: boolean;
  confirmed: boolean;
  failing: boolean;
}

/** confirmed (Test & confirm passed since the last change), failing, not confirmed, or switched off. */
export const AccountStatusBadge = ({ active, confirmed, failing }: AccountStatusBadgeProps) => {
  const t = useT();
  if (!active) return <Badge variant="neutral" data-account-status="inactive">{t('account.status.inactive', 'switched off')}</Badge>;
  if (failing) return <Badge variant="danger" data-account-status="failing">{t('account.status.failing', 'failing')}</Badge>;
  if (confirmed) return <Badge variant="success" data-account-status="confirmed">{t('account.status.confirmed', 'confirmed')}</Badge>;
  return <Badge variant="secondary" data-account-status="unconfirmed">{t('account.status.unconfirmed', 'not confirmed')}</Badge>;
};
