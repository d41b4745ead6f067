import type { ParsedAddress } from './address';
import { resolveUsername, type AutoconfigFinding } from './autoconfig-xml';
import { lookupAutoconfig } from './autoconfig';
import { TtlCache } from './cache';
import { createResolver } from './dns';
import { knownProvider, type KnownProvider } from './known-domains';
import { lookupMicrosoftTenant, type TenantFinding } from './microsoft-tenant';
import { isMicrosoftConsumerMx, lookupMx, type MxFinding } from './mx';
import { googleOAuth, microsoftOAuth, providerServers } from './provider-settings';
import { lookupSrv, type SrvFinding } from './srv';
import type { DiscoveryResult, Finding, How, InboundSetting, LookupError, LookupOutcome, OAuthSetting, OutboundSetting, ServerSetting } from './types';

export interface DiscoveryOptions {
  /** DNS servers (`ip`, `ip:port`, `[v6]:port`); the system's when unset. */
  dnsServers?: string[];
  /** Autoconfig URL templates ({domain}, {address}), in order of preference. */
  autoconfigUrls: string[];
  /** Where a domain's Microsoft OpenID configuration is read. */
  microsoftLoginBaseUrl: string;
  /** Each lookup's own timeout. */
  timeoutMs: number;
  /** How long a domain's lookups are reused; 0: not at all. */
  cacheMs: number;
  allowHttpLoopback: boolean;
}

/** What the network said about a domain; kept in the cache, address-independent. */
interface DomainLookups {
  mx: LookupOutcome<MxFinding>;
  tenant: LookupOutcome<TenantFinding>;
  autoconfig: LookupOutcome<AutoconfigFinding & { url: string }>;
  srv: LookupOutcome<SrvFinding>;
}

/** Errors that are answers, not failures: worth keeping for the cache's time. */
const LASTING = new Set<LookupError['code']>(['NXDOMAIN', 'NULL_MX']);

/** Runs every lookup of a domain at once, each within the timeout. */
async function lookUp(domain: string, address: string, options: DiscoveryOptions): Promise<DomainLookups> {
  const resolver = createResolver({ servers: options.dnsServers, timeoutMs: options.timeoutMs });
  try {
    const [mx, tenant, autoconfig, srv] = await Promise.all([
      lookupMx(resolver, domain, options.timeoutMs),
      lookupMicrosoftTenant(domain, { baseUrl: options.microsoftLoginBaseUrl, timeoutMs: options.timeoutMs, allowHttpLoopback: options.allowHttpLoopback }),
      lookupAutoconfig(domain, address, { urls: options.autoconfigUrls, timeoutMs: options.timeoutMs, allowHttpLoopback: options.allowHttpLoopback }),
      lookupSrv(resolver, domain, options.timeoutMs),
    ]);
    return { mx, tenant, autoconfig, srv };
  } finally {
    resolver.cancel(); // queries that timed out: no answer is awaited any more
  }
}

/** Autoconfig's servers first (they say how to log in), then SRV's; the same server once. */
function merge<T extends ServerSetting>(...lists: T[][]): T[] {
  const seen = new Set<string>();
  return lists.flat().filter((s) => {
    const key = `${s.type}|${s.host}|${s.port}`;
    return !seen.has(key) && !!seen.add(key);
  });
}

/** A known consumer domain: answered without a lookup. */
function composeKnown(parsed: ParsedAddress, provider: KnownProvider): DiscoveryResult {
  const { address, domain, displayDomain } = parsed;
  return {
    address,
    domain,
    displayDomain,
    provider,
    ...providerServers(provider, 'known-domain', address),
    oauth: provider === 'google' ? googleOAuth('known-domain') : microsoftOAuth(undefined, 'consumers', 'known-domain'),
    found: settled('known-domain', domain),
    errors: [],
    checked: [],
    cached: false,
  };
}

