import { Badge } from '@strapi/design-system';

import type { TokenStatus } from '../../api/tokens';
import { useT, type Translate } from '../../utils/useT';

type Variant = 'success' | 'warning' | 'danger' | 'neutral' | 'secondary';

const VARIANT: Record<TokenStatus, Variant> = {
  valid: 'success',
  expired: 'warning',
  'reauthorization-required': 'danger',
  'refresh-interrupted': 'danger',
  error: 'danger',
  'not-authorized': 'secondary',
  inactive: 'neutral',
};

export const statusLabel = (t: Translate, status: TokenStatus): string => {
  switch (status) {
    case 'valid':
      return t('status.valid', 'valid');
    case 'expired':
      return t('status.expired', 'expired');
    case 'reauthorization-required':
      return t('status.reauthorization-required', 'authorize again');
    case 'refresh-interrupted':
      return t('status.refresh-interrupted', 'refresh interrupted: authorize again');
    case 'error':
      return t('status.error', 'error');
    case 'not-authorized':
      return t('status.not-authorized', 'not authorized');
    case 'inactive':
      return t('status.inactive', 'switched off');
  }
};

/** A token's status as a coloured badge; `data-status` carries the API value for tests and styles. */
export const StatusBadge = ({ status }: { status: TokenStatus }) => {
  const t = useT();
  return (
    <Badge variant={VARIANT[status]} data-status={status}>
      {statusLabel(t, status)}
    </Badge>
  );
};
