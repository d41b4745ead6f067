import type { Core } from '@strapi/strapi';
import { createStrapi } from '@strapi/strapi';
import { join, resolve } from 'node:path';

import { freePort } from '../servers/ports';
import './loopback-guard.cjs';
import { createTestDatabase, type TestDatabase } from './database';

export const PLAYGROUND_DIR = resolve(__dirname, '..', '..', 'playground');

export interface TestStrapi {
  strapi: Core.Strapi;
  /** http://127.0.0.1:PORT — the instance's own public URL. */
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

export interface StartStrapiOptions {
  /** An existing database (to share one between processes); a fresh one by default. */
  database?: TestDatabase;
  /** Extra environment for the playground's config (MAIL_AUTH_*, ENCRYPTION_KEY …). */
  env?: Record<string, string>;
}

/**
 * Boots the playground app with the built plugin, in this process, on a free port of
 * 127.0.0.1, without the admin panel's static files (the admin API is all tests need;
 * browser tests run `strapi start` on a built admin instead). Strapi sets a global
 * `strapi`, so there is one instance per test process.
 */
export async function startStrapi(options: StartStrapiOptions = {}): Promise<TestStrapi> {
  const database = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  Object.assign(process.env, {
    STRAPI_TELEMETRY_DISABLED: 'true',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    SERVE_ADMIN_PANEL: 'false',
    // Scheduled jobs would act on what a test sets up behind its back: a test that wants them
    // says so (MAIL_AUTH_RUN_JOBS: 'true').
    MAIL_AUTH_RUN_JOBS: 'false',
    ...database.env,
    ...options.env,
  });

  const strapi = createStrapi({ appDir: PLAYGROUND_DIR, distDir: join(PLAYGROUND_DIR, 'dist') });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL ?? 'warn';
  await strapi.start();

  return {
    strapi,
    url,
    database,
    async stop() {
      await strapi.destroy();
      if (!options.database) await database.drop();
    },
  };
}
