import type { Core, UID } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import type { PluginConfig } from '../config/schema';
import { PLUGIN_ID } from '../plugin-id';
import type { TokenRow } from './row';

type SecretsService = ReturnType<typeof import('../services/secrets').default>;
type ActivityService = ReturnType<typeof import('../services/activity').default>;
type OAuthService = ReturnType<typeof import('../services/oauth').default>;

/**
 * What the token parts need of the notifications service: told of every stored state. (Named
 * here rather than imported, as the notifications service reads token rows: no import circle.)
 */
export interface TokenObserver {
  observe(row: TokenRow): Promise<void>;
}

/** What the parts of the tokens service (store, results, renewal) share. */
export interface TokenContext {
  strapi: Core.Strapi;
  /** The oauth-token content type (given by the service that names it). */
  uid: UID.ContentType;
  config<K extends keyof PluginConfig>(key: K): PluginConfig[K];
  secrets(): SecretsService;
  activity(): ActivityService;
  notifications(): TokenObserver;
  oauth(): OAuthService;
}

export function tokenContext(strapi: Core.Strapi, uid: UID.ContentType): TokenContext {
  const plugin = () => strapi.plugin(PLUGIN_ID);
  // Looked up on first use (services are made in an order of Strapi's), then kept.
  const service = <T>(name: string) => {
    let found: T | undefined;
    return (): T => (found ??= plugin().service(name) as T);
  };
  return {
    strapi,
    uid,
    config: (key) => pluginConfig(strapi, key),
    secrets: service<SecretsService>('secrets'),
    activity: service<ActivityService>('activity'),
    notifications: service<TokenObserver>('notifications'),
    oauth: service<OAuthService>('oauth'),
  };
}
