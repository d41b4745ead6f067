import type { MxRecord } from 'node:dns';

import { dnsFailure, isNoData, type DnsResolver } from './dns';
import type { KnownProvider } from './known-domains';
import { withTimeout } from './timeout';
import type { LookupOutcome } from './types';

/** Outlook.com's own MX hosts (outlook-com.olc.protection.outlook.com): personal Microsoft accounts. */
const MICROSOFT_CONSUMER_MX = '.olc.protection.outlook.com';

/** MX hosts of the hosted mail services: Gmail and Google Workspace, Microsoft 365 (Exchange Online Protection) and Outlook.com. */
const MX_SUFFIXES: { provider: KnownProvider; suffixes: string[] }[] = [
  { provider: 'google', suffixes: ['.google.com', '.googlemail.com'] },
  { provider: 'microsoft', suffixes: ['.mail.protection.outlook.com', MICROSOFT_CONSUMER_MX] },
];

/** Whether an MX host is Outlook.com's (the `consumers` tenant) rather than Microsoft 365's. */
export const isMicrosoftConsumerMx = (host: string | undefined) => !!host?.endsWith(MICROSOFT_CONSUMER_MX);

export interface MxFinding {
  provider?: KnownProvider;
  /** The MX host that told the provider. */
  host?: string;
  /** RFC 7505: a single MX of "." says the domain accepts no mail. */
  nullMx: boolean;
}

/** Which hosted service the domain's mail goes to: the most preferred MX host that belongs to one. */
export function classifyMx(records: MxRecord[]): MxFinding {
  const sorted = [...records].sort((a, b) => a.priority - b.priority);
  if (sorted.length === 1 && (sorted[0].exchange === '' || sorted[0].exchange === '.')) return { nullMx: true };
  for (const { exchange } of sorted) {
    const host = exchange.toLowerCase().replace(/\.$/, '');
    const rule = MX_SUFFIXES.find((r) => r.suffixes.some((s) => host.endsWith(s)));
    if (rule) return { provider: rule.provider, host, nullMx: false };
  }
  return { nullMx: false };
}

export async function lookupMx(resolver: DnsResolver, domain: string, timeoutMs: number): Promise<LookupOutcome<MxFinding>> {
  const checked = (result: 'found' | 'nothing' | 'error') => [{ lookup: 'mx' as const, target: domain, result }];
  try {
    const finding = classifyMx(await withTimeout(timeoutMs, () => resolver.resolveMx(domain)));
    if (finding.nullMx) {
      return {
        error: { lookup: 'mx', code: 'NULL_MX', message: `${domain} says it accepts no mail (a null MX record, RFC 7505)` },
        checked: checked('error'),
      };
    }
    return { value: finding, checked: checked(finding.provider ? 'found' : 'nothing') };
  } catch (e) {
    if (isNoData(e)) return { value: { nullMx: false }, checked: checked('nothing') };
    return { error: { lookup: 'mx', ...dnsFailure(e, domain) }, checked: checked('error') };
  }
}
