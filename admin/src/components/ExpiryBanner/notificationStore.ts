import { getFetchClient, isFetchError } from '@strapi/strapi/admin';

import { getNotifications, type TokenNotification } from '../../api/notifications';
import { problemKey, readDismissed, writeDismissed } from './dismissals';

/**
 * The banner's data, shared by the whole admin panel and kept outside React: the component
 * that shows the banner is remounted on every navigation (see BannerHost), and its data,
 * timer and dismissals must survive that.
 *
 * Requests: one when the first host mounts, then one a minute while a host is mounted and the
 * tab is visible; navigating or coming back to the tab asks again only when the last answer is
 * a minute old. The plugin's own pages call `refreshNotifications()` after changing a token, so
 * that the banner follows what the admin just did without waiting for the next poll.
 */
export const POLL_INTERVAL_MS = 60_000;

export interface BannerState {
  notifications: TokenNotification[];
  dismissed: ReadonlySet<string>;
  /** The host that renders the banner (the first one mounted); others render nothing. */
  owner: string | null;
}

let state: BannerState = { notifications: [], dismissed: new Set(), owner: null };
let dismissedLoaded = false;
let loadedAt = 0;
let inflight: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
const hosts: string[] = [];
const listeners = new Set<() => void>();

const setState = (patch: Partial<BannerState>) => {
  state = { ...state, ...patch };
  listeners.forEach((listener) => listener());
};

const isVisible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

const schedule = () => {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!hosts.length) return;
  const wait = Math.max(0, loadedAt + POLL_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    // A hidden tab does not poll; it asks again when it becomes visible (onVisibilityChange).
    if (isVisible()) void refreshNotifications();
  }, wait);
};

/** Fetches now (one request at a time) and schedules the next poll. */
export const refreshNotifications = (): Promise<void> => {
  if (inflight) return inflight;
  inflight = (async () => {
    try {
      const notifications = await getNotifications(getFetchClient());
      // Forget dismissals of problems that are over, so that sessionStorage stays small.
      const current = new Set(notifications.map(problemKey));
      const dismissed = new Set([...state.dismissed].filter((key) => current.has(key)));
      if (dismissed.size !== state.dismissed.size) writeDismissed(dismissed);
      setState({ notifications, dismissed });
    } catch (error) {
      // Signed out or the read permission withdrawn: show nothing. Anything else (network,
      // restart): keep what is shown and try again at the next poll.
      if (isFetchError(error) && (error.status === 401 || error.status === 403)) setState({ notifications: [] });
    } finally {
      loadedAt = Date.now();
      inflight = null;
      schedule();
    }
  })();
  return inflight;
};

/** Fetches when the last answer is at least a poll interval old. */
export const refreshIfStale = (): void => {
  if (Date.now() - loadedAt >= POLL_INTERVAL_MS) void refreshNotifications();
};

const onVisibilityChange = () => {
  if (isVisible()) refreshIfStale();
};

/** A component that may show the banner mounted; returns its unmount. */
export const attachHost = (id: string): (() => void) => {
  if (!dismissedLoaded) {
    dismissedLoaded = true;
    setState({ dismissed: readDismissed() });
  }
  hosts.push(id);
  if (hosts.length === 1) {
    document.addEventListener('visibilitychange', onVisibilityChange);
    refreshIfStale();
    schedule();
  }
  setState({ owner: hosts[0] });
  return () => {
    const index = hosts.indexOf(id);
    if (index >= 0) hosts.splice(index, 1);
    if (!hosts.length) {
      document.removeEventListener('visibilitychange', onVisibilityChange);
      schedule();
    }
    setState({ owner: hosts[0] ?? null });
  };
};

/** Hides a problem for the rest of this tab's session. */
export const dismissProblem = (notification: TokenNotification): void => {
  const dismissed = new Set(state.dismissed).add(problemKey(notification));
  writeDismissed(dismissed);
  setState({ dismissed });
};

export const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
};

export const getSnapshot = (): BannerState => state;

/** The problems the banner shows: every current one that was not dismissed. */
export const visibleProblems = (s: BannerState): TokenNotification[] =>
  s.notifications.filter((n) => !s.dismissed.has(problemKey(n)));
