/**
 * Server-side request forgery guard. An endpoint's resolved addresses are refused when they fall
 * in loopback, private, link-local, carrier-grade NAT, multicast or cloud metadata ranges, unless
 * the host name or the address is on the allowlist (host names, `*.suffix` wildcards or CIDRs).
 * The check runs on the addresses the socket really connects to (a `lookup` hook), so a name that
 * re-resolves to a private address later is caught too.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { TransportError } from '../../state/index.js';

const REFUSED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['168.63.129.16', 32], // Azure platform endpoint
] as const;
const REFUSED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local, including fd00:ec2::254 (AWS metadata)
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const;

/** The endpoint resolves to an address the guard refuses. Not retriable: the answer will not change. */
export class AddressRefusedError extends TransportError {
  constructor(host: string, address: string) {
    super(`endpoint ${host} resolves to ${address}, a private or reserved address not on the allowlist`, {
      retriable: false,
      context: { host, address },
    });
  }
}

export interface AddressGuard {
  /** Whether connecting to `address` (an IP) for `host` is allowed. */
  allows(host: string, address: string): boolean;
  /** A `lookup` for net/tls.connect that resolves and refuses forbidden addresses. */
  readonly lookup: LookupFunction;
}

export function createAddressGuard(allowlist: readonly string[]): AddressGuard {
  const refused = new BlockList();
  for (const [net, prefix] of REFUSED_V4) refused.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of REFUSED_V6) refused.addSubnet(net, prefix, 'ipv6');
  const allowedNets = new BlockList();
  const allowedHosts: string[] = [];
  for (const item of allowlist) {
    const slash = item.indexOf('/');
    const ip = slash < 0 ? item : item.slice(0, slash);
    const family = isIP(ip);
    if (family === 0) {
      allowedHosts.push(item.toLowerCase());
    } else {
      const prefix = slash < 0 ? (family === 4 ? 32 : 128) : Number(item.slice(slash + 1));
      allowedNets.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }
  const hostAllowed = (host: string): boolean => {
    const name = host.toLowerCase();
    return allowedHosts.some((h) => (h.startsWith('*.') ? name.endsWith(h.slice(1)) : name === h));
  };
  const allows = (host: string, address: string): boolean => {
    if (hostAllowed(host)) return true;
    const [ip, type] = normalise(address);
    if (type === undefined) return false;
    return allowedNets.check(ip, type) || !refused.check(ip, type);
  };
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !allows(hostname, a.address));
      if (bad !== undefined) return callback(new AddressRefusedError(hostname, bad.address), []);
      if (options.all) return callback(null, list);
      const first = list[0];
      if (first === undefined)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
  return { allows, lookup };
}

/** IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry. */
function normalise(address: string): [string, 'ipv4' | 'ipv6' | undefined] {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return [mapped[1], 'ipv4'];
  const family = isIP(bare);
  return [bare, family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : undefined];
}
