/**
 * The process a crash test kills: boots the playground's Strapi (the built plugin, no HTTP
 * server), then, each time the parent says `go`, runs the refresh job once — the same
 * refresher.run() the scheduler calls — or, when the message names inbound accounts
 * (`fetch: [ids]`), fetches those accounts side by side with postmaster.fetch(), as the
 * poll job does; and says when it starts and ends (and when each account's fetch ends). Spawned by
 * startRefreshChild (refresh-child-process.ts) with IPC; killed with SIGKILL at a moment the
 * parent picks, so the kill falls among real renewals: requests to a real token endpoint,
 * leases and results in the real database.
 */
import './loopback-guard.cjs';

import { createStrapi } from '@strapi/strapi';
import { join, resolve } from 'node:path';

const PLAYGROUND_DIR = resolve(__dirname, '..', '..', 'playground');

const send = (message: Record<string, unknown>) => process.send?.(message);

async function main() {
  const strapi = createStrapi({ appDir: PLAYGROUND_DIR, distDir: join(PLAYGROUND_DIR, 'dist') });
  strapi.log.level = 'warn';
  await strapi.load();
  const refresher = strapi.plugin('mail-auth').service('refresher');
  const postmaster = strapi.plugin('mail-auth').service('postmaster');
  // The parent is gone (it ended, or was killed itself): nothing will tell this process to go.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { type?: string; fetch?: number[] }) => {
    if (message?.type !== 'go') return;
    send({ type: 'run-start', at: Date.now() });
    if (message.fetch) {
      const fetchOne = (id: number) =>
        postmaster.fetch(id, { trigger: 'schedule' }).then(
          (r: { fetched: number; skipped: number; errors: { code: string }[] }) =>
            send({ type: 'fetch-end', at: Date.now(), account: id, fetched: r.fetched, skipped: r.skipped, errors: r.errors.map((e) => e.code) }),
          (e: Error) => send({ type: 'fetch-end', at: Date.now(), account: id, error: e.message })
        );
      void Promise.all(message.fetch.map(fetchOne)).then(() => send({ type: 'run-end', at: Date.now() }));
      return;
    }
    refresher.run().then(
      (report: { due: number; refreshed: string[]; failed: unknown[]; elsewhere: string[] }) =>
        send({ type: 'run-end', at: Date.now(), due: report.due, refreshed: report.refreshed.length, failed: report.failed.length, elsewhere: report.elsewhere.length }),
      (e: Error) => send({ type: 'run-end', at: Date.now(), error: e.message })
    );
  });
  send({ type: 'ready' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
