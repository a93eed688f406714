// osquery's SQL functions (osquery 5.23.1, osquery/sql/sqlite_*.cpp),
// re-implemented with osquery's semantics so a pack query that works in
// osqueryd works on the embedded host and vice versa. Where osquery's
// behaviour is surprising (split trims and drops empty fields; concat_ws
// leaves a trailing separator when the last argument is NULL; in_cidr_block
// excludes an IPv4 network's own and broadcast address; ceil/floor return
// INTEGER; log is the natural log, unlike SQLite's built-in) we follow
// osquery, because the point is to predict what osqueryd will answer,
// errors included (test/host/functions.test.ts cites the source per
// function). Platform details are x86-64 Linux osqueryd's (glibc errno
// messages, 80-bit expl, cvttsd2si for ceil/floor); see docs/snapshots.md.
//
// Not here: carve and sleep (side effects), the filesystem helpers that probe
// this machine's disk (is_path_deterministic, find_file_path_in_cmd,
// parent_directory would answer for the analyst's machine, not the host the
// data came from), ssdeep_compare (needs libfuzzy), and the version_*
// collations (better-sqlite3 has no API to register collations).
//
// This module only imports better-sqlite3's types, so the pack validator can
// read OSQUERY_FUNCTIONS without loading the native module.
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Database } from 'better-sqlite3';
import { realText } from './values.js';

/** A function argument as better-sqlite3 passes it with safe integers on. */
type Arg = string | number | bigint | Buffer | null;
type Result = string | number | bigint | null;

interface FunctionDef {
  readonly name: string;
  /** Argument count, or -1 for any number. */
  readonly arity: number;
  readonly fn: (...args: Arg[]) => Result;
}

// --- SQLite value coercions (sqlite3_value_text / _int / _double) ---------

function text(v: Arg): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return realText(v);
  return v.toString('utf8');
}

/** C strings end at the first NUL; osquery reads sqlite3_value_text as one. */
function cText(v: Arg): string {
  const s = text(v);
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** sqlite3_value_bytes-long bytes of sqlite3_value_text (NULs included). */
function bytes(v: Arg): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(text(v), 'utf8');
}

/** The bytes a C string (up to the first NUL) reads from sqlite3_value_text. */
function cBytes(v: Arg): Buffer {
  const b = bytes(v);
  const nul = b.indexOf(0);
  return nul >= 0 ? b.subarray(0, nul) : b;
}

function leadingNumber(s: string): number {
  // sqlite3AtoF skips ASCII blanks only.
  const m = /^[ \t\n\v\f\r]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/.exec(s);
  return m ? Number(m[0]) : 0;
}

function double(v: Arg): number {
  if (v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return leadingNumber(text(v));
}

/** sqlite3_value_int: a 32-bit integer, text read by its leading digits. */
function int32(v: Arg): number {
  if (v === null) return 0;
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  const d = typeof v === 'number' ? v : leadingNumber(text(v));
  return Number.isFinite(d) ? Math.trunc(d) | 0 : 0;
}

/** static_cast<size_t>(int): a negative index can never be in range. */
function index(v: Arg): number {
  const i = int32(v);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

const isText = (v: Arg): v is string => typeof v === 'string';
const isInteger = (v: Arg): v is bigint => typeof v === 'bigint';

// --- math (sqlite_math.cpp) -----------------------------------------------

const EDOM = 'Numerical argument out of domain';
const ERANGE = 'Numerical result out of range';

/** libm reports domain and range errors through errno; osquery turns them into SQL errors. */
function checked(input: number[], out: number): number {
  if (Number.isNaN(out) && !input.some(Number.isNaN)) throw new Error(EDOM);
  if (!Number.isFinite(out) && !Number.isNaN(out) && input.every(Number.isFinite)) throw new Error(ERANGE);
  return out;
}

function unary(name: string, f: (x: number) => number, check = true): FunctionDef {
  return {
    name,
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      const x = double(v);
      return check ? checked([x], f(x)) : f(x);
    },
  };
}

const INT64_MIN = -(2n ** 63n);

function rounding(name: string, f: (x: number) => number): FunctionDef {
  return {
    name,
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      if (isInteger(v)) return v;
      const r = f(double(v));
      // (int64_t) of Inf or of a value beyond 64 bits: x86-64's cvttsd2si gives INT64_MIN.
      if (!Number.isFinite(r) || r >= 2 ** 63 || r < -(2 ** 63)) return INT64_MIN;
      return BigInt(r);
    },
  };
}

