import type { Core } from '@strapi/strapi';

import { MailAuthError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { parseInput } from '../validation/token-input';
import { settingsInputSchema, type SettingsInput } from '../validation/settings-input';
import type { Actor } from '../shared/actor';

/** The settings an admin may change in the admin panel, and the job each one drives. */
const EDITABLE = {
  refreshSchedule: 'refresh',
  refreshMargin: null,
  pollSchedule: 'postmaster',
} as const satisfies Record<keyof SettingsInput, string | null>;
type Editable = keyof typeof EDITABLE;
const KEYS = Object.keys(EDITABLE) as Editable[];

type Stored = Partial<Record<Editable, string | number>>;

/**
 * Settings of the admin panel's Settings page. Values saved there are kept in Strapi's core
 * store and override config/plugins.ts: they are applied to the plugin's config at bootstrap
 * (so that every service reads the effective value the usual way) and at once on the instance
 * that saves them. The encryption key and whether an instance runs jobs stay in the config.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });
  const configKey = (key: string) => `plugin::${PLUGIN_ID}.${key}`;
  /** config/plugins.ts as loaded, before any saved value was applied. */
  let fileValues: Stored | undefined;

  /** Whether this build of the plugin has the setting (the fetch schedule comes with inbound mail). */
  const available = (key: Editable) => (fileValues ?? {})[key] !== undefined;

  const readStored = async (): Promise<Stored> => {
    const value = (await store().get({})) as Stored | null | undefined;
    return value && typeof value === 'object' ? value : {};
  };

  const apply = (values: Stored) => {
    for (const key of KEYS) {
      if (!available(key)) continue;
      strapi.config.set(configKey(key), values[key] ?? fileValues![key]);
    }
  };

  const encryptionKey = () => {
    if (strapi.config.get(configKey('encryptionKey'))) return { configured: true, source: 'plugin' as const };
    if (strapi.config.get('admin.secrets.encryptionKey')) return { configured: true, source: 'admin' as const };
    return { configured: false, source: null };
  };

  return {
    /** At bootstrap, before jobs are scheduled: saved values over config/plugins.ts. */
    async load(): Promise<void> {
      // Once: later the config holds the applied values, not the file's.
      fileValues ??= Object.fromEntries(KEYS.map((key) => [key, strapi.config.get(configKey(key))])) as Stored;
      apply(await readStored());
    },

    async get() {
      const stored = await readStored();
      const scheduler = strapi.plugin(PLUGIN_ID).service('scheduler');
      const setting = (key: Editable) =>
        available(key)
          ? { value: strapi.config.get(configKey(key)) as string | number, default: fileValues![key]!, saved: stored[key] !== undefined }
          : null;
      return {
        refreshSchedule: setting('refreshSchedule'),
        refreshMargin: setting('refreshMargin'),
        pollSchedule: setting('pollSchedule'),
        runJobs: scheduler.enabled() as boolean,
        jobs: scheduler.list(),
        encryptionKey: encryptionKey(),
      };
    },

    async update(body: unknown, actor?: Actor) {
      const input = parseInput(settingsInputSchema, body);
      const unavailable = (Object.keys(input) as Editable[]).filter((key) => !available(key));
      if (unavailable.length) {
        throw new MailAuthError('VALIDATION', 'Unknown settings', {
          errors: unavailable.map((key) => ({ path: [key], message: 'is not a setting of this version of the plugin' })),
        });
      }
      const stored = await readStored();
      const next: Stored = { ...stored };
      for (const key of Object.keys(input) as Editable[]) {
        const value = input[key];
        if (value === null || value === undefined) delete next[key];
        else next[key] = value;
      }
      await store().set({ value: next });
      const before = Object.fromEntries(KEYS.map((key) => [key, strapi.config.get(configKey(key))]));
      apply(next);

      // This instance's jobs follow at once; other instances apply saved values when they start.
      const scheduler = strapi.plugin(PLUGIN_ID).service('scheduler');
      for (const key of KEYS) {
        const job = EDITABLE[key];
        const value = strapi.config.get(configKey(key));
        if (job && available(key) && value !== before[key]) await scheduler.reschedule(job, value as string);
      }

      const changed = KEYS.filter((key) => available(key) && strapi.config.get(configKey(key)) !== before[key]);
      await strapi.plugin(PLUGIN_ID).service('activity').record({
        kind: 'settings.updated',
        subjectType: 'settings',
        subjectName: 'Settings',
        outcome: 'info',
        actor: actor?.email ?? 'system',
        message: changed.length ? `Changed ${changed.join(', ')}` : 'Saved without changes',
        details: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: strapi.config.get(configKey(key)) }])),
      });
      return this.get();
    },
  };
};
