import { Alert, Box, Flex, Grid, Tooltip, Typography } from '@strapi/design-system';
import type { ReactNode } from 'react';

import type { Token } from '../../api/tokens';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';
import { StatusBadge } from './StatusBadge';
import { Section } from './TokenForm';

const Item = ({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) => (
  <Grid.Item col={4} s={6} xs={12} direction="column" alignItems="flex-start" gap={1}>
    <Typography variant="sigma" textColor="neutral600">
      {label}
    </Typography>
    <Box data-testid={testId}>{children}</Box>
  </Grid.Item>
);

/** Everything about the token's grant: status, expiry, refresh token, who granted it, what failed. */
export const TokenStatusCard = ({ token }: { token: Token }) => {
  const t = useT();
  const time = useTimeFormat();
  const dash = <Typography textColor="neutral500">—</Typography>;
  const when = (date: string | null) =>
    date ? (
      <Tooltip label={time.full(date)}>
        <Typography textColor="neutral800">{time.relative(date)}</Typography>
      </Tooltip>
    ) : (
      dash
    );
  const text = (value: string | null) => (value ? <Typography textColor="neutral800">{value}</Typography> : dash);

  return (
    <Section title={t('token.state', 'State')}>
      <Grid.Root gap={5}>
        <Item label={t('tokens.col.status', 'Status')} testId="token-status">
          <StatusBadge status={token.status} />
        </Item>
        <Item label={t('tokens.col.expires', 'Access token expires')}>{when(token.accessTokenExpiresAt)}</Item>
        <Item label={t('tokens.col.refreshToken', 'Refresh token')}>
          <Typography textColor="neutral800">
            {token.grantType === 'client_credentials'
              ? t('token.refreshToken.notNeeded', 'not needed: the app signs in by itself')
              : token.hasRefreshToken
                ? token.refreshTokenExpiresAt
                  ? t('token.refreshToken.presentUntil', 'present, valid until {date}', { date: time.full(token.refreshTokenExpiresAt) })
                  : t('token.refreshToken.present', 'present')
                : t('token.refreshToken.absent', 'none')}
          </Typography>
        </Item>
        <Item label={t('tokens.col.grantedBy', 'Granted by')}>{text(token.grantedBy)}</Item>
        <Item label={t('token.grantedAt', 'Granted')}>{when(token.grantedAt)}</Item>
        <Item label={t('tokens.col.lastRefresh', 'Last refresh')}>{when(token.lastRefreshAt)}</Item>
        {token.nextAttemptAt && <Item label={t('token.nextAttempt', 'Next attempt')}>{when(token.nextAttemptAt)}</Item>}
        {token.grantedScope && (
          <Grid.Item col={12} direction="column" alignItems="flex-start" gap={1}>
            <Typography variant="sigma" textColor="neutral600">
              {t('token.grantedScope', 'Granted scope')}
            </Typography>
            <Typography textColor="neutral800" style={{ wordBreak: 'break-all' }}>
              {token.grantedScope}
            </Typography>
          </Grid.Item>
        )}
      </Grid.Root>
      {token.lastError && (
        <Alert
          variant="danger"
          closeLabel={t('common.close', 'Close')}
          title={t('token.lastError', 'Last error ({code})', { code: token.lastError.code })}
          data-testid="token-last-error"
        >
          <Flex direction="column" alignItems="flex-start" gap={1} tag="span">
            <span>{token.lastError.message}</span>
            {token.lastError.advice && <span>{token.lastError.advice}</span>}
            {token.lastError.at && (
              <Typography variant="pi" textColor="neutral600">
                {time.full(token.lastError.at)}
              </Typography>
            )}
          </Flex>
        </Alert>
      )}
    </Section>
  );
};
