import type { FetchClient } from '@strapi/strapi/admin';

import { PLUGIN_ID } from '../pluginId';

/** A setting's effective value, the value of config/plugins.ts, and whether a saved value overrides it. */
export interface SettingValue<T> {
  value: T;
  default: T;
  saved: boolean;
}

export interface JobInfo {
  name: string;
  schedule: string;
  running: boolean;
  lastRunAt: string | null;
  lastError: string | null;
}

/** GET /mail-auth/settings (server: services/settings.ts). */
export interface Settings {
  refreshSchedule: SettingValue<string> | null;
  refreshMargin: SettingValue<number> | null;
  /** Null while this version of the plugin has no inbound mail. */
  pollSchedule: SettingValue<string> | null;
  /** Whether the instance that answered runs the plugin's jobs (its config, not editable here). */
  runJobs: boolean;
  jobs: JobInfo[];
  /** Only whether a key is set and where; never the key. */
  encryptionKey: { configured: boolean; source: 'plugin' | 'admin' | null };
}

/** PUT: null goes back to the value of config/plugins.ts. */
export interface SettingsInput {
  refreshSchedule?: string | null;
  refreshMargin?: number | null;
  pollSchedule?: string | null;
}

const path = `/${PLUGIN_ID}/settings`;

export const getSettings = async (client: Pick<FetchClient, 'get'>) => (await client.get<Settings>(path)).data;

export const saveSettings = async (client: Pick<FetchClient, 'put'>, input: SettingsInput) =>
  (await client.put<Settings, SettingsInput>(path, input)).data;
