import { Alert, Button } from '@strapi/design-system';

import type { GenerateTokensState } from '../../hooks/useGenerateTokens';
import { useT } from '../../utils/useT';
import { withCode } from './TokenStatusCard';

interface GenerateTokensFeedbackProps {
  state: GenerateTokensState;
  onOpenBlocked: () => void;
  onStop: () => void;
}

/** What Generate tokens is doing, and how it ended: success, or the provider's error with advice. */
export const GenerateTokensFeedback = ({ state, onOpenBlocked, onStop }: GenerateTokensFeedbackProps) => {
  const t = useT();
  const close = t('common.close', 'Close');
  switch (state.phase) {
    case 'idle':
    case 'starting':
      return null;
    case 'waiting':
      return (
        <Alert
          variant="default"
          closeLabel={close}
          onClose={onStop}
          title={t('generate.waiting.title', 'Waiting for the provider…')}
          action={
            <Button variant="tertiary" size="S" onClick={onStop}>
              {t('generate.stop', 'Stop waiting')}
            </Button>
          }
          data-testid="generate-feedback"
        >
          {state.popupClosed
            ? t('generate.waiting.closed', 'The sign-in window is closed or out of this page’s reach. This page still checks the token every few seconds.')
            : t('generate.waiting.body', 'Sign in and give consent in the window that opened. This page updates itself when the provider answers.')}
        </Alert>
      );
    case 'blocked':
      return (
        <Alert
          variant="warning"
          closeLabel={close}
          onClose={onStop}
          title={t('generate.blocked.title', 'The browser blocked the sign-in window')}
          action={
            <Button size="S" onClick={onOpenBlocked}>
              {t('generate.blocked.open', 'Open the sign-in window')}
            </Button>
          }
          data-testid="generate-feedback"
        >
          {t('generate.blocked.body', 'Allow pop-ups for this site, or open the window with the button.')}
        </Alert>
      );
    case 'done': {
      const { outcome } = state;
      if (outcome.ok) {
        return (
          <Alert
            variant="success"
            closeLabel={close}
            onClose={onStop}
            title={t('generate.ok.title', 'Tokens stored')}
            data-testid="generate-feedback"
          >
            {outcome.grantedBy
              ? t('generate.ok.grantedBy', 'Granted by {who}. The refresh job keeps the token valid from now on.', { who: outcome.grantedBy })
              : t('generate.ok.body', 'The refresh job keeps the token valid from now on.')}
          </Alert>
        );
      }
      const error = outcome.error;
      const expired = error?.code === 'STATE_EXPIRED';
      return (
        <Alert
          variant="danger"
          closeLabel={close}
          onClose={onStop}
          title={t('generate.failed.title', 'The provider did not grant the tokens')}
          data-testid="generate-feedback"
        >
          {expired
            ? `${t('generate.failed.expired', 'Nothing came back within 10 minutes: the sign-in request has expired.')} ${t('generate.failed.again', 'Click Generate tokens to start again.')}`
            : [withCode(error?.code, error?.message ?? ''), error?.advice].filter(Boolean).join(' ')}
        </Alert>
      );
    }
  }
};
