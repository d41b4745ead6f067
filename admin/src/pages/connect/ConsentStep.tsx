import { Button, Flex, Typography } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { useEffect, useRef } from 'react';

import { getToken } from '../../api/tokens';
import { Section } from '../../components/tokens/TokenForm';
import { GenerateTokensFeedback } from '../../components/tokens/GenerateTokensFeedback';
import { useGenerateTokens } from '../../hooks/useGenerateTokens';
import { useRemote } from '../../hooks/useRemote';
import { useT } from '../../utils/useT';

/**
 * How the consent is obtained. `popup`: the authorization-code flow in a popup (Generate
 * tokens). A device-code flow (POST /tokens/:id/device-authorize, on another branch) is to
 * be a second method here, showing its user code and verification URI instead of the button.
 */
export type ConsentMethod = 'popup';

interface ConsentStepProps {
  tokenId: number;
  method?: ConsentMethod;
  /** The provider granted the tokens: the wizard goes on to Test & confirm. */
  onGranted: () => void;
}

/** One "Sign in and consent" for both accounts: the token's scope covers inbound and outbound. */
export const ConsentStep = ({ tokenId, method = 'popup', onGranted }: ConsentStepProps) => {
  const t = useT();
  const client = useFetchClient();
  const token = useRemote(() => getToken(client, tokenId), String(tokenId));
  const generate = useGenerateTokens(token.data, token.setData);
  const granted = useRef(onGranted);
  granted.current = onGranted;
  const ok = generate.state.phase === 'done' && generate.state.outcome.ok;
  useEffect(() => {
    if (ok) granted.current();
  }, [ok]);

  return (
    <Section title={t('connect.consent.title', 'Sign in and consent')}>
      <Typography textColor="neutral600">
        {t('connect.consent.body', 'Sign in as the mailbox (or as someone who may use it) and consent once: the token then serves both the incoming and the outgoing account.')}
      </Typography>
      {method === 'popup' && (
        <Flex gap={2}>
          <Button
            onClick={() => void generate.start()}
            loading={generate.state.phase === 'starting'}
            disabled={!token.data || generate.state.phase === 'waiting' || ok}
          >
            {t('connect.consent.button', 'Sign in and consent')}
          </Button>
        </Flex>
      )}
      <GenerateTokensFeedback state={generate.state} onOpenBlocked={generate.openBlocked} onStop={generate.stop} />
    </Section>
  );
};
