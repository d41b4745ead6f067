import type { SrvRecord } from 'node:dns';

import type { AccountType } from '../inbound/account-types';
import { toAsciiDomain } from './address';
import { dnsFailure, isNoData, isNxdomain, type DnsResolver } from './dns';
import { withTimeout } from './timeout';
import type { Checked, InboundSetting, LookupError, LookupOutcome, OutboundSetting } from './types';

/**
 * RFC 6186 service records, with RFC 8314's implicit-TLS submission: the service name, the
 * account type it stands for and how the connection is secured (_imap and _pop3 with STARTTLS,
 * as RFC 8314 §4.1 asks of clients that use them).
 */
const SERVICES = [
  { service: '_imaps._tcp', direction: 'inbound', type: 'imaps', security: 'tls' },
  { service: '_imap._tcp', direction: 'inbound', type: 'imap-starttls', security: 'starttls' },
  { service: '_pop3s._tcp', direction: 'inbound', type: 'pop3s', security: 'tls' },
  { service: '_pop3._tcp', direction: 'inbound', type: 'pop3-starttls', security: 'starttls' },
  { service: '_submissions._tcp', direction: 'outbound', type: 'smtp', security: 'tls' },
  { service: '_submission._tcp', direction: 'outbound', type: 'smtp', security: 'starttls' },
] as const;

type Service = (typeof SERVICES)[number];

export interface SrvFinding {
  inbound: InboundSetting[];
  outbound: OutboundSetting[];
  /** The record names that had servers, per direction, for the answer's `found`. */
  names: { inbound: string[]; outbound: string[] };
}

/** One service's records as settings, best first (lowest priority, then highest weight); "." means not offered (RFC 6186 §4). */
export function srvSettings(service: Service, records: SrvRecord[]): (InboundSetting | OutboundSetting)[] {
  return [...records]
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
    .flatMap((r) => {
      const host = toAsciiDomain(r.name);
      if (!host || r.port < 1 || r.port > 65_535) return [];
      // SRV records say nothing about authentication: a password is what such servers take.
      return [{ type: service.type, host, port: r.port, security: service.security, auth: ['password' as const], found: 'srv' as const }];
    });
}

export async function lookupSrv(resolver: DnsResolver, domain: string, timeoutMs: number): Promise<LookupOutcome<SrvFinding>> {
  const finding: SrvFinding = { inbound: [], outbound: [], names: { inbound: [], outbound: [] } };
  const checked: Checked[] = [];
  const failures: { name: string; failure: ReturnType<typeof dnsFailure> }[] = [];
  await Promise.all(
    SERVICES.map(async (service) => {
      const name = `${service.service}.${domain}`;
      try {
        const settings = srvSettings(service, await withTimeout(timeoutMs, () => resolver.resolveSrv(name)));
        if (service.direction === 'inbound') finding.inbound.push(...(settings as InboundSetting[]));
        else finding.outbound.push(...(settings as OutboundSetting[]));
        if (settings.length) finding.names[service.direction].push(name);
        checked.push({ lookup: 'srv', target: name, result: settings.length ? 'found' : 'nothing' });
      } catch (e) {
        if (isNxdomain(e) || isNoData(e)) {
          checked.push({ lookup: 'srv', target: name, result: 'nothing' });
        } else {
          failures.push({ name, failure: dnsFailure(e, name) });
          checked.push({ lookup: 'srv', target: name, result: 'error' });
        }
      }
    })
  );
  // In the order of SERVICES, whatever order the answers came in.
  const order = (target: string) => SERVICES.findIndex((s) => target.startsWith(`${s.service}.`));
  checked.sort((a, b) => order(a.target) - order(b.target));
  // Stable sorts: within a service, the records' own order stays.
  const rank = (s: { type: string; security: string }) => SERVICES.findIndex((x) => x.type === s.type && x.security === s.security);
  for (const list of [finding.inbound, finding.outbound]) list.sort((a, b) => rank(a) - rank(b));
  for (const list of [finding.names.inbound, finding.names.outbound]) list.sort((a, b) => order(a) - order(b));
  return { value: finding, error: summarize(failures), checked };
}

/** One error for the SRV queries that failed: what they have in common, and their names. */
function summarize(failures: { name: string; failure: ReturnType<typeof dnsFailure> }[]): LookupError | undefined {
  if (!failures.length) return undefined;
  if (failures.length === 1) return { lookup: 'srv', ...failures[0].failure };
  const codes = new Set(failures.map((f) => f.failure.code));
  const code = codes.size === 1 ? failures[0].failure.code : 'DNS_ERROR';
  const what = code === 'TIMEOUT' ? 'DNS gave no answer in time' : 'DNS queries failed';
  return { lookup: 'srv', code, message: `${what} for ${failures.map((f) => f.name).sort().join(', ')}` };
}