function compose(parsed: ParsedAddress, lookups: DomainLookups, cached: boolean): DiscoveryResult {
  const { mx, tenant, autoconfig, srv } = lookups;
  const common = {
    address: parsed.address,
    domain: parsed.domain,
    displayDomain: parsed.displayDomain,
    cached,
    checked: [...mx.checked, ...tenant.checked, ...autoconfig.checked, ...srv.checked],
  };
  // A tenant of personal accounts says nothing about a domain's own mail.
  const tenantFinding = tenant.value && tenant.value.tenantId !== 'consumers' ? tenant.value : undefined;

  const byMx = mx.value?.provider;
  if (byMx === 'google') {
    const { host } = mx.value!;
    return { ...common, provider: 'google', ...providerServers('google', 'mx', parsed.address), oauth: googleOAuth('mx'), found: settled('mx', host!), errors: errorsOf(mx) };
  }
  if (byMx === 'microsoft' || tenantFinding) {
    // Without a Microsoft MX, mail passes a filter on its way to Microsoft 365: the tenant says where it ends up.
    const [how, detail]: [How, string] = byMx ? ['mx', mx.value!.host!] : ['openid-configuration', tenantFinding!.url];
    // Outlook.com (personal accounts) rather than Microsoft 365, when no tenant of the domain's own was found
    const consumers = tenant.value?.tenantId === 'consumers' || isMicrosoftConsumerMx(mx.value?.host);
    return {
      ...common,
      provider: 'microsoft',
      ...(tenantFinding ? { tenantId: tenantFinding.tenantId } : {}),
      ...providerServers('microsoft', how, parsed.address),
      oauth: microsoftOAuth(tenantFinding, consumers ? 'consumers' : 'organizations', how),
      found: settled(how, detail, tenantFinding?.url),
      errors: errorsOf(mx, tenant),
    };
  }
  return { ...common, ...composeOther(parsed, autoconfig.value, srv.value), errors: errorsOf(mx, tenant, autoconfig, srv) };
}

const errorsOf = (...outcomes: LookupOutcome<unknown>[]): LookupError[] => outcomes.flatMap((o) => (o.error ? [o.error] : []));

/** Another provider's servers: autoconfig's, then SRV's, with the user names for this address. */
function composeOther(parsed: ParsedAddress, auto: DomainLookups['autoconfig']['value'], srv: SrvFinding | undefined) {
  const withUsername = <T extends ServerSetting>(s: T): T => {
    const username = resolveUsername(s.username, parsed.local, parsed.domain);
    return username ? { ...s, username } : s;
  };
  const inbound: InboundSetting[] = merge(auto?.inbound ?? [], srv?.inbound ?? []).map(withUsername);
  const outbound: OutboundSetting[] = merge(auto?.outbound ?? [], srv?.outbound ?? []).map(withUsername);
  const found: Finding[] = [];
  for (const [what, list] of [['inbound', inbound], ['outbound', outbound]] as const) {
    if (list.some((s) => s.found === 'autoconfig')) found.push({ what, how: 'autoconfig', detail: auto!.url });
    if (list.some((s) => s.found === 'srv')) found.push({ what, how: 'srv', detail: srv!.names[what].join(', ') });
  }
  const oauth: OAuthSetting | undefined = auto?.oauth ? { template: 'generic', ...auto.oauth, found: 'autoconfig' } : undefined;
  if (oauth) found.push({ what: 'oauth', how: 'autoconfig', detail: auto!.url });
  return { provider: 'other' as const, inbound, outbound, ...(oauth ? { oauth } : {}), found };
}

/**
 * How a provider's answer was found: the provider, then the preset servers and the token
 * template that follow from it; with a tenant, it and the OAuth endpoints come from its OpenID
 * configuration.
 */
function settled(how: How, detail: string, tenantUrl?: string): Finding[] {
  return [
    { what: 'provider', how, detail },
    ...(tenantUrl ? [{ what: 'tenant' as const, how: 'openid-configuration' as const, detail: tenantUrl }] : []),
    { what: 'inbound', how, detail },
    { what: 'outbound', how, detail },
    tenantUrl ? { what: 'oauth', how: 'openid-configuration', detail: tenantUrl } : { what: 'oauth', how, detail },
  ];
}

/**
 * Mailbox discovery: which provider an address belongs to and how to reach its servers, from
 * known domains, MX records, Microsoft's OpenID configuration, autoconfig files and SRV
 * records, all at once, each within the timeout. A lookup that fails is reported in `errors`
 * and never fails the whole: setting up by hand stays possible. A domain's lookups are kept
 * `cacheMs` unless one failed for a passing reason (a timeout, the network, a server error).
 */
export class Discovery {
  private readonly cache = new TtlCache<DomainLookups>();

  async discover(parsed: ParsedAddress, options: DiscoveryOptions): Promise<DiscoveryResult> {
    const known = knownProvider(parsed.domain);
    if (known) return composeKnown(parsed, known);
    const { cacheMs, ...rest } = options;
    // A domain's answers serve all its addresses, unless an autoconfig URL carries the address.
    const perAddress = options.autoconfigUrls.some((t) => t.includes('{address}'));
    const key = JSON.stringify([parsed.domain, perAddress ? parsed.address : null, rest]);
    const { value, hit } = this.cache.get(key, cacheMs, () => lookUp(parsed.domain, parsed.address, options), (l) =>
      [l.mx, l.tenant, l.autoconfig, l.srv].every((o) => !o.error || LASTING.has(o.error.code))
    );
    return compose(parsed, await value, hit);
  }

  clearCache(): void {
    this.cache.clear();
  }
}
