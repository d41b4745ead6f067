import { Box, EmptyStateLayout, Main } from '@strapi/design-system';
import { Layouts } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { getTranslation } from '../utils/getTranslation';

const HomePage = () => {
  const { formatMessage } = useIntl();

  return (
    <Main>
      <Layouts.Header
        title={formatMessage({ id: getTranslation('plugin.name'), defaultMessage: 'Mail Auth' })}
        subtitle={formatMessage({
          id: getTranslation('home.subtitle'),
          defaultMessage: 'OAuth2 tokens and mail accounts',
        })}
      />
      <Layouts.Content>
        <Box>
          <EmptyStateLayout
            content={formatMessage({
              id: getTranslation('home.empty'),
              defaultMessage: 'Create an OAuth2 token first, then the mail accounts that use it.',
            })}
          />
        </Box>
      </Layouts.Content>
    </Main>
  );
};

export { HomePage };