/** glibc's pow reports an underflow (a zero or subnormal result of finite, non-zero operands) as ERANGE. */
function powChecked(x: number, y: number): number {
  const out = checked([x, y], Math.pow(x, y));
  if (Math.abs(out) < 2.2250738585072014e-308 && x !== 0 && Number.isFinite(x) && Number.isFinite(y)) throw new Error(ERANGE);
  return out;
}

// expl works in 80-bit long double on x86-64 Linux: it overflows only past
// ln(LDBL_MAX); below that a result too big for a double is Inf, no error.
const LN_LDBL_MAX = 11356.523406294143;

const MATH: FunctionDef[] = [
  unary('sqrt', Math.sqrt),
  unary('acos', Math.acos),
  unary('asin', Math.asin),
  unary('atan', Math.atan),
  unary('cos', Math.cos),
  unary('sin', Math.sin),
  unary('tan', Math.tan),
  // 1/tan is plain division in osquery, so cot(0) is Inf, not an error; tan(±Inf) still sets EDOM.
  unary('cot', (x) => {
    if (!Number.isFinite(x)) throw new Error(EDOM);
    return 1 / Math.tan(x);
  }, false),
  unary('exp', (x) => {
    if (x > LN_LDBL_MAX) throw new Error(ERANGE);
    return Math.exp(x);
  }, false),
  unary('log', Math.log),
  unary('log10', Math.log10),
  {
    name: 'power',
    arity: 2,
    fn: (a, b) => {
      if (a === null || b === null) return null;
      return powChecked(double(a), double(b));
    },
  },
  rounding('ceil', Math.ceil),
  rounding('floor', Math.floor),
  unary('degrees', (x) => (180 * x) / Math.PI, false),
  unary('radians', (x) => (x * Math.PI) / 180, false),
  { name: 'pi', arity: 0, fn: () => Math.PI },
];

// --- strings (sqlite_string.cpp) ------------------------------------------

/** osquery's --regex_max_size default, in bytes. */
export const REGEX_MAX_SIZE = 256;

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw new Error('Invalid regex');
  }
}

function splitFunction(name: string, splitter: (input: string, token: string) => string[]): FunctionDef {
  return {
    name,
    arity: 3,
    fn: (input, token, idx) => {
      if (input === null || token === null || idx === null) return null;
      const t = cText(token);
      if (t === '') throw new Error('Invalid input to split function');
      const parts = splitter(cText(input), t);
      const i = index(idx);
      return i < parts.length ? parts[i] : null;
    },
  };
}

/**
 * osquery::split: boost::split on any one of the token's BYTES, empty fields
 * dropped, then each field trimmed of C-locale blanks (so a field of blanks
 * stays, as ''). Works on UTF-8 bytes as osquery does.
 */
function tokenSplit(input: string, tokens: string): string[] {
  const delims = new Set(Buffer.from(tokens, 'utf8'));
  const b = Buffer.from(input, 'utf8');
  const fields: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || delims.has(b[i])) {
      fields.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  return fields.filter((f) => f.length > 0).map((f) => f.toString('utf8').replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, ''));
}

