import type { Core } from '@strapi/strapi';

import { pluginConfig } from './config/plugin-config';
import { PLUGIN_ID } from './plugin-id';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = strapi.plugin(PLUGIN_ID);
  await plugin.service('scheduler').stopAll();
  await plugin.service('device-grants').stop();
  await plugin.service('idle-watcher').close();
  // A renewal in flight carries the provider's answer — with rotation, the only valid refresh
  // token: wait for it to be stored (bounded: one request's timeout and a few seconds to store
  // it), before the database closes.
  const httpTimeout = pluginConfig(strapi, 'httpTimeout');
  if (!(await plugin.service('refresher').stop((httpTimeout + 5) * 1000))) {
    strapi.log.warn('[mail-auth] shutting down with token renewals still in flight: the next renewal of those tokens is a retry');
  }
  await plugin.service('activity').flush();
  await plugin.service('postmaster').close();
};

export default destroy;
