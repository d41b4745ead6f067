import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where the plugin may connect to when an admin gives it a host or URL (mail servers, token
 * endpoints, issuers). Without options: anywhere. Why there are options at all — SSRF: whoever
 * may create or update a token or an account makes this server open connections to a host of
 * their choice, from inside the network: a cloud metadata service (169.254.169.254), an admin
 * interface on 10.x, a database on localhost. The answers are mostly not shown, but error
 * messages, timings and Test & confirm's steps tell a lot, and credentials are sent along.
 *
 * - `allowedHosts`: host names (`imap.example.com`) or `*.example.com` (the domain's sub-hosts);
 *   when set, only these.
 * - `deniedNetworks`: CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or `private` for all of
 *   PRIVATE_NETWORKS; a host is refused when any of its addresses is in one.
 *
 * The check resolves the name just before connecting; a DNS server that answers differently a
 * moment later (rebinding) is not caught here: an egress firewall is the stronger guard.
 */
export interface NetworkPolicyOptions {
  allowedHosts?: string[];
  deniedNetworks?: string[];
}

/** Loopback, private (RFC 1918, RFC 4193), link-local (the metadata services), CGNAT and "this" networks. */
export const PRIVATE_NETWORKS = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
  '::1/128', '::/128', 'fc00::/7', 'fe80::/10',
];

/** Why a CIDR cannot be used, or undefined (for the config's validation). */
export function cidrProblem(cidr: string): string | undefined {
  if (cidr === 'private') return undefined;
  const [address, bits, extra] = cidr.split('/');
  const family = isIP(address ?? '');
  const max = family === 4 ? 32 : 128;
  if (!family || extra !== undefined || !/^\d+$/.test(bits ?? '') || Number(bits) > max) return `"${cidr}" is not a network such as 10.0.0.0/8, fd00::/8 or private`;
  return undefined;
}

export interface NetworkPolicy {
  /** Why `host` may not be connected to, or undefined when it may. */
  problem(host: string): Promise<string | undefined>;
}

const hostMatches = (host: string, pattern: string) => {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
};

export function networkPolicy(options: NetworkPolicyOptions): NetworkPolicy | undefined {
  const allowed = options.allowedHosts?.length ? options.allowedHosts : undefined;
  const denied = options.deniedNetworks?.length ? new BlockList() : undefined;
  for (const cidr of (options.deniedNetworks ?? []).flatMap((c) => (c === 'private' ? PRIVATE_NETWORKS : [c]))) {
    const [address, bits] = cidr.split('/');
    denied!.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  if (!allowed && !denied) return undefined;
  return {
    async problem(rawHost: string) {
      const host = rawHost.replace(/^\[|\]$/g, '').toLowerCase();
      if (allowed && !allowed.some((p) => hostMatches(host, p))) {
        return `${host} is not among the plugin's allowedHosts (${allowed.join(', ')})`;
      }
      if (!denied) return undefined;
      let addresses: { address: string; family: number }[];
      try {
        addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
      } catch {
        return undefined; // a name that does not resolve is no address to protect; the connection fails on its own
      }
      for (const { address, family } of addresses) {
        // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is checked as what it is.
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
        const check = mapped ? denied.check(mapped, 'ipv4') : denied.check(address, family === 6 ? 'ipv6' : 'ipv4');
        if (check) return `${host} is ${address === host ? 'an address' : `at ${address}, an address`} in the plugin's deniedNetworks`;
      }
      return undefined;
    },
  };
}
