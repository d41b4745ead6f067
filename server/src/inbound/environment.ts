import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { assertHostAllowed, pluginNetworkPolicy } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { INBOUND_PASSWORD_FIELD } from '../shared/secret-fields';
import type { SourceEnvironment } from './create-source';

/** What the sources get from Strapi: the password opener, the token door, the settings. */
export function sourceEnvironment(strapi: Core.Strapi): SourceEnvironment {
  const plugin = strapi.plugin(PLUGIN_ID);
  return {
    openPassword: (sealed, row) => plugin.service('secrets').open(sealed, INBOUND_PASSWORD_FIELD, row),
    getAccessToken: (tokenId, options) => plugin.service('tokens').getAccessToken(tokenId, options),
    timeout: pluginConfig(strapi, 'mailTimeout'),
    maxRetryAfter: pluginConfig(strapi, 'maxRetryAfter'),
    allowHttpLoopback: pluginConfig(strapi, 'allowHttpLoopback'),
    graphBaseUrl: pluginConfig(strapi, 'graphBaseUrl'),
    gmailBaseUrl: pluginConfig(strapi, 'gmailBaseUrl'),
    pop3SaslInitialResponse: pluginConfig(strapi, 'pop3SaslInitialResponse'),
    checkHost: pluginNetworkPolicy(strapi) ? (host, what) => assertHostAllowed(strapi, host, what) : undefined,
  };
}
