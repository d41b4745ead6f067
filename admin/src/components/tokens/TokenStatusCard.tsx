import { Box, Grid, Tooltip, Typography } from '@strapi/design-system';
import type { ReactNode } from 'react';

import type { Token } from '../../api/tokens';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../DismissibleAlert';
import { StatusBadge } from './StatusBadge';
import { Section } from './TokenForm';

/** The provider's message, with its code in front unless it already says it. */
export const withCode = (code: string | undefined, message: string) =>
  code && !message.includes(code) ? `${code}: ${message}` : message;

const Item = ({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) => (
  <Grid.Item col={4} s={6} xs={12} direction="column" alignItems="flex-start" gap={1}>
    <Typography variant="sigma" textColor="neutral600">
      {label}
    </Typography>
    <Box data-testid={testId}>{children}</Box>
  </Grid.Item>
);

/** Everything about the token's grant: status, expiry, refresh token, who granted it, what failed. */
export const TokenStatusCard = ({ token, hideLastError }: { token: Token; hideLastError?: boolean }) => {
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
      {token.lastError && !hideLastError && (
        <DismissibleAlert
          variant="danger"
          title={
            token.lastError.at
              ? t('token.lastErrorAt', 'Last error, {date}', { date: time.full(token.lastError.at) })
              : t('token.lastErrorTitle', 'Last error')
          }
          data-testid="token-last-error"
        >
          {[withCode(token.lastError.code, token.lastError.message), token.lastError.advice].filter(Boolean).join(' ')}
        </DismissibleAlert>
      )}
    </Section>
  );
};
