import type { Core } from '@strapi/strapi';

import { pluginConfig } from './config/plugin-config';
import { ACTIONS } from './permissions';
import { PLUGIN_ID } from './plugin-id';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(
    ACTIONS.map((action) => ({
      section: 'plugins',
      pluginName: PLUGIN_ID,
      uid: action.uid,
      displayName: action.displayName,
    }))
  );

  const plugin = strapi.plugin(PLUGIN_ID);
  if (!plugin.service('secrets').isConfigured()) {
    strapi.log.warn(
      '[mail-auth] No encryption key: OAuth2 tokens and passwords cannot be stored. Set admin.secrets.encryptionKey (or the plugin\'s encryptionKey) and restart.'
    );
  }
  // Values saved on the Settings page override config/plugins.ts; applied before jobs start.
  await plugin.service('settings').load();
  const scheduler = plugin.service('scheduler');
  scheduler.schedule('refresh', pluginConfig(strapi, 'refreshSchedule'), () => plugin.service('refresher').run());
  // Each tick first brings the IDLE connections in line with the accounts (quick), then polls what is due.
  const postmasterTick = async () => {
    await plugin.service('idle-watcher').reconcile();
    return plugin.service('postmaster').runDue();
  };
  if (scheduler.schedule('postmaster', pluginConfig(strapi, 'pollSchedule'), postmasterTick)) {
    void plugin.service('idle-watcher').reconcile();
  }
  // Not a job: a person is waiting for each of these, on whichever instance they ask.
  await plugin.service('device-grants').resume();
  scheduler.schedule('activity-retention', '17 3 * * *', () => plugin.service('activity').prune());
};

export default bootstrap;
