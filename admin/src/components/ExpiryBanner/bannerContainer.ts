import { PLUGIN_ID } from '../../pluginId';

export const BANNER_CONTAINER_ID = `${PLUGIN_ID}-expiry-banner`;

/**
 * The admin layout's main content column: the sibling of the main navigation that holds the
 * page. Strapi 5 renders `<nav>` (the left menu) and that column side by side in one flex row
 * (AuthenticatedLayout); the column holds Strapi's own banners and the page's `<main>`.
 * Found through the plugin's own menu link, so that another `<nav>` on the page cannot mislead.
 */
const findContentColumn = (): HTMLElement | null => {
  const ownLink = document.querySelector(`nav a[href$="/plugins/${PLUGIN_ID}"]`);
  const nav = ownLink?.closest('nav') ?? document.querySelector('nav');
  const row = nav?.parentElement;
  if (!nav || !row) return null;
  const candidates = Array.from(row.children).filter(
    (child): child is HTMLElement => child instanceof HTMLElement && child !== nav && child.tagName !== 'NAV' && child.id !== BANNER_CONTAINER_ID
  );
  return candidates.find((child) => child.querySelector('main')) ?? candidates[candidates.length - 1] ?? null;
};

const FALLBACK_STYLE: Partial<CSSStyleDeclaration> = { position: 'fixed', top: '0', left: '0', right: '0', zIndex: '10' };

/**
 * The element the banner is portalled into: the first child of the main content column, so
 * that it sits at the top of every page, above the page's header. When the layout is not the
 * one expected (a future Strapi), a bar fixed to the top of the window instead.
 */
export const placeBannerContainer = (): HTMLElement => {
  let container = document.getElementById(BANNER_CONTAINER_ID);
  if (!container) {
    container = document.createElement('div');
    container.id = BANNER_CONTAINER_ID;
  }
  const column = findContentColumn();
  if (column) {
    if (column.firstChild !== container) column.insertBefore(container, column.firstChild);
    container.removeAttribute('style');
    container.dataset.placement = 'content-column';
  } else {
    if (container.parentElement !== document.body) document.body.appendChild(container);
    Object.assign(container.style, FALLBACK_STYLE);
    container.dataset.placement = 'fixed';
  }
  return container;
};
