import { Box, EmptyStateLayout, Flex, Main } from '@strapi/design-system';
import { Layouts } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { ExportImportSidebar } from '../components/ExportImportSidebar';
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
        <Flex alignItems="flex-start" gap={6}>
          <Box flex="1">
            <EmptyStateLayout
              content={formatMessage({
                id: getTranslation('home.empty'),
                defaultMessage: 'Create an OAuth2 token first, then the mail accounts that use it.',
              })}
            />
          </Box>
          {/* TRANSFER SIDEBAR (issue 8): mounted here until the tokens and account pages exist;
              move it to their side and pass onImported to reload their lists. */}
          <Box width="40rem">
            <ExportImportSidebar />
          </Box>
        </Flex>
      </Layouts.Content>
    </Main>
  );
};

export { HomePage };
