// Tests talk to this machine only (127.0.0.1, ::1). Any other host name fails here, before a
// DNS query leaves the machine: a test that would reach a real provider fails loudly instead.
// Loaded by the in-process Strapi helper and, through NODE_OPTIONS, by child Strapi processes.
const dns = require('node:dns');

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;
const refused = (hostname) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (tests reach loopback only)`), {
    code: 'ENOTFOUND',
    hostname,
    syscall: 'getaddrinfo',
  });

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!LOOPBACK.test(String(hostname))) {
    process.nextTick(cb, refused(hostname));
    return {};
  }
  return lookup.call(this, hostname, options, callback);
};

const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromisesLookup(hostname, options) {
  if (!LOOPBACK.test(String(hostname))) return Promise.reject(refused(hostname));
  return promisesLookup.call(this, hostname, options);
};
