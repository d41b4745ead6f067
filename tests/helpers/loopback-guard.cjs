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

// DNS queries (MX, SRV … of discovery) go to the resolver's servers, not through lookup(): they
// are refused unless every server is on loopback (a test's local DNS server), so that a test that
// forgot to point the plugin at one fails instead of asking the machine's resolvers.
const LOOPBACK_SERVER = /^(127(\.\d{1,3}){3}|::1|\[::1\])(:\d+)?$/;
const QUERIES = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr',
  'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];
const offLoopback = (servers) => servers.find((s) => !LOOPBACK_SERVER.test(s));
const queryRefused = (name, server) =>
  Object.assign(new Error(`query${name} ${server}: DNS servers off loopback are refused (tests reach loopback only)`), { code: 'EREFUSED' });

function guardQueries(target, serversOf, promises) {
  for (const name of QUERIES) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function guardedQuery(...args) {
      const server = offLoopback(serversOf(this));
      if (server === undefined) return original.apply(this, args);
      const error = queryRefused(name.replace(/^resolve/, ''), server);
      if (promises) return Promise.reject(error);
      const cb = args[args.length - 1];
      process.nextTick(cb, error);
      return {};
    };
  }
}
guardQueries(dns.Resolver.prototype, (r) => r.getServers(), false);
guardQueries(dns.promises.Resolver.prototype, (r) => r.getServers(), true);
guardQueries(dns, () => dns.getServers(), false);
guardQueries(dns.promises, () => dns.promises.getServers(), true);
