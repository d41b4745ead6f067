'use strict';

/** Parsing of the command line; pure, so that it is tested on its own. */

const USAGE = `Usage: strapi-mail-auth <command> [options]   (run it in the folder of the Strapi app)

Commands:
  export [--out <file>] [--include-secrets] [--names a,b]
      Writes the configuration as YAML (to stdout without --out). Secrets (client
      secrets, tokens) are left out unless --include-secrets is given.
  import <file> [--overwrite] [--dry-run] [-y|--yes] [--json]
      Imports a YAML file: all or nothing. Entries of the same name are updated only
      with --overwrite, otherwise skipped; --dry-run only reports. Asks before writing
      unless -y is given (required when not run in a terminal).
  diff <file> [--json]
      Compares a YAML file with the configuration stored. Exit code 0 when the same,
      1 when different, 2 on errors.
  rekey [--json]
      Rewrites every stored secret with the current encryption key, bound to its row.
      After a key change: put the old key into the plugin option previousEncryptionKeys,
      set the new encryptionKey, run rekey, then remove the old key.

Options:
  --no-compile    Use the app's existing build (dist) instead of compiling a TypeScript
                  app first, as \`strapi start\` does (production, or to save time).
  -h, --help      This text.

Exit codes: 0 success (diff: no difference), 1 import or export refused (diff: different),
2 usage error or failure (diff: any error).`;

class UsageError extends Error {}

const COMMANDS = {
  export: { flags: ['--include-secrets', '--no-compile'], values: ['--out', '--names'], file: false },
  import: { flags: ['--overwrite', '--dry-run', '--yes', '--json', '--no-compile'], values: [], file: true },
  diff: { flags: ['--json', '--no-compile'], values: [], file: true },
  rekey: { flags: ['--json', '--no-compile'], values: [], file: false },
};

const ALIASES = { '-y': '--yes', '-o': '--out' };

/**
 * @param {string[]} argv
 * @returns {{ help: true } | { help: false, command: 'export'|'import'|'diff'|'rekey', file?: string, out?: string,
 *   names?: string[], includeSecrets: boolean, overwrite: boolean, dryRun: boolean, yes: boolean, json: boolean,
 *   noCompile: boolean }}
 */
function parseArgs(argv) {
  if (!argv.length || argv.includes('-h') || argv.includes('--help')) return { help: true };
  const [command, ...rest] = argv;
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}" (export, import, diff or rekey)`);
  const options = { help: false, command, includeSecrets: false, overwrite: false, dryRun: false, yes: false, json: false, noCompile: false };
  const positional = [];
  for (let i = 0; i < rest.length; i++) {
    let arg = ALIASES[rest[i]] || rest[i];
    let inlineValue;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inlineValue = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (spec.flags.includes(arg) && inlineValue === undefined) {
      const key = arg.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
      options[key] = true;
    } else if (spec.values.includes(arg)) {
      const value = inlineValue !== undefined ? inlineValue : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${arg} needs a value`);
      if (arg === '--out') options.out = value;
      if (arg === '--names') options.names = value.split(',').map((n) => n.trim()).filter(Boolean);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option "${rest[i]}" for ${command}`);
    } else {
      positional.push(arg);
    }
  }
  if (spec.file) {
    if (positional.length !== 1) throw new UsageError(`${command} needs exactly one file`);
    options.file = positional[0];
  } else if (positional.length) {
    throw new UsageError(`${command} takes no file (use --out)`);
  }
  return options;
}

module.exports = { parseArgs, UsageError, USAGE };
