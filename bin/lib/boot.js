'use strict';

const { existsSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

/**
 * Runs `fn` with everything written to stdout sent to stderr instead: Strapi logs to stdout,
 * and stdout is where an export goes.
 */
async function quietly(fn) {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr);
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

/** The folder Strapi loads the app from when not compiling: as `strapi start` finds it. */
async function builtDistDir(appDir, strapiPath) {
  if (!existsSync(join(appDir, 'tsconfig.json'))) return appDir;
  const tsUtils = require(require.resolve('@strapi/typescript-utils', { paths: [dirname(strapiPath)] }));
  const outDir = await tsUtils.resolveOutDir(appDir);
  if (!existsSync(outDir)) throw new Error(`${outDir} not found: build the app first (strapi build), or leave out --no-compile`);
  return outDir;
}

/**
 * Boots the Strapi app of `appDir` as Strapi's own commands do (compile a TypeScript app into
 * its dist folder, or use the existing build; then load without starting the HTTP server),
 * with the @strapi/strapi the app itself depends on.
 */
async function bootStrapi(appDir, { compile = true } = {}) {
  const dir = resolve(appDir);
  let strapiPath;
  try {
    strapiPath = require.resolve('@strapi/strapi', { paths: [dir] });
  } catch {
    throw new Error(`no Strapi app here (${dir}): @strapi/strapi cannot be found. Run this in the folder of the Strapi app.`);
  }
  const { compileStrapi, createStrapi } = require(strapiPath);
  return quietly(async () => {
    const context = compile ? await compileStrapi({ appDir: dir }) : { appDir: dir, distDir: await builtDistDir(dir, strapiPath) };
    const app = createStrapi(context);
    app.log.level = process.env.STRAPI_LOG_LEVEL || 'warn';
    await app.load();
    if (!app.plugin('mail-auth')) {
      await app.destroy();
      throw new Error('the app does not use strapi-plugin-mail-auth: enable it in config/plugins');
    }
    return app;
  });
}

async function stopStrapi(app) {
  await quietly(() => app.destroy());
}

module.exports = { bootStrapi, stopStrapi, quietly };
