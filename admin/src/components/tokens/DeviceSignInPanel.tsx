import { Alert, Box, Button, Flex, Link, Typography } from '@strapi/design-system';
import { ExternalLink } from '@strapi/icons';
import { useEffect, useState } from 'react';

import type { DeviceGrant } from '../../api/tokens';
import type { DeviceSignInState } from '../../hooks/useDeviceSignIn';
import { useT } from '../../utils/useT';
import { withCode } from './TokenStatusCard';

/** "4:05": minutes and seconds left. */
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** Seconds until `expiresAt`, ticking every second. */
const useSecondsLeft = (expiresAt: string) => {
  const left = () => Math.max(0, Math.floor((new Date(expiresAt).getTime() - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    const timer = window.setInterval(() => setSeconds(left()), 1_000);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expiresAt]);
  return seconds;
};

/** The code to enter and where, while the server waits for the person to sign in. */
const PendingCode = ({ grant, onStop }: { grant: DeviceGrant; onStop: () => void }) => {
  const t = useT();
  const seconds = useSecondsLeft(grant.expiresAt);
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6} data-testid="device-sign-in">
      <Flex direction="column" alignItems="flex-start" gap={4}>
        <Typography variant="delta" tag="h2">
          {t('device.pending.title', 'Sign in with a code')}
        </Typography>
        <Typography variant="omega">
          {t('device.pending.body', 'On any device, open the page below, enter this code and sign in with the mailbox’s account:')}
        </Typography>
        <Typography variant="alpha" fontWeight="bold" data-testid="device-user-code" style={{ letterSpacing: '0.2em', fontFamily: 'monospace' }}>
          {grant.userCode}
        </Typography>
        <Link href={grant.verificationUri} isExternal endIcon={<ExternalLink />} data-testid="device-verification-uri">
          {grant.verificationUri}
        </Link>
        {grant.verificationUriComplete && (
          <Link href={grant.verificationUriComplete} isExternal endIcon={<ExternalLink />}>
            {t('device.pending.complete', 'Open the page with the code filled in')}
          </Link>
        )}
        <Typography variant="pi" textColor="neutral600" data-testid="device-countdown">
          {seconds > 0
            ? t('device.pending.expiresIn', 'The code expires in {time}. This page updates itself when you have signed in.', { time: clock(seconds) })
            : t('device.pending.expiring', 'The code has expired; waiting for the server to confirm.')}
        </Typography>
        <Button variant="tertiary" size="S" onClick={onStop}>
          {t('device.stop', 'Stop waiting')}
        </Button>
      </Flex>
    </Box>
  );
};

interface DeviceSignInPanelProps {
  state: DeviceSignInState;
  onStop: () => void;
}

/** Sign in with a code: the code while it is pending, then how it ended (with the advice). */
export const DeviceSignInPanel = ({ state, onStop }: DeviceSignInPanelProps) => {
  const t = useT();
  const close = t('common.close', 'Close');
  if (state.phase === 'idle' || state.phase === 'starting') return null;
  if (state.phase === 'failed') {
    return (
      <Alert variant="danger" closeLabel={close} onClose={onStop} title={t('device.failed.title', 'No code from the provider')} data-testid="device-sign-in">
        {[withCode(state.failure.code ?? undefined, state.failure.message), state.failure.advice].filter(Boolean).join(' ')}
      </Alert>
    );
  }
  const { grant } = state;
  const detail = [grant.error ? withCode(grant.error.code, grant.error.message) : null, grant.error?.advice].filter(Boolean).join(' ');
  switch (grant.state) {
    case 'pending':
      return <PendingCode grant={grant} onStop={onStop} />;
    case 'authorized':
      return (
        <Alert variant="success" closeLabel={close} onClose={onStop} title={t('device.authorized.title', 'Signed in with the code')} data-testid="device-sign-in">
          {grant.grantedBy
            ? t('generate.ok.grantedBy', 'Granted by {who}. The refresh job keeps the token valid from now on.', { who: grant.grantedBy })
            : t('generate.ok.body', 'The refresh job keeps the token valid from now on.')}
        </Alert>
      );
    case 'denied':
      return (
        <Alert variant="danger" closeLabel={close} onClose={onStop} title={t('device.denied.title', 'The sign-in was refused at the provider')} data-testid="device-sign-in">
          {detail}
        </Alert>
      );
    case 'expired':
      return (
        <Alert variant="warning" closeLabel={close} onClose={onStop} title={t('device.expired.title', 'The code expired')} data-testid="device-sign-in">
          {t('device.expired.body', 'Nobody signed in with it in time. Click Sign in with a code to get a new one.')}
        </Alert>
      );
    default:
      return (
        <Alert variant="danger" closeLabel={close} onClose={onStop} title={t('generate.failed.title', 'The provider did not grant the tokens')} data-testid="device-sign-in">
          {detail}
        </Alert>
      );
  }
};
