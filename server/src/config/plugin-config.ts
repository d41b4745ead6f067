import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../plugin-id';
import type { PluginConfig } from './schema';

/** One of the plugin's options, as config/ validated them (defaults filled in). */
export const pluginConfig = <K extends keyof PluginConfig>(strapi: Core.Strapi, key: K): PluginConfig[K] =>
  strapi.config.get(`plugin::${PLUGIN_ID}.${key}`) as PluginConfig[K];
