import { allowedUrl, boundedGet, FetchProblem, httpFailure } from './http';
import { withTimeout } from './timeout';
import type { LookupError, LookupOutcome } from './types';

/** The tenant of personal Microsoft accounts (Outlook.com): its issuer's id, the `consumers` tenant. */
export const MICROSOFT_CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An OpenID configuration's answer is a few kB; anything much bigger is not one. */
const MAX_BYTES = 256 * 1024;

export interface TenantFinding {
  /** The directory's id, or `consumers` for the personal accounts' tenant. */
  tenantId: string;
  issuer: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  /** Where it was read. */
  url: string;
}

/**
 * The tenant a domain belongs to, from its OpenID configuration: Microsoft answers the
 * configuration of the tenant that verified the domain, whose issuer is
 * `https://login.microsoftonline.com/{tenant id}/v2.0`. Pure.
 */
export function tenantFromConfiguration(doc: unknown, url: string, allowHttpLoopback: boolean): TenantFinding | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (typeof d.issuer !== 'string') return undefined;
  const segments = d.issuer.replace(/\/+$/, '').split('/');
  const id = segments[segments.length - 2];
  if (segments[segments.length - 1] !== 'v2.0' || !id || !GUID.test(id)) return undefined;
  const endpoint = (v: unknown) => (typeof v === 'string' && allowedUrl(v, allowHttpLoopback) ? v : undefined);
  return {
    tenantId: id.toLowerCase() === MICROSOFT_CONSUMERS_TENANT_ID ? 'consumers' : id.toLowerCase(),
    issuer: d.issuer,
    authorizationEndpoint: endpoint(d.authorization_endpoint),
    tokenEndpoint: endpoint(d.token_endpoint),
    deviceAuthorizationEndpoint: endpoint(d.device_authorization_endpoint),
    url,
  };
}

export interface TenantLookupOptions {
  /** https://login.microsoftonline.com, or a local stand-in. */
  baseUrl: string;
  timeoutMs: number;
  allowHttpLoopback: boolean;
}

export async function lookupMicrosoftTenant(domain: string, options: TenantLookupOptions): Promise<LookupOutcome<TenantFinding>> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  const fail = (code: LookupError['code'], message: string): LookupOutcome<TenantFinding> => ({
    error: { lookup: 'microsoft-tenant', code, message },
    checked: [{ lookup: 'microsoft-tenant', target: url, result: 'error' }],
  });
  const nothing: LookupOutcome<TenantFinding> = { checked: [{ lookup: 'microsoft-tenant', target: url, result: 'nothing' }] };
  try {
    const { body } = await withTimeout(options.timeoutMs, (signal) =>
      boundedGet(url, { signal, maxBytes: MAX_BYTES, accept: 'application/json', allowHttpLoopback: options.allowHttpLoopback })
    );
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      return fail('MALFORMED', `${url} is not JSON`);
    }
    const value = tenantFromConfiguration(doc, url, options.allowHttpLoopback);
    if (!value) return fail('MALFORMED', `${url} names no tenant in its issuer`);
    return { value, checked: [{ lookup: 'microsoft-tenant', target: url, result: 'found' }] };
  } catch (e) {
    // Microsoft answers 400 (AADSTS90002, "Tenant not found") for a domain no tenant verified.
    if (e instanceof FetchProblem && (e.kind === 'absent' || e.status === 400)) return nothing;
    return fail(...httpFailure(e, url));
  }
}
