import { AutoconfigFormatError, parseAutoconfig, type AutoconfigFinding } from './autoconfig-xml';
import { allowedUrl, boundedGet, FetchProblem, httpFailure } from './http';
import { withTimeout } from './timeout';
import type { Checked, LookupError, LookupOutcome } from './types';

/** The bound: an autoconfig file is a few kB, one over 1 MB is refused without reading it all. */
export const MAX_AUTOCONFIG_BYTES = 1024 * 1024;

export interface AutoconfigOptions {
  /** URL templates with {domain} (ASCII) and optionally {address}, tried in this order. */
  urls: string[];
  timeoutMs: number;
  allowHttpLoopback: boolean;
}

/** A template filled for one domain and address, both URL-encoded. */
export const autoconfigUrl = (template: string, domain: string, address: string) =>
  template.replace(/\{domain\}/g, encodeURIComponent(domain)).replace(/\{address\}/g, encodeURIComponent(address));

type Attempt = { finding: AutoconfigFinding; url: string } | { error: LookupError; url: string } | { url: string };

async function attempt(url: string, domain: string, options: AutoconfigOptions): Promise<Attempt> {
  try {
    const { body } = await withTimeout(options.timeoutMs, (signal) =>
      boundedGet(url, { signal, maxBytes: MAX_AUTOCONFIG_BYTES, accept: 'application/xml, text/xml', allowHttpLoopback: options.allowHttpLoopback })
    );
    const finding = parseAutoconfig(body.toString('utf8'), domain);
    const oauth = finding.oauth;
    if (oauth) {
      // Endpoints a token request would be sent to: https only, as everywhere else.
      for (const key of ['authorizationEndpoint', 'tokenEndpoint'] as const) {
        if (oauth[key] && !allowedUrl(oauth[key]!, options.allowHttpLoopback)) delete oauth[key];
      }
    }
    return { finding, url };
  } catch (e) {
    if (e instanceof FetchProblem && e.kind === 'absent') return { url };
    if (e instanceof AutoconfigFormatError) return { url, error: { lookup: 'autoconfig', code: 'MALFORMED', message: `${url} ${e.message}` } };
    const [code, message] = httpFailure(e, url);
    return { url, error: { lookup: 'autoconfig', code, message } };
  }
}

/**
 * Every template at once, each within the timeout; the first in the list that has a file
 * wins. Failures are reported only when no template gave a file.
 */
export async function lookupAutoconfig(domain: string, address: string, options: AutoconfigOptions): Promise<LookupOutcome<AutoconfigFinding & { url: string }>> {
  const attempts = await Promise.all(options.urls.map((t) => attempt(autoconfigUrl(t, domain, address), domain, options)));
  const checked: Checked[] = attempts.map((a) => ({
    lookup: 'autoconfig',
    target: a.url,
    result: 'finding' in a ? 'found' : 'error' in a ? 'error' : 'nothing',
  }));
  const hit = attempts.find((a): a is Extract<Attempt, { finding: AutoconfigFinding }> => 'finding' in a);
  if (hit) return { value: { ...hit.finding, url: hit.url }, checked };
  const failed = attempts.find((a): a is Extract<Attempt, { error: LookupError }> => 'error' in a);
  return { error: failed?.error, checked };
}
