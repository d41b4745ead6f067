import { isIP } from 'node:net';
import { z } from 'zod';

import { allowedUrl } from '../discovery/http';

/**
 * Thunderbird's two places for a domain's autoconfig file, in its order. Thunderbird adds
 * `?emailaddress=` to the first; here the address stays on this server unless a template asks
 * for it with {address} (the answers are then kept per address rather than per domain).
 */
export const DEFAULT_AUTOCONFIG_URLS = [
  'https://autoconfig.{domain}/mail/config-v1.1.xml',
  'https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml',
];

/** A DNS server as Node's resolver takes it: 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353. */
const dnsServer = z.string().refine(
  (value) => {
    if (isIP(value)) return true;
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
    return !!m && Number(m[3]) >= 1 && Number(m[3]) <= 65_535 && (m[1] ? isIP(m[1]) === 6 : isIP(m[2]) === 4);
  },
  { message: 'must be an IP address, optionally with a port (192.0.2.1:53, [2001:db8::1]:53)' }
);

export const discoveryConfigSchema = z
  .object({
    /** DNS servers for MX and SRV lookups; the system's resolvers when unset. */
    dnsServers: z.array(dnsServer).min(1, 'must name at least one server (or be left out)').max(8).optional(),
    /**
     * Autoconfig URL templates, tried at once, the first that has a file wins: `{domain}` is the
     * address's domain (ASCII), `{address}` the address, both URL-encoded. [] switches autoconfig
     * off; unset, DEFAULT_AUTOCONFIG_URLS. No default here: Strapi fills a plugin's config with its
     * defaults deeply (lodash defaultsDeep), which would merge a list given here into the
     * default list index by index.
     */
    autoconfigUrls: z
      .array(z.string().refine((t) => t.includes('{domain}'), { message: 'must contain {domain}' }))
      .max(8)
      .optional(),
    /** Where a domain's Microsoft OpenID configuration (its tenant) is read: {base}/{domain}/v2.0/.well-known/openid-configuration. */
    microsoftLoginBaseUrl: z.string().url('must be an absolute URL').default('https://login.microsoftonline.com'),
    /**
     * Google's OAuth endpoints that discovery proposes for a Google mailbox; Google's own when
     * unset. For a stand-in of Google (tests) or a proxy in front of it.
     */
    googleOAuth: z
      .object({
        issuer: z.string().url('must be an absolute URL'),
        authorizationEndpoint: z.string().url('must be an absolute URL'),
        tokenEndpoint: z.string().url('must be an absolute URL'),
      })
      .strict()
      .optional(),
    /** Each lookup's timeout, in seconds (fractions allowed). */
    timeout: z.number().positive('must be more than 0 seconds').max(30).default(3),
    /** How long a domain's answers are reused, in seconds; 0: not at all. */
    cacheSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict()
  .default({});

export type DiscoveryConfig = z.infer<typeof discoveryConfigSchema>;

/** The URLs carry the domain (and address) to servers we do not control: https, or loopback http when allowed. */
export function discoveryUrlIssues(config: DiscoveryConfig, allowHttpLoopback: boolean): { path: (string | number)[]; message: string }[] {
  const secure = (url: string) => URL.canParse(url) && allowedUrl(url, allowHttpLoopback);
  const issues: { path: (string | number)[]; message: string }[] = [];
  const message = 'must be an https URL (http only on 127.0.0.1 with allowHttpLoopback)';
  (config.autoconfigUrls ?? []).forEach((template, i) => {
    if (!secure(template.replace(/\{domain\}/g, 'example.com').replace(/\{address\}/g, 'a'))) issues.push({ path: ['discovery', 'autoconfigUrls', i], message });
  });
  if (!secure(config.microsoftLoginBaseUrl)) issues.push({ path: ['discovery', 'microsoftLoginBaseUrl'], message });
  for (const [key, url] of Object.entries(config.googleOAuth ?? {})) {
    if (!secure(url)) issues.push({ path: ['discovery', 'googleOAuth', key], message });
  }
  return issues;
}
