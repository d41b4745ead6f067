import { isIP } from 'node:net';

/**
 * Whether a host, as written, is this machine: `localhost`, `::1` or 127.0.0.0/8. Only the
 * literal counts: a name that resolves to 127.0.0.1 today may resolve elsewhere tomorrow.
 */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
};
