import { accessSync, appendFileSync, constants } from 'node:fs';
import { basename } from 'node:path';

/** Debian packages behind the binaries our tests need, for the hint in the warning. */
const APT: Record<string, string> = {
  dovecot: 'dovecot-imapd dovecot-pop3d',
  doveadm: 'dovecot-core',
  openssl: 'openssl',
};

/**
 * True when the executable exists. When it does not:
 * - in CI (`CI=true`) throw, because a server missing there means the suite silently
 *   stopped testing what it claims to test;
 * - locally, warn loudly on stderr and return false so the caller can skip.
 */
export function requireBinary(path: string, what: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    const msg = `${what} (${path}) is not installed`;
    if (process.env.CI === 'true') throw new Error(`${msg}: the CI image must provide it`);
    const pkg = APT[basename(path)] ?? `<the package providing ${basename(path)}>`;
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!!! SKIPPING ${what} tests because ${msg}.\n` +
        `!!! Run them with .ci/run, or install it: bash scripts/install-system-deps.sh (apt-get install ${pkg})\n${bar}\n\n`,
    );
    return false;
  }
}

/**
 * The `skip` option of a `describe` whose whole suite needs the executable: false when it is
 * there, else the reason. node's test runner does not count a suite skipped whole, so it is
 * written to the file scripts/test.mjs counts in its last line.
 */
export function skipSuiteWithout(path: string, what: string): false | string {
  if (requireBinary(path, what)) return false;
  if (process.env.MAIL_AUTH_TEST_SKIP_LOG) appendFileSync(process.env.MAIL_AUTH_TEST_SKIP_LOG, `${what}\n`);
  return `${what} is not installed`;
}