/** Fields between regex matches; like std::sregex_token_iterator(-1), no empty trailing field. */
function regexSplit(input: string, token: string): string[] {
  if (Buffer.byteLength(token) > REGEX_MAX_SIZE) throw new Error('Invalid regex');
  const fields = fieldsBetweenMatches(input, compileRegex(token));
  if (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}

// Not String.split: that would also return capture groups, which std::regex's
// -1 token iterator does not.
function fieldsBetweenMatches(input: string, re: RegExp): string[] {
  const global = new RegExp(re.source, 'g');
  const fields: string[] = [];
  let last = 0;
  for (const m of input.matchAll(global)) {
    if (m[0].length === 0) continue;
    fields.push(input.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
  }
  fields.push(input.slice(last));
  return fields;
}

function concatFrom(args: Arg[], start: number, sep: string): Result {
  if (args.length - start === 0) return null;
  let out = '';
  for (let i = start; i < args.length; i++) {
    const v = args[i];
    if (v === null) continue;
    out += cText(v);
    // As in osquery: the separator follows every non-NULL value except the
    // last argument, even when the arguments after it are all NULL.
    if (sep !== '' && i + 1 < args.length) out += sep;
  }
  return out;
}

function inetAton(v: Arg): Result {
  if (v === null) return null;
  const s = cText(v);
  if (s.includes(':')) return null;
  const octets = parseIPv4(s);
  if (!octets) return null;
  return BigInt(((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]);
}

/** inet_pton(AF_INET): four decimal octets, no leading zeros. */
function parseIPv4(s: string): number[] | null {
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

const STRINGS: FunctionDef[] = [
  splitFunction('split', tokenSplit),
  splitFunction('regex_split', regexSplit),
  {
    name: 'regex_match',
    arity: 3,
    fn: (input, pattern, group) => {
      if (input === null || pattern === null || group === null) return null;
      const p = cText(pattern);
      if (Buffer.byteLength(p) > REGEX_MAX_SIZE) {
        throw new Error(`Invalid regex: too big, max size is ${REGEX_MAX_SIZE} bytes`);
      }
      const m = compileRegex(p).exec(cText(input));
      if (!m) return null;
      const i = index(group);
      return i < m.length ? (m[i] ?? '') : null;
    },
  },
  { name: 'concat', arity: -1, fn: (...args) => concatFrom(args, 0, '') },
  {
    name: 'concat_ws',
    arity: -1,
    fn: (...args) => {
      if (args.length === 0) throw new Error('Missing separator to concat_ws');
      return concatFrom(args, 1, args[0] === null ? '' : cText(args[0]));
    },
  },
  { name: 'inet_aton', arity: 1, fn: inetAton },
];

// --- hashing and encoding (sqlite_hashing.cpp, sqlite_encoding.cpp) -------

function hashFunction(name: string, algorithm: string): FunctionDef {
  // hashFromBuffer(input, strlen(input)): the bytes up to the first NUL, a BLOB's too.
  return { name, arity: 1, fn: (v) => (v === null ? null : createHash(algorithm).update(cBytes(v)).digest('hex')) };
}

/** osquery's isPrintable: every byte in 0x20..0x7E. */
function printable(b: Buffer): boolean {
  for (const x of b) if (x <= 0x1f || x >= 0x7f) return false;
  return true;
}

// The base64 functions read sqlite3_value_bytes bytes: NULs and all.
const toBase64 = (b: Buffer): string => b.toString('base64');

/** Base64 alphabet values as boost's binary_from_base64 has them: '=' reads as 0, anything else outside the alphabet fails. */
const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c.charCodeAt(0), i] as const).concat([[0x3d, 0]]));

/**
 * osquery's base64::decode: drop "\r\n" and "\n", trim trailing '=', then
 * 6 bits per character into whole bytes; '' for any other character (a lone
 * \r included), where Buffer would silently skip it.
 */
function fromBase64(input: Buffer): string {
  const body = input.toString('latin1').replace(/\r\n/g, '').replace(/\n/g, '').replace(/=+$/, '');
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < body.length; i++) {
    const v = B64.get(body.charCodeAt(i));
    if (v === undefined) return '';
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out).toString('utf8');
}

