import { Flex, Link, Typography } from '@strapi/design-system';
import { Link as RouterLink } from 'react-router-dom';

import type { Connected } from '../../api/connect';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';

const BASE = `/plugins/${PLUGIN_ID}`;

/** What the wizard made, each an ordinary entry linked to its page (editable there). */
export const CreatedEntries = ({ created }: { created: Connected }) => {
  const t = useT();
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} data-testid="connect-created">
      <Typography textColor="neutral700">{t('connect.created.title', 'Created (ordinary entries, editable on their pages):')}</Typography>
      {created.token && (
        <Link tag={RouterLink} to={`${BASE}/tokens/${created.token.id}`}>
          {t('connect.created.token', 'OAuth2 token “{name}”', { name: created.token.name })}
        </Link>
      )}
      <Link tag={RouterLink} to={`${BASE}/inbound/${created.inbound.id}`}>
        {t('connect.created.inbound', 'Inbound account “{name}”', { name: created.inbound.name })}
      </Link>
      <Link tag={RouterLink} to={`${BASE}/outbound/${created.outbound.id}`}>
        {t('connect.created.outbound', 'Outbound account “{name}”', { name: created.outbound.name })}
      </Link>
    </Flex>
  );
};
