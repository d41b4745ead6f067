import { useFetchClient } from '@strapi/strapi/admin';
import { useCallback, useEffect, useRef, useState } from 'react';

import { toApiFailure, type ApiFailure } from '../api/errors';
import { cancelDeviceAuthorization, getDeviceAuthorization, getToken, startDeviceAuthorization, type DeviceGrant, type Token } from '../api/tokens';
import { refreshNotifications } from '../components/ExpiryBanner/notificationStore';

export type DeviceSignInState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  /** The code is shown; `grant.state` is pending until the server saw the provider answer. */
  | { phase: 'following'; grant: DeviceGrant }
  /** The provider was not even asked (a refused scope, no device endpoint) or could not be reached. */
  | { phase: 'failed'; failure: ApiFailure };

/** How often this page asks the server; the server itself polls the provider at its interval. */
const POLL_MS = 2_000;

/**
 * Sign in with a code: asks the server for a user code, then follows the grant (GET
 * /tokens/:id/device-authorize) until it is authorized, denied or expired, and reloads the
 * token when it ended. Nothing here talks to the provider: any instance of the server polls it.
 */
export const useDeviceSignIn = (token: Token | undefined, onTokenChanged: (token: Token) => void) => {
  const client = useFetchClient();
  const [state, setState] = useState<DeviceSignInState>({ phase: 'idle' });
  const current = useRef(state);
  current.current = state;
  const timer = useRef<number | undefined>(undefined);
  const onChanged = useRef(onTokenChanged);
  onChanged.current = onTokenChanged;

  const clear = () => {
    if (timer.current !== undefined) window.clearTimeout(timer.current);
    timer.current = undefined;
  };
  useEffect(() => clear, []);

  const follow = useCallback(
    (id: number) => {
      clear();
      timer.current = window.setTimeout(async () => {
        try {
          const grant = await getDeviceAuthorization(client, id);
          setState((s) => (s.phase === 'following' ? { phase: 'following', grant } : s));
          if (grant.state === 'pending') return follow(id);
          void refreshNotifications();
          onChanged.current(await getToken(client, id));
        } catch {
          follow(id); // a failed look is tried again at the next tick
        }
      }, POLL_MS);
    },
    [client]
  );

  const start = useCallback(async () => {
    if (!token) return;
    clear();
    setState({ phase: 'starting' });
    try {
      const grant = await startDeviceAuthorization(client, token.id);
      setState({ phase: 'following', grant });
      follow(token.id);
    } catch (error) {
      setState({ phase: 'failed', failure: toApiFailure(error) });
    }
  }, [client, follow, token]);

  /** Stops following; a pending code is cancelled at the server, which stops polling for it. */
  const stop = useCallback(() => {
    clear();
    const s = current.current;
    if (s.phase === 'following' && s.grant.state === 'pending') void cancelDeviceAuthorization(client, s.grant.tokenId).catch(() => undefined);
    setState({ phase: 'idle' });
  }, [client]);

  return { state, start, stop };
};
