/**
 * CPU time of other processes on this machine (Linux /proc), for benches whose work is spread
 * over child processes and servers: Strapi instances, PostgreSQL backends, Dovecot.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  pid: number;
  /** The command name (`comm`, as in /proc/PID/stat). */
  name: string;
  ppid: number;
  /** utime + stime, ms */
  ownMs: number;
  /** cutime + cstime: children that exited and were waited for, ms */
  reapedMs: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (ticks: string) => (Number(ticks) * 1000) / TICKS_PER_SECOND;
  return { pid, name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ppid: Number(f[1]), ownMs: ms(f[11]) + ms(f[12]), reapedMs: ms(f[13]) + ms(f[14]) };
}

const allStats = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((s): s is Stat => !!s);

/**
 * CPU time of `pid` and all its descendants so far, ms, counting the children that already
 * exited (Dovecot's imap processes come and go).
 */
export function treeCpuMs(pid: number): number {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === pid);
  if (!root) return 0;
  let total = 0;
  const walk = (s: Stat) => {
    total += s.ownMs + s.reapedMs;
    for (const c of children.get(s.pid) ?? []) walk(c);
  };
  walk(root);
  return total;
}

/** CPU time of each of these processes so far, ms (0 for one that is gone). */
export function cpuMsOf(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, stat(pid)?.ownMs ?? 0]));
}

const DATABASE_SERVERS = new Set(['postgres', 'mariadbd', 'mysqld']);

/**
 * CPU time of this machine's database server so far, ms: every PostgreSQL process (backends,
 * WAL writer, checkpointer; those that exited counted by the postmaster) or MariaDB's one
 * process. 0 with SQLite, which runs in the process that uses it.
 */
export function databaseServerCpuMs(): number {
  return allStats()
    .filter((s) => DATABASE_SERVERS.has(s.name))
    .reduce((total, s) => total + s.ownMs + s.reapedMs, 0);
}
