import { Alert, Flex, Link } from '@strapi/design-system';
import { RESPONSIVE_DEFAULT_SPACING } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { Link as RouterLink } from 'react-router-dom';

import type { TokenNotification } from '../../api/notifications';
import { PLUGIN_ID } from '../../pluginId';
import { getTranslation } from '../../utils/getTranslation';

/** More alerts than this would push the page out of sight; the rest are summed up in one. */
export const MAX_ALERTS = 3;

interface ExpiryBannerProps {
  problems: TokenNotification[];
  onDismiss: (problem: TokenNotification) => void;
}

/** One alert per token that needs attention, each linking to the token's page. */
export const ExpiryBanner = ({ problems, onDismiss }: ExpiryBannerProps) => {
  const { formatMessage, formatDate } = useIntl();
  if (!problems.length) return null;
  const shown = problems.slice(0, MAX_ALERTS);
  const hidden = problems.slice(MAX_ALERTS);

  const since = (problem: TokenNotification) =>
    problem.since
      ? formatMessage(
          { id: getTranslation('banner.since'), defaultMessage: 'on {date}' },
          { date: formatDate(problem.since, { dateStyle: 'medium', timeStyle: 'short' }) }
        )
      : '';

  return (
    <Flex
      direction="column"
      alignItems="stretch"
      gap={2}
      paddingTop={4}
      paddingBottom={4}
      paddingLeft={RESPONSIVE_DEFAULT_SPACING}
      paddingRight={RESPONSIVE_DEFAULT_SPACING}
      data-testid="mail-auth-expiry-banner"
      role="region"
      aria-label={formatMessage({ id: getTranslation('banner.region'), defaultMessage: 'OAuth2 tokens that need attention' })}
    >
      {shown.map((problem) => {
        const expired = problem.kind === 'expired';
        const when = since(problem);
        return (
          <Alert
            key={`${problem.tokenId}-${problem.kind}`}
            variant={expired ? 'warning' : 'danger'}
            closeLabel={formatMessage({ id: getTranslation('banner.dismiss'), defaultMessage: 'Hide until a new problem appears' })}
            onClose={() => onDismiss(problem)}
            title={
              expired
                ? formatMessage(
                    { id: getTranslation('banner.expired.title'), defaultMessage: 'OAuth2 token "{name}" has expired' },
                    { name: problem.tokenName }
                  )
                : formatMessage(
                    { id: getTranslation('banner.reauthorize.title'), defaultMessage: 'OAuth2 token "{name}" needs to be authorized again' },
                    { name: problem.tokenName }
                  )
            }
            action={
              <Link tag={RouterLink} to={problem.link}>
                {formatMessage({ id: getTranslation('banner.open'), defaultMessage: 'Open the token' })}
              </Link>
            }
          >
            {[
              expired
                ? formatMessage(
                    {
                      id: getTranslation('banner.expired.body'),
                      defaultMessage: 'Its access token expired {when} and could not be refreshed: mail accounts using it cannot connect.',
                    },
                    { when }
                  )
                : formatMessage(
                    {
                      id: getTranslation('banner.reauthorize.body'),
                      defaultMessage: 'The provider refused its refresh token {when}: mail accounts using it cannot connect.',
                    },
                    { when }
                  ),
              problem.advice ??
                (expired
                  ? formatMessage({
                      id: getTranslation('banner.expired.advice'),
                      defaultMessage: 'Open the token to see the last error, then click Refresh now.',
                    })
                  : formatMessage({
                      id: getTranslation('banner.reauthorize.advice'),
                      defaultMessage: 'Open the token and click Generate tokens to sign in again.',
                    })),
            ]
              .join(' ')
              .replace(/\s{2,}/g, ' ')}
          </Alert>
        );
      })}
      {hidden.length > 0 && (
        <Alert
          variant="danger"
          closeLabel={formatMessage({ id: getTranslation('banner.dismiss'), defaultMessage: 'Hide until a new problem appears' })}
          onClose={() => hidden.forEach(onDismiss)}
          title={formatMessage(
            { id: getTranslation('banner.more.title'), defaultMessage: '{count, plural, one {# more OAuth2 token needs} other {# more OAuth2 tokens need}} attention' },
            { count: hidden.length }
          )}
          action={
            <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}`}>
              {formatMessage({ id: getTranslation('banner.more.open'), defaultMessage: 'Open the list of tokens' })}
            </Link>
          }
        >
          {hidden.map((problem) => problem.tokenName).join(', ')}
        </Alert>
      )}
    </Flex>
  );
};
