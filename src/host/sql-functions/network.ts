// osquery's network functions (sqlite_network.cpp; community ID from sqlite_hashing.cpp).
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { cText, isText, isInteger, type Arg, type FunctionDef, type Result } from './coerce.js';

/** inet_pton(AF_INET): four decimal octets, no leading zeros. */
export function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

interface Ip {
  readonly v6: boolean;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Buffer;
  /** IPv6 scope id ("%3"), which boost compares after the bytes. */
  readonly scope: number;
}

/**
 * boost::asio::ip::make_address: IPv6 (with an optional %scope) or dotted
 * IPv4 as inet_pton reads them. A scope is read with atoi (boost tries
 * if_nametoindex first for link-local addresses, which depends on the
 * machine; a name that is not an interface reads as 0 either way).
 */
function parseIp(s: string): Ip | null {
  if (isIPv4(s)) {
    const o = parseIPv4(s);
    return o ? { v6: false, bytes: Buffer.from(o), scope: 0 } : null;
  }
  const pct = s.indexOf('%');
  const bare = pct >= 0 ? s.slice(0, pct) : s;
  if (!isIPv6(bare)) return null;
  const digits = pct >= 0 ? /^[ \t\n\v\f\r]*\+?([0-9]+)/.exec(s.slice(pct + 1)) : null;
  const scope = digits ? Number(BigInt.asUintN(32, BigInt(digits[1]))) : 0;
  return { v6: true, bytes: ipv6Bytes(bare), scope };
}

