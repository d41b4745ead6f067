import type { Core } from '@strapi/strapi';

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
};

export default bootstrap;
