import type { Core } from '@strapi/strapi';

import { Discovery } from '../discovery/discover';
import type { DiscoveryResult } from '../discovery/types';
import { DEFAULT_AUTOCONFIG_URLS } from '../config/discovery';
import { pluginConfig } from '../config/plugin-config';
import { discoverInputSchema } from '../validation/discover-input';
import { parseInput } from '../validation/token-input';

/** Mailbox discovery for the setup wizard: `discover({ address })` (see docs/discovery.md). */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const discovery = new Discovery();

  return {
    /** Validates `{ address }` (400 naming the field) and answers what was found; lookups that fail are in `errors`. */
    async discover(body: unknown): Promise<DiscoveryResult> {
      const { address } = parseInput(discoverInputSchema, body);
      const options = pluginConfig(strapi, 'discovery');
      const result = await discovery.discover(address, {
        dnsServers: options.dnsServers,
        autoconfigUrls: options.autoconfigUrls ?? DEFAULT_AUTOCONFIG_URLS,
        microsoftLoginBaseUrl: options.microsoftLoginBaseUrl,
        timeoutMs: Math.round(options.timeout * 1000),
        cacheMs: options.cacheSeconds * 1000,
        allowHttpLoopback: pluginConfig(strapi, 'allowHttpLoopback'),
      });
      // Google's endpoints as the options set them (a stand-in in tests); the template's otherwise.
      if (result.oauth?.template === 'google' && options.googleOAuth) result.oauth = { ...result.oauth, ...options.googleOAuth };
      return result;
    },

    clearCache(): void {
      discovery.clearCache();
    },
  };
};
