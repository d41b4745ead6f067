'use strict';

const { parseArgs, UsageError, USAGE } = require('./args.js');
const { bootStrapi, stopStrapi } = require('./boot.js');
const { runDiff, runExport, runImport, runRekey } = require('./commands.js');

const RUN = { export: runExport, import: runImport, diff: runDiff, rekey: runRekey };
/** The plugin service each command works with. */
const SERVICE = { export: 'transfer', import: 'transfer', diff: 'transfer', rekey: 'secrets' };

/** Runs one command in the Strapi app of `appDir`; resolves to the process exit code. */
async function main(argv, appDir, io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`strapi-mail-auth: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.file) {
    // Fail on a missing file before spending seconds on booting Strapi.
    const { access } = require('node:fs/promises');
    try {
      await access(options.file);
    } catch {
      io.stderr.write(`strapi-mail-auth: cannot read ${options.file}\n`);
      return 2;
    }
  }
  const app = await bootStrapi(appDir, { compile: !options.noCompile });
  try {
    return await RUN[options.command](app.plugin('mail-auth').service(SERVICE[options.command]), options, io);
  } finally {
    await stopStrapi(app);
  }
}

module.exports = { main };
