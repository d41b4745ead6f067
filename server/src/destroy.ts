import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from './plugin-id';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.plugin(PLUGIN_ID).service('scheduler').stopAll();
  await strapi.plugin(PLUGIN_ID).service('device-grants').stop();
  await strapi.plugin(PLUGIN_ID).service('idle-watcher').close();
  await strapi.plugin(PLUGIN_ID).service('activity').flush();
  await strapi.plugin(PLUGIN_ID).service('postmaster').close();
};

export default destroy;
