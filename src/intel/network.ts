// Address classification and the mining-pool port list, as data, so that the
// connection table, the CLI and the pack agree on what "external" and "pool
// port" mean.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * TCP ports commonly used by Stratum mining pools (plain and TLS). Compiled
 * from public pool documentation (e.g. ports advertised by Monero, Ethereum
 * Classic and Bitcoin pools) and the port lists in public threat reports on
 * cryptojacking. A hit is a hint, never a verdict on its own: 8080/8443 are
 * ordinary web ports too, so they are deliberately left out.
 */
export const MINING_POOL_PORTS: readonly number[] = [
  3333, 3334, 3335, 3336, 3357, 4444, 4445, 5555, 5556, 5588, 5730, 6099, 6666, 7777, 7778, 8008, 8118, 8888, 8899,
  9000, 9332, 9999, 10001, 10191, 10300, 10343, 10555, 11024, 12222, 13333, 14433, 14444, 15555, 17777, 18081, 18082,
  19999, 20535, 20580, 25565, 45560, 45700,
];
const POOL_PORTS = new Set(MINING_POOL_PORTS);

export function isPoolPort(port: number): boolean {
  return POOL_PORTS.has(port);
}

/** IPv4 text to a 32-bit unsigned number, or null when it is not IPv4. */
function ipv4ToNumber(address: string): number | null {
  if (!isIPv4(address)) return null;
  const parts = address.split('.').map(Number);
  return (((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) >>> 0;
}

/** [network, prefix length] pairs of IPv4 space that is not the internet (the pack's SQL renders the same list). */
export const IPV4_INTERNAL: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", includes the unspecified address
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT shared space, RFC 6598
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // RFC 1918
  ['192.168.0.0', 16], // RFC 1918
  ['224.0.0.0', 4], // multicast
  ['255.255.255.255', 32], // limited broadcast
];
const IPV4_RANGES = IPV4_INTERNAL.map(([net, len]) => {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { net: (ipv4ToNumber(net) ?? 0) & mask, mask };
});

function ipv4Internal(n: number): boolean {
  return IPV4_RANGES.some((r) => (n & r.mask) >>> 0 === r.net >>> 0);
}

/** [first group, prefix length <= 16] pairs of IPv6 space that is not the internet. */
export const IPV6_INTERNAL: readonly (readonly [number, number])[] = [
  [0xfc00, 7], // unique-local fc00::/7
  [0xfe80, 10], // link-local fe80::/10
  [0xff00, 8], // multicast ff00::/8
];

/** Expands IPv6 text (with :: and an optional dotted IPv4 tail) into 8 groups. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!isIPv6(text)) return null;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // A dotted IPv4 tail is the last two groups written differently.
    const n = ipv4ToNumber(last);
    if (n === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === null ? [] : parse(rest);
  const fill = 8 - h.length - r.length;
  if (fill < 0 || (rest === null && fill !== 0)) return null;
  return [...h, ...new Array<number>(fill).fill(0), ...r];
}

/**
 * True when the remote end is on the internet: not loopback, private,
 * link-local, CGNAT (100.64/10), unique-local (fc00::/7), multicast or
 * unspecified, in IPv4 or IPv6 (IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible
 * forms are judged by their IPv4 part). Text that is not an address is not
 * external: we only claim "external" for what we can read.
 */
export function isExternalAddress(address: string): boolean {
  const v4 = ipv4ToNumber(address);
  if (v4 !== null) return !ipv4Internal(v4);
  const g = ipv6Groups(address);
  if (g === null) return false;
  if (g.every((x) => x === 0)) return false; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  const firstFive = g.slice(0, 5).every((x) => x === 0);
  if (firstFive && (g[5] === 0xffff || g[5] === 0)) {
    // IPv4-mapped (::ffff:a.b.c.d) or the old IPv4-compatible form.
    return !ipv4Internal(((g[6] << 16) >>> 0) + g[7]);
  }
  return !IPV6_INTERNAL.some(([net, len]) => g[0] >> (16 - len) === net >> (16 - len));
}
