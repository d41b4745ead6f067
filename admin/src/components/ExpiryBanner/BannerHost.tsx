import { useEffect, useId, useLayoutEffect, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { useLocation } from 'react-router-dom';

import { placeBannerContainer } from './bannerContainer';
import { EventBoundary } from './EventBoundary';
import { ExpiryBanner } from './ExpiryBanner';
import { attachHost, dismissProblem, getSnapshot, refreshIfStale, subscribe, visibleProblems } from './notificationStore';

/**
 * Shows the expiry banner at the top of the page's content, whatever the page.
 *
 * Strapi 5 has no slot for a global banner. This component is rendered by the plugin's menu
 * link icon (see PluginIcon), which the left menu renders on every authenticated page, inside
 * Strapi's providers (theme, translations, router, authentication), and only for admins who
 * hold the link's permission (plugin::mail-auth.read) — exactly who may read the
 * notifications. It portals the banner into a container at the top of the content column.
 *
 * The left menu re-creates its link elements whenever it renders (each navigation), so this
 * component is remounted often: everything that must last lives in notificationStore.
 */
export const BannerHost = () => {
  const hostId = useId();
  const { pathname } = useLocation();
  const state = useSyncExternalStore(subscribe, getSnapshot);
  const [container, setContainer] = useState<HTMLElement | null>(null);

  useEffect(() => attachHost(hostId), [hostId]);
  useEffect(() => refreshIfStale(), [pathname]);

  const isOwner = state.owner === hostId;
  const problems = isOwner ? visibleProblems(state) : [];
  const showing = problems.length > 0;

  // Placed again on navigation and when the banner appears: the layout may have been rebuilt.
  useLayoutEffect(() => {
    if (isOwner) setContainer(placeBannerContainer());
  }, [isOwner, pathname, showing]);

  if (!isOwner || !container || !showing) return null;
  return createPortal(
    <EventBoundary>
      <ExpiryBanner problems={problems} onDismiss={dismissProblem} />
    </EventBoundary>,
    container
  );
};
