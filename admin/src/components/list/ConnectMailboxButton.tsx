import { LinkButton } from '@strapi/design-system';
import { Mail } from '@strapi/icons';
import { Link as RouterLink } from 'react-router-dom';

import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';

/** To the "Connect a mailbox" wizard: a token and both accounts in one go. */
export const ConnectMailboxButton = ({ variant = 'secondary' }: { variant?: 'default' | 'secondary' }) => {
  const t = useT();
  return (
    <LinkButton tag={RouterLink} to={`/plugins/${PLUGIN_ID}/connect`} startIcon={<Mail />} size="S" variant={variant}>
      {t('connect.open', 'Connect a mailbox')}
    </LinkButton>
  );
};