const ENCODING: FunctionDef[] = [
  hashFunction('md5', 'md5'),
  hashFunction('sha1', 'sha1'),
  hashFunction('sha256', 'sha256'),
  { name: 'to_base64', arity: 1, fn: (v) => (v === null ? null : toBase64(bytes(v))) },
  { name: 'from_base64', arity: 1, fn: (v) => (v === null ? null : fromBase64(bytes(v))) },
  {
    name: 'conditional_to_base64',
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      const b = bytes(v);
      return printable(b) ? b.toString('utf8') : toBase64(b);
    },
  },
];

// --- network (sqlite_network.cpp, community ID in sqlite_hashing.cpp) -----

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
  const words = rest === undefined && tail.length > 0 ? [...left, ...tail] : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
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
  const inside = compareIp(me, { value: begin, scope: net.ip.scope }) >= 0 && compareIp(me, { value: end, scope: net.ip.scope }) < 0;
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

const NETWORK: FunctionDef[] = [
  { name: 'in_cidr_block', arity: 2, fn: inCidrBlock },
  ...communityFunctions('community_id_v1', false),
  ...communityFunctions('community_id_v1_strict', true),
];

// --- version_compare (sqlite_version.cpp) ---------------------------------

interface VersionRules {
  /** An epoch ("1:") makes a version sort after one without. */
  readonly epoch: boolean;
  /** Differing delimiters decide the order by their rank. */
  readonly delimiterRank: boolean;
  /** When one version is a prefix of the other, look at what follows. */
  readonly inspectRemainder: boolean;
  /** ... and, if that is inconclusive after a digit, let length decide. */
  readonly remainderByLength: boolean;
}

const FLAVORS: Record<string, VersionRules> = {
  ARCH: { epoch: true, delimiterRank: false, inspectRemainder: true, remainderByLength: true },
  DPKG: { epoch: true, delimiterRank: true, inspectRemainder: false, remainderByLength: false },
  RHEL: { epoch: true, delimiterRank: true, inspectRemainder: true, remainderByLength: false },
};
const GENERIC: VersionRules = { epoch: false, delimiterRank: false, inspectRemainder: false, remainderByLength: false };

const DELIMITER_RANK: Record<string, number> = { '~': 1, '-': 2, '^': 3, '.': 4, ':': 5 };
const rank = (c: number | undefined): number => (c === undefined ? 0 : (DELIMITER_RANK[String.fromCharCode(c)] ?? 0));
/** C's char is signed: bytes above 0x7F compare as negative numbers. */
const signedByte = (c: number): number => (c > 127 ? c - 256 : c);
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function compareVersions(left: string, right: string, rules: VersionRules): number {
  const l = Buffer.from(left, 'utf8');
  const r = Buffer.from(right, 'utf8');
  if (l.length === 0 || r.length === 0) return l.length === r.length ? 0 : l.length === 0 ? -1 : 1;
  if (l.equals(r)) return 0;
  if (rules.epoch) {
    const le = l.indexOf(':'.charCodeAt(0));
    const re = r.indexOf(':'.charCodeAt(0));
    const diff = le >= 0 && re >= 0 ? le - re : le >= 0 ? 1 : re >= 0 ? -1 : 0;
    if (diff !== 0) return diff;
  }
  // Characters are compared pairwise; the first difference between ordinary
  // characters only counts once the segment ends at a delimiter, so 1.10 and
  // 1.9 compare by segment length before content.
  let firstDiff = 0;
  const common = Math.min(l.length, r.length);
  for (let i = 0; i < common; i++) {
    const lr = rank(l[i]);
    const rr = rank(r[i]);
    if (lr === 0 && rr === 0) {
      if (firstDiff === 0) firstDiff = signedByte(l[i]) - signedByte(r[i]);
      continue;
    }
    if (lr === 0) return 1;
    if (rr === 0) return -1;
    if (firstDiff !== 0) return firstDiff;
    if (rules.delimiterRank && lr !== rr) return lr - rr;
  }
  if (l.length === r.length) return firstDiff;
  return compareRemainder(l, r, common, firstDiff, rules);
}

