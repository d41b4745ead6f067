import { promises as dns } from 'node:dns';

import { LookupTimeout } from './timeout';
import type { LookupErrorCode } from './types';

export type DnsResolver = InstanceType<typeof dns.Resolver>;

/**
 * A resolver of its own, so that the plugin's `discovery.dnsServers` apply to discovery only
 * (tests point it at a local server; `host:port` and `[v6]:port` as Node accepts them). One
 * try per server within the lookup's timeout: a slow answer fails the lookup, not the request.
 */
export function createResolver(options: { servers?: string[]; timeoutMs: number }): DnsResolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: 1 });
  if (options.servers?.length) resolver.setServers(options.servers);
  return resolver;
}

/** Node's DNS error codes: the name does not exist, or has no record of the type asked. */
export const isNxdomain = (e: unknown) => (e as { code?: string })?.code === 'ENOTFOUND';
export const isNoData = (e: unknown) => (e as { code?: string })?.code === 'ENODATA';

/** A failed query as the answer's error: a timeout, or what the server said. */
export function dnsFailure(e: unknown, name: string): { code: LookupErrorCode; message: string } {
  const code = (e as { code?: string })?.code;
  if (e instanceof LookupTimeout || code === 'ETIMEOUT') return { code: 'TIMEOUT', message: `DNS gave no answer for ${name} in time` };
  if (code === 'ENOTFOUND') return { code: 'NXDOMAIN', message: `${name} does not exist in DNS (NXDOMAIN)` };
  return { code: 'DNS_ERROR', message: `DNS query for ${name} failed (${code ?? (e as Error)?.message ?? 'unknown error'})` };
}
