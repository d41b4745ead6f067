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

  /** What each kind of problem says: its alert's look, title, sentence and advice when the server gives none. */
  const texts = (problem: TokenNotification) => {
    const name = { name: problem.tokenName };
    const when = since(problem);
    const t = (id: string, defaultMessage: string, values?: Record<string, string>) =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values);
    const day = problem.since ? formatDate(problem.since, { dateStyle: 'medium', timeZone: 'UTC' }) : '';
    switch (problem.kind) {
      case 'expired':
        return {
          variant: 'warning' as const,
          title: t('banner.expired.title', 'OAuth2 token "{name}" has expired', name),
          body: t('banner.expired.body', 'Its access token expired {when} and could not be refreshed: mail accounts using it cannot connect.', { when }),
          advice: t('banner.expired.advice', 'Open the token to see the last error, then click Refresh now.'),
        };
      case 'client-secret-expiring':
        return {
          variant: 'warning' as const,
          title: t('banner.secretExpiring.title', 'The client secret of OAuth2 token "{name}" expires soon', name),
          body: t('banner.secretExpiring.body', 'It expires on {date}; from then on the provider refuses its refreshes.', { date: day }),
          advice: t('banner.secretExpiring.advice', 'Create a new client secret at the provider and enter it, with its expiry date, in the token.'),
        };
      case 'client-secret-expired':
        return {
          variant: 'danger' as const,
          title: t('banner.secretExpired.title', 'The client secret of OAuth2 token "{name}" has expired', name),
          body: t('banner.secretExpired.body', 'It expired on {date}: the provider refuses its refreshes.', { date: day }),
          advice: t('banner.secretExpiring.advice', 'Create a new client secret at the provider and enter it, with its expiry date, in the token.'),
        };
      default:
        return {
          variant: 'danger' as const,
          title: t('banner.reauthorize.title', 'OAuth2 token "{name}" needs to be authorized again', name),
          body: t('banner.reauthorize.body', 'The provider refused its refresh token {when}: mail accounts using it cannot connect.', { when }),
          advice: t('banner.reauthorize.advice', 'Open the token and click Generate tokens to sign in again.'),
        };
    }
  };

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
        const { variant, title, body, advice } = texts(problem);
        return (
          <Alert
            key={`${problem.tokenId}-${problem.kind}`}
            variant={variant}
            closeLabel={formatMessage({ id: getTranslation('banner.dismiss'), defaultMessage: 'Hide until a new problem appears' })}
            onClose={() => onDismiss(problem)}
            title={title}
            action={
              <Link tag={RouterLink} to={problem.link}>
                {formatMessage({ id: getTranslation('banner.open'), defaultMessage: 'Open the token' })}
              </Link>
            }
          >
            {[body, problem.advice ?? advice].join(' ').replace(/\s{2,}/g, ' ')}
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
