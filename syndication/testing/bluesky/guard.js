// Launch script of the Bluesky peer of the test suite, run by syndication/testing/peers.py.
// Preload (node -r ./guard.js): force every listening socket onto 127.0.0.1 and
// refuse (and log) any outbound TCP connection / DNS lookup to a non-loopback target.
const net = require('net'), dns = require('dns');
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
const isLocal = (h) => h === undefined || h === null || LOCAL.has(String(h)) || /^127\./.test(String(h));
const log = (...a) => process.stderr.write('[guard] ' + a.join(' ') + '\n');
const origListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const a0 = args[0];
  if (a0 === undefined || typeof a0 === 'function') args.unshift(0, '127.0.0.1');
  else if (typeof a0 === 'object' && a0 !== null && !Array.isArray(a0)) {
    if (a0.path === undefined && !a0.fd && !a0.handle && !a0._handle) args[0] = { ...a0, host: '127.0.0.1' };
  } else if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) {
    if (typeof args[1] === 'string') args[1] = '127.0.0.1'; else args.splice(1, 0, '127.0.0.1');
  }
  return origListen.apply(this, args);
};
const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let o = args[0];
  if (Array.isArray(o)) o = o[0];
  const host = (o && typeof o === 'object') ? (o.path ? '127.0.0.1' : (o.host ?? o.hostname)) : args[1];
  if (!isLocal(host)) {
    log('BLOCKED outbound connect to', host, (o && o.port) || '');
    process.nextTick(() => this.destroy(new Error('guard: outbound connection to ' + host + ' blocked')));
    return this;
  }
  return origConnect.apply(this, args);
};
const origLookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  if (!isLocal(host)) {
    log('BLOCKED dns.lookup', host);
    const cb = rest[rest.length - 1];
    const e = Object.assign(new Error('guard: dns lookup of ' + host + ' blocked'), { code: 'ENOTFOUND' });
    return process.nextTick(() => cb(e));
  }
  return origLookup.call(this, host, ...rest);
};
const origPLookup = dns.promises.lookup;
dns.promises.lookup = async function (host, ...rest) {
  if (!isLocal(host)) { log('BLOCKED dns.promises.lookup', host);
    throw Object.assign(new Error('guard: dns lookup of ' + host + ' blocked'), { code: 'ENOTFOUND' }); }
  return origPLookup.call(this, host, ...rest);
};
