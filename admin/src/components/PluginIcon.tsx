import { Key } from '@strapi/icons';
import type { SVGProps } from 'react';

import { BannerHost } from './ExpiryBanner/BannerHost';

/**
 * The menu link's icon, and the host of the expiry banner: the left menu renders this on every
 * admin page for admins who may read the plugin's data (see BannerHost for why here).
 */
const PluginIcon = (props: SVGProps<SVGSVGElement>) => (
  <>
    <Key {...props} />
    <BannerHost />
  </>
);

export { PluginIcon };
