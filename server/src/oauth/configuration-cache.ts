import { createHash } from 'node:crypto';

import type { OAuthSettings } from './settings';

export interface ConfigurationCacheOptions {
  /** How long a configuration is reused: a provider's discovery document may change. */
  ttlMs: number;
  /** At most this many configurations are kept; the oldest goes first. */
  maxEntries: number;
}

/**
 * openid-client configurations by the settings they were made from. Building one costs a
 * discovery request (or the checks of a static document) for every grant otherwise: a
 * refresh job renewing a thousand tokens of one app would discover the same issuer a thousand
 * times. A failed build is not kept, so the next grant tries again.
 */
export class ConfigurationCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  constructor(private readonly options: ConfigurationCacheOptions = { ttlMs: 60 * 60 * 1000, maxEntries: 1000 }) {}

  get(settings: OAuthSettings, build: () => Promise<T>): Promise<T> {
    const key = keyOf(settings);
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    this.entries.delete(key);
    const value = build();
    this.entries.set(key, { value, expiresAt: now + this.options.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** What a configuration depends on; hashed, so that no client secret is kept as a map key. */
const keyOf = (s: OAuthSettings) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        s.template.id,
        s.tenant ?? null,
        s.clientId,
        s.clientSecret ?? null,
        s.clientAuthMethod,
        s.issuer ?? null,
        s.authorizationEndpoint ?? null,
        s.tokenEndpoint ?? null,
        s.deviceAuthorizationEndpoint ?? null,
        s.timeoutSeconds,
        s.allowHttpLoopback,
      ])
    )
    .digest('base64url');
