'use strict';

const { chmod, readFile, writeFile } = require('node:fs/promises');
const { createInterface } = require('node:readline/promises');
const { userInfo } = require('node:os');

const { diffReportText, errorText, importReportText } = require('./report-text.js');

/** The activity log names the command line and the system user as the actor. */
const actor = () => {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user database entry (containers): keep "unknown"
  }
  return { email: `command line (${user})` };
};

const isPluginError = (e) => e && e.name === 'MailAuthError';


async function confirm(question, io) {
  if (!io.stdin.isTTY) return undefined;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** export: 0, or 1 when the service refuses (a name that does not exist). */
async function runExport(transfer, options, io) {
  try {
    const { yaml, entries } = await transfer.export({ names: options.names, secrets: options.includeSecrets, actor: actor() });
    if (options.out) {
      await writeFile(options.out, yaml, { mode: options.includeSecrets ? 0o600 : 0o644 });
      // mode applies to new files only: an existing file holding secrets is made private too
      if (options.includeSecrets) await chmod(options.out, 0o600);
      io.stderr.write(`${entries.length} entries written to ${options.out}${options.includeSecrets ? ' (secrets included: keep the file safe)' : ''}\n`);
    } else {
      io.stdout.write(yaml);
    }
    return 0;
  } catch (e) {
    if (!isPluginError(e)) throw e;
    io.stderr.write(`${errorText(e)}\n`);
    return 1;
  }
}

/** import: a dry run first (shown), then the import once confirmed. */
async function runImport(transfer, options, io) {
  const yaml = await readFile(options.file, 'utf8');
  const request = { yaml, overwrite: options.overwrite };
  const out = (report) => io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${importReportText(report)}\n`);
  try {
    const plan = await transfer.import({ ...request, dryRun: true }, actor());
    if (options.dryRun) {
      out(plan);
      return 0;
    }
    if (!plan.created.length && !plan.updated.length) {
      out(plan);
      return 0;
    }
    if (!options.yes) {
      io.stderr.write(`${importReportText(plan)}\n`);
      const answer = await confirm('Import these changes? [y/N] ', io);
      if (answer === undefined) {
        io.stderr.write('Not a terminal: nothing imported. Pass -y to import without asking.\n');
        return 2;
      }
      if (!answer) {
        io.stderr.write('Nothing imported.\n');
        return 1;
      }
    }
    out(await transfer.import({ ...request, dryRun: false }, actor()));
    return 0;
  } catch (e) {
    if (!isPluginError(e)) throw e;
    io.stderr.write(`${errorText(e, options.file)}\n`);
    return 1;
  }
}

/** diff: 0 same, 1 different, 2 when the file cannot be compared. */
async function runDiff(transfer, options, io) {
  const yaml = await readFile(options.file, 'utf8');
  try {
    const report = await transfer.diff(yaml);
    io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${diffReportText(report)}\n`);
    return report.same ? 0 : 1;
  } catch (e) {
    if (!isPluginError(e)) throw e;
    io.stderr.write(`${errorText(e, options.file)}\n`);
    return 2;
  }
}

/** rekey: 0 when every stored secret is current now, 1 when one cannot be read (its key is not configured). */
async function runRekey(secrets, options, io) {
  try {
    const report = await secrets.rekey();
    if (options.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const lines = Object.entries(report).map(([what, { values, rewritten }]) => `${what}: ${values} secrets, ${rewritten} rewritten`);
      io.stdout.write(`${lines.join('\n')}\nEvery stored secret is now encrypted with the current key (id ${secrets.currentKeyId()}).\n`);
    }
    return 0;
  } catch (e) {
    if (!isPluginError(e)) throw e;
    io.stderr.write(`${errorText(e)}\n`);
    return 1;
  }
}

module.exports = { runExport, runImport, runDiff, runRekey };
