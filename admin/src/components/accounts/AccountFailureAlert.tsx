import { Alert } from '@strapi/design-system';

import type { ApiFailure } from '../../api/errors';
import { useT } from '../../utils/useT';

/** Why saving, testing or deleting an account failed, or that some fields need attention. */
export const AccountFailureAlert = ({ failure, errorCount, onClose }: { failure: ApiFailure | null; errorCount: number; onClose: () => void }) => {
  const t = useT();
  if (!failure && errorCount === 0) return null;
  return (
    <Alert
      variant="danger"
      closeLabel={t('common.close', 'Close')}
      onClose={onClose}
      title={errorCount ? t('form.invalid', 'Some fields need attention.') : (failure?.message ?? '')}
      data-testid="account-failure"
    >
      {failure?.advice ?? ''}
    </Alert>
  );
};
