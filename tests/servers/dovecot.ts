import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { createTestCA } from './tls';

/**
 * A real Dovecot 2.3 (IMAP, IMAPS, POP3, POP3S on 127.0.0.1) for tests: passwords from a
 * passwd-file, XOAUTH2/OAUTHBEARER checked by token introspection at the OAuth test server.
 * Everything lives in a temp dir that `stop()` removes.
 */

export const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';

export interface DovecotOptions {
  oauth: { introspectionUrl: string; clientId: string; clientSecret: string };
  /** email → password. Default alice@example.test/alicepass, bob@example.test/bobpass. */
  users?: Record<string, string>;
  /**
   * SASL mechanisms offered for tokens. Default both; `['XOAUTH2']` looks like Microsoft 365
   * (and is the only way to make imapflow, which prefers OAUTHBEARER, use XOAUTH2).
   */
  oauthMechanisms?: ('XOAUTH2' | 'OAUTHBEARER')[];
  /**
   * Master users by token: `login*tokenuser` with the token of `tokenuser` opens `login`'s
   * mailbox (Dovecot's way to a mailbox of another user, as a shared mailbox login does).
   */
  oauthMasterUsers?: boolean;
  /**
   * POP3 UIDLs (`pop3_uidl_format`). Default `%08Xu%08Xv` (UID and UIDVALIDITY); `%u` (the UID
   * alone) gives a UIDL again once a mailbox is recreated and its UIDs start over.
   */
  pop3UidlFormat?: string;
  /** Full auth/mail debug logging into `logPath`. */
  debug?: boolean;
  /** Leave the temp dir behind on stop (to read the log or config). */
  keepDir?: boolean;
}

export interface DovecotServer {
  host: '127.0.0.1';
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  /** CA that signed the server certificate (for `tls: { ca }`). */
  caPem: string;
  dir: string;
  configPath: string;
  logPath: string;
  /** Stores one message through Dovecot itself (doveadm save): indexed and visible at once. */
  deliver(user: string, raw: string | Buffer, mailbox?: string): Promise<void>;
  /**
   * Stores n messages by writing them into the Maildir `new/` folder, the way an MDA does, then
   * lets Dovecot sync once: doveadm save costs a process (40-70 ms) per message, 1000 files
   * take 0.5-2 s (mostly the file system; TMPDIR=/dev/shm is faster). UIDs follow i.
   */
  deliverMany(user: string, n: number, make?: (i: number) => string | Buffer, mailbox?: string): Promise<void>;
  createFolder(user: string, name: string): Promise<void>;
  /**
   * Removes a user's mail store from disk (as when an account is deleted and provisioned
   * again): the next delivery creates it afresh, with a new UIDVALIDITY and UIDs from 1.
   */
  removeMailStore(user: string): void;
  /** Dovecot's log so far (auth failures are explained there). */
  log(): string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = execFile(cmd, args, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout));
    p.stdin?.on('error', () => {}); // EPIPE when the command exits without reading; its exit code tells
    p.stdin?.end(input);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

export function defaultMessage(i: number): string {
  return [
    'From: Sender <sender@example.test>',
    'To: <recipient@example.test>',
    `Subject: Message ${i + 1}`,
    `Message-ID: <m${i + 1}.${Date.now()}@example.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of message ${i + 1}.`,
    '',
  ].join('\r\n');
}

/**
 * Starts a Dovecot. The ports come from freePort(): when another process takes one between that
 * and Dovecot's bind (test suites run side by side), it is started again on other ports.
 */
