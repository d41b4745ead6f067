import { useFetchClient } from '@strapi/strapi/admin';
import { useCallback, useEffect, useRef, useState } from 'react';

import { toApiFailure } from '../api/errors';
import { getToken, startAuthorization, type Token } from '../api/tokens';
import { refreshNotifications } from '../components/ExpiryBanner/notificationStore';
import { PLUGIN_ID } from '../pluginId';

/** How it ended: what the callback page posts, or what the token shows afterwards. */
export interface GrantOutcome {
  ok: boolean;
  status?: string;
  grantedBy?: string | null;
  error?: { code: string; message: string; advice?: string | null };
}

export type GenerateTokensState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  /** The provider's page is open in the popup; `popupClosed` once the window reports closed. */
  | { phase: 'waiting'; popupClosed: boolean }
  /** The browser refused to open the popup: the page offers a link instead. */
  | { phase: 'blocked'; authorizationUrl: string }
  | { phase: 'done'; outcome: GrantOutcome };

/** The callback page's message (server: controllers/oauth-callback.ts). */
interface CallbackMessage {
  source: string;
  type: string;
  result: GrantOutcome & { tokenId?: number; tokenName?: string };
}

const isCallbackMessage = (data: unknown): data is CallbackMessage =>
  typeof data === 'object' &&
  data !== null &&
  (data as CallbackMessage).source === PLUGIN_ID &&
  (data as CallbackMessage).type === 'oauth-result' &&
  typeof (data as CallbackMessage).result === 'object';

const POLL_MS = 2_000;
/** The callback page posts its result here (server: controllers/oauth-callback.ts). */
const CHANNEL = `${PLUGIN_ID}-oauth`;
const POPUP_FEATURES = 'popup,width=560,height=760';

/**
 * Generate tokens: opens the provider's sign-in page in a popup without a way back to this
 * window (`opener` cut) and follows it until the callback page posts the result on a
 * BroadcastChannel (same origin only). The token is also polled while
 * waiting, because a provider page may cut the popup off from this window
 * (Cross-Origin-Opener-Policy): then no message arrives and the window even looks closed.
 */
export const useGenerateTokens = (token: Token | undefined, onTokenChanged: (token: Token) => void) => {
  const client = useFetchClient();
  const [state, setState] = useState<GenerateTokensState>({ phase: 'idle' });
  const cleanup = useRef<() => void>(() => undefined);
  const onChanged = useRef(onTokenChanged);
  onChanged.current = onTokenChanged;

  useEffect(() => () => cleanup.current(), []);

  const finish = useCallback(
    async (id: number, outcome: GrantOutcome) => {
      cleanup.current();
      setState({ phase: 'done', outcome });
      void refreshNotifications();
      try {
        onChanged.current(await getToken(client, id));
      } catch {
        // The page keeps the token it shows; the outcome is what matters here.
      }
    },
    [client]
  );

  const follow = useCallback(
    (baseline: Token, popup: Window | null, expiresIn: number) => {
      const deadline = Date.now() + expiresIn * 1000;
      const changed = (now: Token) =>
        now.grantedAt !== baseline.grantedAt || (now.lastError?.at ?? null) !== (baseline.lastError?.at ?? null);

      const onMessage = (event: MessageEvent) => {
        if (!isCallbackMessage(event.data)) return;
        const { result } = event.data;
        if (result.tokenId !== undefined && result.tokenId !== baseline.id) return;
        void finish(baseline.id, result);
      };
      // Only pages of this origin can post on the channel (the callback page does).
      const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
      channel?.addEventListener('message', onMessage);

      let polling = false;
      const timer = window.setInterval(async () => {
        if (polling) return;
        polling = true;
        try {
          if (Date.now() > deadline) {
            void finish(baseline.id, {
              ok: false,
              error: { code: 'STATE_EXPIRED', message: 'expired', advice: null },
            });
            return;
          }
          const now = await getToken(client, baseline.id);
          if (changed(now)) {
            void finish(
              baseline.id,
              now.grantedAt !== baseline.grantedAt
                ? { ok: true, status: now.status, grantedBy: now.grantedBy }
                : { ok: false, status: now.status, error: now.lastError ?? undefined }
            );
            return;
          }
          if (popup?.closed) setState((s) => (s.phase === 'waiting' && !s.popupClosed ? { phase: 'waiting', popupClosed: true } : s));
        } catch {
          // A failed poll is retried at the next tick.
        } finally {
          polling = false;
        }
      }, POLL_MS);

      cleanup.current = () => {
        channel?.close();
        window.clearInterval(timer);
        cleanup.current = () => undefined;
      };
    },
    [client, finish]
  );

  const start = useCallback(async () => {
    if (!token) return;
    cleanup.current();
    // Opened now, in the click, so that popup blockers let it through; pointed at the provider below.
    const popup = window.open('', `${PLUGIN_ID}-oauth-${token.id}`, POPUP_FEATURES);
    // Cut the way back before the popup goes to the provider: no page on the way can navigate
    // this window (reverse tabnabbing). This page keeps its handle to the popup.
    if (popup) popup.opener = null;
    setState({ phase: 'starting' });
    try {
      const answer = await startAuthorization(client, token.id);
      if (!popup || popup.closed) {
        setState({ phase: 'blocked', authorizationUrl: answer.authorizationUrl });
        follow(token, null, answer.expiresIn);
        return;
      }
      popup.location.href = answer.authorizationUrl;
      setState({ phase: 'waiting', popupClosed: false });
      follow(token, popup, answer.expiresIn);
    } catch (error) {
      popup?.close();
      const failure = toApiFailure(error);
      setState({
        phase: 'done',
        outcome: { ok: false, error: { code: failure.code ?? String(failure.status ?? ''), message: failure.message, advice: failure.advice } },
      });
    }
  }, [client, follow, token]);

  /** The blocked case: the admin opens the page through a link, in the click. */
  const openBlocked = useCallback(() => {
    if (state.phase !== 'blocked' || !token) return;
    // noopener: window.open returns null then, so the popup cannot be followed, only the result (channel, polling).
    window.open(state.authorizationUrl, `${PLUGIN_ID}-oauth-${token.id}`, `${POPUP_FEATURES},noopener`);
    setState({ phase: 'waiting', popupClosed: false });
  }, [state, token]);

  const stop = useCallback(() => {
    cleanup.current();
    setState({ phase: 'idle' });
  }, []);

  return { state, start, openBlocked, stop };
};
