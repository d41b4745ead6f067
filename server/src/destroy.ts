import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from './plugin-id';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.plugin(PLUGIN_ID).service('scheduler').stopAll();
  await strapi.plugin(PLUGIN_ID).service('outbound').flushActivity();
};

export default destroy;
