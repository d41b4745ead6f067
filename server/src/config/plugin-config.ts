import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../plugin-id';
import type { PluginConfig } from './schema';

const PATH = `plugin::${PLUGIN_ID}`;

/**
 * One of the plugin's options, as config/ validated them (defaults filled in). Read from the
 * plugin's own object: a get of the whole dotted path parses it again (lodash) on every call, and
 * a refresh job asks a few times for every token. `config.set` of one option writes into that
 * same object, and of the whole object replaces it: both are seen here.
 */
export const pluginConfig = <K extends keyof PluginConfig>(strapi: Core.Strapi, key: K): PluginConfig[K] =>
  (strapi.config.get(PATH) as PluginConfig | undefined)?.[key] as PluginConfig[K];