function compareRemainder(l: Buffer, r: Buffer, pos: number, diff: number, rules: VersionRules): number {
  const sides: [Buffer, Buffer, 1 | -1][] = [
    [l, r, 1],
    [r, l, -1],
  ];
  for (const [short, long, sign] of sides) {
    if (short.length !== pos) continue;
    const next = String.fromCharCode(long[pos]);
    if (rules.inspectRemainder) {
      // A tilde suffix sorts before the bare version, a caret after it.
      if (next === '~') return sign;
      if (next === '-') return 0;
      if (next === '^') return -sign;
      if (diff !== 0 && (!rules.remainderByLength || !isDigit(short[pos - 1]))) return diff;
    } else if (diff !== 0 && rank(long[pos]) > 0) {
      return diff;
    }
  }
  return l.length - r.length;
}

const VERSION: FunctionDef[] = [
  {
    name: 'version_compare',
    arity: -1,
    fn: (...args) => {
      if (args.length < 2 || !isText(args[0]) || !isText(args[1])) {
        throw new Error('Must provide two version strings to compare.');
      }
      let rules = GENERIC;
      if (args.length > 2) {
        const flavor = args[2];
        if (!isText(flavor)) throw new Error('The optional third parameter is not a string.');
        const found = FLAVORS[flavor.toUpperCase()];
        if (!found) throw new Error('The optional third parameter does not match one of: (ARCH, DPKG, RHEL).');
        rules = found;
      }
      return BigInt(Math.sign(compareVersions(cText(args[0]), cText(args[1]), rules)));
    },
  },
];

// --- what osqueryd's SQLite does not have --------------------------------
// osquery builds SQLite without SQLITE_ENABLE_MATH_FUNCTIONS
// (libraries/cmake/source/sqlite/CMakeLists.txt), better-sqlite3 with it. So
// SQLite's own math functions that osquery does not register itself fail in
// osqueryd ("no such function", at prepare) and would silently work here.
// They are replaced by ones that fail the same way when called.
export const MISSING_IN_OSQUERYD: readonly { readonly name: string; readonly arity: number }[] = [
  ...['acosh', 'asinh', 'atanh', 'cosh', 'sinh', 'tanh', 'ln', 'log2', 'trunc', 'ceiling'].map((name) => ({ name, arity: 1 })),
  ...['atan2', 'mod', 'pow'].map((name) => ({ name, arity: 2 })),
];

const MISSING: FunctionDef[] = [
  ...MISSING_IN_OSQUERYD.map(({ name, arity }) => ({
    name,
    arity,
    fn: (): Result => {
      throw new Error(`no such function: ${name} (osqueryd's SQLite has no math extension)`);
    },
  })),
  // SQLite's two-argument log(B, X); osquery registers log with one argument only.
  {
    name: 'log',
    arity: 2,
    fn: (): Result => {
      throw new Error('wrong number of arguments to function log()');
    },
  },
];

const ALL: readonly FunctionDef[] = [...MATH, ...STRINGS, ...ENCODING, ...NETWORK, ...VERSION];

/** Names of osquery's SQL functions that the embedded host implements. */
export const OSQUERY_FUNCTIONS: readonly string[] = [...new Set(ALL.map((f) => f.name))].sort();

/** Registers every osquery function on a connection, overriding SQLite built-ins of the same name. */
export function registerOsqueryFunctions(db: Database): void {
  for (const def of [...ALL, ...MISSING]) {
    const fn = def.fn;
    if (def.arity < 0) {
      db.function(def.name, { deterministic: true, safeIntegers: true, varargs: true }, fn);
    } else {
      // better-sqlite3 takes the SQL arity from fn.length.
      const fixed = (...args: Arg[]): Result => fn(...args);
      Object.defineProperty(fixed, 'length', { value: def.arity });
      db.function(def.name, { deterministic: true, safeIntegers: true }, fixed);
    }
  }
}
