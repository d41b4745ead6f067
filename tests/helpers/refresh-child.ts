/**
 * The process a crash test kills: boots the playground's Strapi (the built plugin, no HTTP
 * server), then, each time the parent says `go`, runs the refresh job once — the same
 * refresher.run() the scheduler calls — and says when it starts and ends. Spawned by
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
  // The parent is gone (it ended, or was killed itself): nothing will tell this process to go.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'go') return;
    send({ type: 'run-start', at: Date.now() });
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
