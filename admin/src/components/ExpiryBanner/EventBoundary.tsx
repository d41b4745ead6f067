import type { ReactNode, SyntheticEvent } from 'react';

const stop = (event: SyntheticEvent) => event.stopPropagation();

/**
 * React events bubble along the component tree, not the DOM: from the banner, which is
 * portalled out of the plugin's menu link, they would reach that link (a click would also
 * navigate to the plugin) and its tooltip (hovering or focusing the banner would open the
 * "Mail Auth" tooltip). Exactly those events stop here; pointerdown and the rest go on to the
 * document as usual, so that open menus and popovers still close on a click in the banner.
 */
export const EventBoundary = ({ children }: { children: ReactNode }) => (
  <div onClick={stop} onPointerMove={stop} onFocus={stop} onBlur={stop}>
    {children}
  </div>
);
