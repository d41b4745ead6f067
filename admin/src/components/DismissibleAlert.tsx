import { Alert, type AlertProps } from '@strapi/design-system';
import { useState } from 'react';

import { useT } from '../utils/useT';

/**
 * The design system's Alert always shows a close button; this one hides itself when it is
 * used, for alerts that nothing else closes (warnings, hints).
 */
export const DismissibleAlert = (props: Omit<AlertProps, 'onClose' | 'closeLabel'>) => {
  const t = useT();
  const [closed, setClosed] = useState(false);
  if (closed) return null;
  return <Alert {...props} closeLabel={t('common.close', 'Close')} onClose={() => setClosed(true)} />;
};
