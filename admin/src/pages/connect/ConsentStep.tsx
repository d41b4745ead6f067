import { Button, Flex, Typography } from '@strapi/design-system';
import { Phone } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { useEffect, useRef } from 'react';

import { getToken } from '../../api/tokens';
import { DeviceSignInPanel } from '../../components/tokens/DeviceSignInPanel';
import { Section } from '../../components/tokens/TokenForm';
import { GenerateTokensFeedback } from '../../components/tokens/GenerateTokensFeedback';
import { useDeviceSignIn } from '../../hooks/useDeviceSignIn';
import { useGenerateTokens } from '../../hooks/useGenerateTokens';
import { useRemote } from '../../hooks/useRemote';
import { useTemplates } from '../../hooks/useTemplates';
import { useT } from '../../utils/useT';

interface ConsentStepProps {
  tokenId: number;
  /** The provider granted the tokens: the wizard goes on to Test & confirm. */
  onGranted: () => void;
}

/**
 * One consent for both accounts (the token's scope covers inbound and outbound): the
 * authorization-code flow in a popup, or, where the template offers it, a code entered on any
 * device (for a Strapi without a public https callback), as on the token's own page.
 */
export const ConsentStep = ({ tokenId, onGranted }: ConsentStepProps) => {
  const t = useT();
  const client = useFetchClient();
  const token = useRemote(() => getToken(client, tokenId), String(tokenId));
  const templates = useTemplates();
  const generate = useGenerateTokens(token.data, token.setData);
  const device = useDeviceSignIn(token.data, token.setData);
  const granted = useRef(onGranted);
  granted.current = onGranted;
  const ok =
    (generate.state.phase === 'done' && generate.state.outcome.ok) || (device.state.phase === 'following' && device.state.grant.state === 'authorized');
  useEffect(() => {
    if (ok) granted.current();
  }, [ok]);

  const deviceFlow = templates.data?.results.find((x) => x.id === token.data?.template)?.deviceFlow;
  const canSignInWithCode = Boolean(deviceFlow && (deviceFlow.endpoint === 'template' || token.data?.deviceAuthorizationEndpoint || token.data?.issuer));
  const showingCode = device.state.phase === 'starting' || (device.state.phase === 'following' && device.state.grant.state === 'pending');
  const busy = generate.state.phase === 'waiting' || showingCode;

  return (
    <Section title={t('connect.consent.title', 'Sign in and consent')}>
      <Typography textColor="neutral600">
        {t('connect.consent.body', 'Sign in as the mailbox (or as someone who may use it) and consent once: the token then serves both the incoming and the outgoing account.')}
      </Typography>
      <Flex gap={2}>
        <Button onClick={() => void generate.start()} loading={generate.state.phase === 'starting'} disabled={!token.data || busy || ok}>
          {t('connect.consent.button', 'Sign in and consent')}
        </Button>
        {canSignInWithCode && (
          <Button variant="secondary" startIcon={<Phone />} onClick={device.start} loading={showingCode} disabled={!token.data || busy || ok}>
            {t('token.signInWithCode', 'Sign in with a code')}
          </Button>
        )}
      </Flex>
      <GenerateTokensFeedback state={generate.state} onOpenBlocked={generate.openBlocked} onStop={generate.stop} />
      <DeviceSignInPanel state={device.state} onStop={device.stop} />
    </Section>
  );
};