export async function startDovecot(opts: DovecotOptions): Promise<DovecotServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDovecotOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startDovecotOnce(opts: DovecotOptions): Promise<DovecotServer> {
  const ca = await createTestCA();
  const dir = mkdtempSync(join(tmpdir(), 'mail-auth-dovecot-'));
  // mkdtemp makes it 0700: Dovecot's unprivileged processes must reach mail/ below it
  chmodSync(dir, 0o755);
  const f = (...p: string[]) => join(dir, ...p);
  for (const d of ['run', 'state', 'mail']) mkdirSync(f(d));

  // As root, login and mail processes must not run as root (Dovecot refuses): use its system users.
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const uid = root ? Number((await run('id', ['-u', 'dovecot'])).trim()) : me.uid;
  const gid = root ? Number((await run('id', ['-g', 'dovecot'])).trim()) : me.gid;
  const internalUser = root ? 'dovecot' : me.username;
  const loginUser = root ? 'dovenull' : me.username;
  const group = root ? 'dovecot' : (await run('id', ['-gn'])).trim();
  if (root) chownSync(f('mail'), uid, gid);

  const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() };
  const users = opts.users ?? { 'alice@example.test': 'alicepass', 'bob@example.test': 'bobpass' };
  writeFileSync(f('users'), Object.entries(users).map(([u, p]) => `${u.toLowerCase()}:{PLAIN}${p}\n`).join(''));
  writeFileSync(f('oauth2.conf.ext'), [
    'introspection_mode = post',
    `introspection_url = ${opts.oauth.introspectionUrl}`,
    `client_id = ${opts.oauth.clientId}`,
    `client_secret = ${opts.oauth.clientSecret}`,
    'username_attribute = email',
    'active_attribute = active',
    'active_value = true',
    `debug = ${opts.debug ? 'yes' : 'no'}`,
    '',
  ].join('\n'));

  const oauthMechs = (opts.oauthMechanisms ?? ['XOAUTH2', 'OAUTHBEARER']).map((m) => m.toLowerCase()).join(' ');
  const listener = (name: string, port: number, ssl = false) =>
    `  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${port}\n    ssl = ${ssl ? 'yes' : 'no'}\n  }`;
  const configPath = f('dovecot.conf');
  const logPath = f('dovecot.log');
  writeFileSync(configPath, `
protocols = imap pop3
listen = 127.0.0.1
base_dir = ${f('run')}
state_dir = ${f('state')}
instance_name = mail-auth-test-${ports.imap}
log_path = ${logPath}
info_log_path = ${logPath}
debug_log_path = ${logPath}
auth_verbose = yes
auth_debug = ${opts.debug ? 'yes' : 'no'}
mail_debug = ${opts.debug ? 'yes' : 'no'}
hostname = mail.example.test

default_internal_user = ${internalUser}
default_internal_group = ${group}
default_login_user = ${loginUser}
first_valid_uid = ${uid}
last_valid_uid = ${uid}
first_valid_gid = ${gid}
mail_uid = ${uid}
mail_gid = ${gid}

ssl = yes
ssl_cert = <${ca.certPath}
ssl_key = <${ca.keyPath}
# clients may log in without TLS on the plain ports (tests cover both)
disable_plaintext_auth = no
auth_mechanisms = plain login ${oauthMechs}
auth_username_format = %Lu
mail_location = maildir:${f('mail')}/%u/Maildir
mail_home = ${f('mail')}/%u

# Only flags every request "nodelay": Dovecot 2.3.19 still answers failures from a 500 ms timer
# with auth_failure_delay = 0. continue-fail: this passdb never authenticates anyone by itself.
passdb {
  driver = static
  args = nopassword=y nodelay=yes
  result_success = continue-fail
}
${opts.oauthMasterUsers ? `auth_master_user_separator = *
passdb {
  driver = oauth2
  master = yes
  mechanisms = ${oauthMechs}
  args = ${f('oauth2.conf.ext')}
}
` : ''}passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${f('users')}
}
passdb {
  driver = oauth2
  mechanisms = ${oauthMechs}
  args = ${f('oauth2.conf.ext')}
}
# allow_all_users: doveadm save must find users although both passdbs are limited to mechanisms
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${f('mail')}/%u allow_all_users=yes
}

# failed logins from 127.0.0.1 would otherwise wait 2 s, 4 s, 8 s ... (tests fail logins on purpose)
auth_failure_delay = 0
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
${listener('imap', ports.imap)}
${listener('imaps', ports.imaps, true)}
}
service pop3-login {
  chroot =
${listener('pop3', ports.pop3)}
${listener('pop3s', ports.pop3s, true)}
}
protocol pop3 {
  pop3_uidl_format = ${opts.pop3UidlFormat ?? '%08Xu%08Xv'}
}
`);

  const proc: ChildProcess = spawn(DOVECOT, ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  // A Dovecot a test never stopped (its setup failed half-way) must not keep the test process
  // alive: the exit handler below ends it with the process.
  proc.unref();
  (proc.stderr as unknown as { unref(): void }).unref();
  let stderr = '';
  proc.stderr!.on('data', (c) => { stderr += c; });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let running = true;
  void exited.then(() => { running = false; });
  const readLog = () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
  const cleanup = () => { if (!opts.keepDir) rmSync(dir, { recursive: true, force: true }); };

  // a test process that ends without stop() must not leave a Dovecot running behind it
  const onExit = () => { proc.kill('SIGKILL'); cleanup(); };
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (running) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    cleanup();
  };

  const deadline = Date.now() + 20_000; // slow under the load of suites running side by side
  for (;;) {
    const ok = await Promise.all(Object.values(ports).map(canConnect));
    if (ok.every(Boolean)) break;
    if (!running || Date.now() > deadline) {
      const why = `${stderr}\n${readLog()}`.trim();
      await stop();
      throw new Error(`Dovecot did not start: ${why || 'timeout'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  const doveadm = (args: string[], input?: string | Buffer) => run(DOVEADM, ['-c', configPath, ...args], input);
  const maildir = (user: string, mailbox: string) =>
    join(f('mail'), user.toLowerCase(), 'Maildir', mailbox.toUpperCase() === 'INBOX' ? '' : `.${mailbox}`);
  let seq = 0;

  return {
    host: '127.0.0.1',
    ports,
    caPem: ca.caPem,
    dir,
    configPath,
    logPath,
    async deliver(user, raw, mailbox = 'INBOX') {
      await doveadm(['save', '-u', user, '-m', mailbox], raw);
    },
    async deliverMany(user, n, make = defaultMessage, mailbox = 'INBOX') {
      const box = maildir(user, mailbox);
      // let Dovecot create the mailbox (and its control files) before we write into it
      await doveadm(['mailbox', 'status', '-u', user, 'messages', mailbox]);
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < n; i++) {
        const raw = Buffer.from(make(i));
        // <secs>.M<usecs>P<pid>Q<n>: Dovecot orders new mail by this time stamp when giving UIDs
        const name = `${now}.M${String(i).padStart(6, '0')}P${process.pid}Q${++seq}.mail-auth-test,S=${raw.length}`;
        const tmp = join(box, 'tmp', name);
        writeFileSync(tmp, raw, { mode: 0o600 });
        if (root) chownSync(tmp, uid, gid);
        renameSync(tmp, join(box, 'new', name));
      }
      // one sync now, so UIDs are fixed before any client looks
      await doveadm(['force-resync', '-u', user, mailbox]);
    },
    async createFolder(user, name) {
      await doveadm(['mailbox', 'create', '-u', user, name]);
    },
    removeMailStore(user) {
      rmSync(join(f('mail'), user.toLowerCase()), { recursive: true, force: true });
    },
    log: readLog,
    stop,
  };
}
