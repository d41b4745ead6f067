import type { TokenNotification } from '../../api/notifications';
import { PLUGIN_ID } from '../../pluginId';

const STORAGE_KEY = `${PLUGIN_ID}:dismissed-notifications`;

/**
 * A problem's identity: the token, what is wrong, and since when. A token that recovers and
 * fails again gets a new `since`, so a dismissal never hides a new problem.
 */
export const problemKey = (n: Pick<TokenNotification, 'tokenId' | 'kind' | 'since'>) => `${n.tokenId}|${n.kind}|${n.since ?? ''}`;

/** The problems dismissed in this browser tab's session (sessionStorage: gone with the tab). */
export const readDismissed = (): Set<string> => {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    // Storage disabled or corrupted: nothing is dismissed.
    return new Set();
  }
};

export const writeDismissed = (keys: Set<string>): void => {
  try {
    if (keys.size) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify([...keys]));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled or full: the dismissal lasts until the page is reloaded.
  }
};
