import cron, { type ScheduledTask } from 'node-cron';
import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { PLUGIN_ID } from '../plugin-id';

export interface JobInfo {
  name: string;
  schedule: string;
  running: boolean;
  lastRunAt: string | null;
  lastError: string | null;
}

/**
 * Owns every scheduled job of the plugin. With `runJobs: false` (instances that should
 * not work in the background) nothing is scheduled; `destroy` stops everything.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const jobs = new Map<
    string,
    {
      task: ScheduledTask;
      schedule: string;
      run: () => Promise<unknown>;
      lastRunAt: Date | null;
      lastError: string | null;
      /** The run under way: stopAll waits for it, so that destroy does not close the database under it. */
      current: Promise<void> | null;
    }
  >();

  return {
    enabled(): boolean {
      return pluginConfig(strapi, 'runJobs') !== false;
    },

    /** Runs `run` on the cron `schedule`; a run never overlaps the previous one. */
    schedule(name: string, schedule: string, run: () => Promise<unknown>): boolean {
      if (!this.enabled()) return false;
      if (!cron.validate(schedule)) throw new Error(`mail-auth: "${schedule}" is not a valid cron expression for the ${name} job`);
      this.stop(name);
      const entry = { task: undefined as unknown as ScheduledTask, schedule, run, lastRunAt: null as Date | null, lastError: null as string | null, current: null as Promise<void> | null };
      entry.task = cron.schedule(
        schedule,
        async () => {
          entry.lastRunAt = new Date();
          entry.current = (async () => {
            try {
              await run();
              entry.lastError = null;
            } catch (e) {
              entry.lastError = (e as Error).message;
              strapi.log.error(`[mail-auth] job ${name} failed: ${(e as Error).message}`);
            }
          })();
          await entry.current;
          entry.current = null;
        },
        { name: `${PLUGIN_ID}:${name}`, noOverlap: true }
      );
      jobs.set(name, entry);
      return true;
    },

    /** The same job on a new schedule (Settings page); false when it is not scheduled here. */
    async reschedule(name: string, schedule: string): Promise<boolean> {
      const entry = jobs.get(name);
      if (!entry) return false;
      if (!cron.validate(schedule)) throw new Error(`mail-auth: "${schedule}" is not a valid cron expression for the ${name} job`);
      await this.stop(name);
      return this.schedule(name, schedule, entry.run);
    },

    async stop(name: string) {
      const entry = jobs.get(name);
      if (!entry) return;
      jobs.delete(name);
      await entry.task.destroy();
    },

    /** Stops every job and waits for the runs under way (destroy: the database closes next). */
    async stopAll() {
      const running = [...jobs.values()].map((entry) => entry.current);
      await Promise.all([...jobs.keys()].map((name) => this.stop(name)));
      await Promise.all(running);
    },

    list(): JobInfo[] {
      return [...jobs].map(([name, e]) => ({
        name,
        schedule: e.schedule,
        running: e.task.isBusy(),
        lastRunAt: e.lastRunAt?.toISOString() ?? null,
        lastError: e.lastError,
      }));
    },
  };
};
