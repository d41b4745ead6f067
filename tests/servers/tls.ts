import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCA {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const cache = new Map<string, Promise<TestCA>>();

/**
 * A throw-away CA and a server certificate for `localhost` / 127.0.0.1 signed by it, so
 * tests can check that clients really validate certificates (trust `caPem`, or fail).
 * Made with the openssl CLI; cached per process (per `dir`). A temp dir made here is
 * removed when the process exits.
 */
export function createTestCA(dir?: string): Promise<TestCA> {
  const key = dir ?? '';
  let p = cache.get(key);
  if (!p) {
    p = make(dir);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

async function make(wanted?: string): Promise<TestCA> {
  let dir: string;
  if (wanted) {
    dir = wanted;
    mkdirSync(dir, { recursive: true });
  } else {
    dir = mkdtempSync(join(tmpdir(), 'mail-auth-ca-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const f = (n: string) => join(dir, n);
  const openssl = (...args: string[]) => run('openssl', args);

  // P-256 keys: generated instantly, unlike RSA (~0.4 s each)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl('req', '-x509', ...ec, '-days', '30',
    '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=mail-auth test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await openssl('req', ...ec,
    '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('server.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ].join('\n'));
  await openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'),
    '-CAcreateserial', '-days', '30', '-sha256', '-extfile', f('server.ext'), '-out', f('server.crt'));

  return {
    dir,
    caCertPath: f('ca.crt'),
    certPath: f('server.crt'),
    keyPath: f('server.key'),
    caPem: readFileSync(f('ca.crt'), 'utf8'),
    certPem: readFileSync(f('server.crt'), 'utf8'),
    keyPem: readFileSync(f('server.key'), 'utf8'),
  };
}
