import type { Core } from '@strapi/strapi';

import { Discovery } from '../discovery/discover';
import type { DiscoveryResult } from '../discovery/types';
import { DEFAULT_AUTOCONFIG_URLS, type DiscoveryConfig } from '../config/discovery';
import { PLUGIN_ID } from '../plugin-id';
import { discoverInputSchema } from '../validation/discover-input';
import { parseInput } from '../validation/token-input';

/** Mailbox discovery for the setup wizard: `discover({ address })` (see docs/discovery.md). */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const discovery = new Discovery();
  const config = <T>(key: string) => strapi.config.get(`plugin::${PLUGIN_ID}.${key}`) as T;

  return {
    /** Validates `{ address }` (400 naming the field) and answers what was found; lookups that fail are in `errors`. */
    async discover(body: unknown): Promise<DiscoveryResult> {
      const { address } = parseInput(discoverInputSchema, body);
      const options = config<DiscoveryConfig>('discovery');
      const result = await discovery.discover(address, {
        dnsServers: options.dnsServers,
        autoconfigUrls: options.autoconfigUrls ?? DEFAULT_AUTOCONFIG_URLS,
        microsoftLoginBaseUrl: options.microsoftLoginBaseUrl,
        timeoutMs: Math.round(options.timeout * 1000),
        cacheMs: options.cacheSeconds * 1000,
        allowHttpLoopback: config<boolean>('allowHttpLoopback'),
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