function ipv6Bytes(s: string): Buffer {
  let text = s;
  const tail: number[] = [];
  // An embedded dotted quad fills the last 32 bits.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = parseIPv4(dotted[1]) ?? [0, 0, 0, 0];
    tail.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
    text = text.slice(0, -dotted[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (g: string): number[] => (g === '' ? [] : g.split(':').map((h) => parseInt(h, 16)));
  const left = groups(head);
  const right = [...(rest === undefined ? [] : groups(rest)), ...tail];
  const words =
    rest === undefined && tail.length > 0
      ? [...left, ...tail]
      : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  words.slice(0, 8).forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** make_network_v4 / make_network_v6: "addr/prefix", the prefix all digits and in range. */
function parseNetwork(cidr: string, v6: boolean): { ip: Ip; prefix: number } | null {
  const slash = cidr.indexOf('/');
  if (slash < 0 || slash === cidr.length - 1) return null;
  const prefixText = cidr.slice(slash + 1);
  if (!/^[0-9]+$/.test(prefixText)) return null;
  const ip = parseIp(cidr.slice(0, slash));
  if (!ip || ip.v6 !== v6) return null;
  const prefix = Number(prefixText);
  if (prefix > (v6 ? 128 : 32)) return null;
  return { ip, prefix };
}

const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex')}`);

/** boost's address ordering: bytes, then (IPv6) the scope id. */
function compareIp(a: { value: bigint; scope: number }, b: { value: bigint; scope: number }): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.scope - b.scope;
}

/**
 * network.hosts().find(ip) as boost::asio computes it, quirks included:
 *   IPv4: a /32 is [addr, addr+1) and any other prefix [network+1,
 *   broadcast), so the network and broadcast addresses are not hosts, a /31
 *   has none, and 255.255.255.255/32 has none (addr+1 wraps to 0);
 *   IPv6: [first, last+1), where last+1 wraps to :: for a network that ends
 *   at ffff:…:ffff, leaving it empty (::/0 and ff00::/8 contain nothing).
 */
function inCidrBlock(cidrArg: Arg, ipArg: Arg): Result {
  if (!isText(cidrArg)) throw new Error('CIDR must be a string');
  if (!isText(ipArg)) throw new Error('IP address must be a string');
  const ip = parseIp(cText(ipArg));
  if (!ip) throw new Error('IP address cannot be parsed');
  const net = parseNetwork(cText(cidrArg), ip.v6);
  if (!net) throw new Error(`CIDR for IP address ${ip.v6 ? 'v6' : 'v4'} cannot be parsed`);
  const bits = ip.v6 ? 128 : 32;
  const mod = 1n << BigInt(bits);
  const value = toBig(ip.bytes);
  const addr = toBig(net.ip.bytes);
  const hostMask = (1n << BigInt(bits - net.prefix)) - 1n;
  const first = addr & ~hostMask;
  const last = addr | hostMask;
  let begin: bigint;
  let end: bigint;
  if (!ip.v6) {
    [begin, end] = net.prefix === 32 ? [addr, (addr + 1n) % mod] : [first + 1n, last];
  } else {
    [begin, end] = [first, (last + 1n) % mod];
  }
  const me = { value, scope: ip.scope };
  const inside =
    compareIp(me, { value: begin, scope: net.ip.scope }) >= 0 && compareIp(me, { value: end, scope: net.ip.scope }) < 0;
  return inside ? 1n : 0n;
}

/** boost::asio::ip::address ordering: every IPv4 address sorts before every IPv6 one. */
function ipLess(a: Ip, b: Ip): boolean {
  if (a.v6 !== b.v6) return !a.v6;
  return compareIp({ value: toBig(a.bytes), scope: a.scope }, { value: toBig(b.bytes), scope: b.scope }) < 0;
}

const ipEqual = (a: Ip, b: Ip): boolean => a.v6 === b.v6 && a.bytes.equals(b.bytes) && a.scope === b.scope;

/** Community ID v1 (https://github.com/corelight/community-id-spec) of a flow tuple. */
function communityId(args: Arg[]): string {
  let seed = 0;
  if (args.length === 6) {
    const s = args[5];
    if (!isInteger(s)) throw new Error('Community ID seed must be an integer');
    if (s < -32768n || s > 32767n) throw new Error('Community ID seed must fit in 2 bytes');
    seed = Number(s);
  }
  const [sa, da, sp, dp, pr] = args;
  if (!isText(sa) || !isText(da)) throw new Error('Community ID IPs must be strings');
  let src = parseIp(cText(sa));
  if (!src) throw new Error('Community ID saddr cannot be parsed as IP');
  let dst = parseIp(cText(da));
  if (!dst) throw new Error('Community ID daddr cannot be parsed as IP');
  if (!isInteger(sp) || !isInteger(dp)) throw new Error('Community ID ports must be integers');
  if (sp < 0n || sp > 65535n || dp < 0n || dp > 65535n) throw new Error('Community ID ports must fit in 2 bytes');
  if (!isInteger(pr)) throw new Error('Community ID protocol must be an integer');
  if (pr < 0n || pr > 255n) throw new Error('Community ID protocol must fit in 1 byte');
  let sport = Number(sp);
  let dport = Number(dp);
  const ordered = ipLess(src, dst) || (ipEqual(src, dst) && sport < dport);
  if (!ordered) {
    [src, dst] = [dst, src];
    [sport, dport] = [dport, sport];
  }
  const head = Buffer.alloc(2);
  head.writeInt16BE(seed);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sport, 0);
  ports.writeUInt16BE(dport, 2);
  const data = Buffer.concat([head, src.bytes, dst.bytes, Buffer.from([Number(pr), 0]), ports]);
  return `1:${createHash('sha1').update(data).digest('base64')}`;
}

function communityFunctions(name: string, strict: boolean): FunctionDef[] {
  const fn = (...args: Arg[]): Result => {
    try {
      return communityId(args);
    } catch (e) {
      // The lenient form answers NULL (osquery logs a warning) so one bad row
      // does not fail a whole scheduled query.
      if (strict) throw e;
      return null;
    }
  };
  return [
    { name, arity: 5, fn },
    { name, arity: 6, fn },
  ];
}

export const NETWORK: FunctionDef[] = [
  { name: 'in_cidr_block', arity: 2, fn: inCidrBlock },
  ...communityFunctions('community_id_v1', false),
  ...communityFunctions('community_id_v1_strict', true),
];
