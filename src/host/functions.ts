// osquery's SQL functions (osquery 5.23.1, osquery/sql/sqlite_*.cpp),
// re-implemented with osquery's semantics so a pack query that works in
// osqueryd works on the embedded host and vice versa. Where osquery's
// behaviour is surprising (split trims and drops empty fields; concat_ws
// leaves a trailing separator when the last argument is NULL; in_cidr_block
// excludes an IPv4 network's own and broadcast address; ceil/floor return
// INTEGER; log is the natural log, unlike SQLite's built-in) we follow
// osquery, because the point is to predict what osqueryd will answer.
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

function leadingNumber(s: string): number {
  const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(s);
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

function rounding(name: string, f: (x: number) => number): FunctionDef {
  return {
    name,
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      if (isInteger(v)) return v;
      const r = f(double(v));
      return Number.isFinite(r) ? BigInt(r) : null;
    },
  };
}

const MATH: FunctionDef[] = [
  unary('sqrt', Math.sqrt),
  unary('acos', Math.acos),
  unary('asin', Math.asin),
  unary('atan', Math.atan),
  unary('cos', Math.cos),
  unary('sin', Math.sin),
  unary('tan', Math.tan),
  // 1/tan is plain division in osquery, so cot(0) is Inf, not an error.
  unary('cot', (x) => 1 / Math.tan(x), false),
  unary('exp', Math.exp),
  unary('log', Math.log),
  unary('log10', Math.log10),
  {
    name: 'power',
    arity: 2,
    fn: (a, b) => {
      if (a === null || b === null) return null;
      const x = double(a);
      const y = double(b);
      return checked([x, y], Math.pow(x, y));
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

/** Splits on any one of the token characters, drops empty fields, trims each (osquery::split). */
function tokenSplit(input: string, tokens: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (const ch of input) {
    if (tokens.includes(ch)) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.filter((f) => f.length > 0).map((f) => f.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, ''));
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
  return { name, arity: 1, fn: (v) => (v === null ? null : createHash(algorithm).update(cText(v), 'utf8').digest('hex')) };
}

/** osquery's isPrintable: every byte in 0x20..0x7E. */
function printable(s: string): boolean {
  for (const b of Buffer.from(s, 'utf8')) if (b <= 0x1f || b >= 0x7f) return false;
  return true;
}

const toBase64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** osquery drops newlines and trailing '=', and answers '' for anything not base64 (Buffer would skip it). */
function fromBase64(s: string): string {
  const body = s.replace(/\r?\n/g, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(body)) return '';
  return Buffer.from(body, 'base64').toString('utf8');
}

const ENCODING: FunctionDef[] = [
  hashFunction('md5', 'md5'),
  hashFunction('sha1', 'sha1'),
  hashFunction('sha256', 'sha256'),
  { name: 'to_base64', arity: 1, fn: (v) => (v === null ? null : toBase64(cText(v))) },
  {
    name: 'from_base64',
    arity: 1,
    fn: (v) => (v === null ? null : fromBase64(cText(v))),
  },
  {
    name: 'conditional_to_base64',
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      const s = cText(v);
      return printable(s) ? s : toBase64(s);
    },
  },
];

// --- network (sqlite_network.cpp, community ID in sqlite_hashing.cpp) -----

interface Ip {
  readonly v6: boolean;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Buffer;
}

function parseIp(s: string): Ip | null {
  if (isIPv4(s)) {
    const o = parseIPv4(s);
    return o ? { v6: false, bytes: Buffer.from(o) } : null;
  }
  const bare = s.split('%')[0];
  if (!isIPv6(bare)) return null;
  return { v6: true, bytes: ipv6Bytes(bare) };
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

function parseNetwork(cidr: string, v6: boolean): { bytes: Buffer; prefix: number } | null {
  const slash = cidr.indexOf('/');
  if (slash < 0 || slash === cidr.length - 1) return null;
  const prefixText = cidr.slice(slash + 1);
  if (!/^[0-9]+$/.test(prefixText)) return null;
  const addr = parseIp(cidr.slice(0, slash));
  if (!addr || addr.v6 !== v6) return null;
  const prefix = Number(prefixText);
  if (prefix > (v6 ? 128 : 32)) return null;
  return { bytes: addr.bytes, prefix };
}

function masked(bytes: Buffer, prefix: number, fill: 0 | 1): bigint {
  const bits = bytes.length * 8;
  const value = BigInt(`0x${bytes.toString('hex')}`);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return fill === 0 ? value & ~hostMask : value | hostMask;
}

/**
 * Whether ip is one of the network's hosts as boost::asio counts them: for
 * IPv4 a /32 is its one address and any other prefix excludes the network and
 * broadcast addresses (so a /31 has no hosts); IPv6 counts every address.
 */
function inCidrBlock(cidrArg: Arg, ipArg: Arg): Result {
  if (!isText(cidrArg)) throw new Error('CIDR must be a string');
  if (!isText(ipArg)) throw new Error('IP address must be a string');
  const ip = parseIp(ipArg);
  if (!ip) throw new Error('IP address cannot be parsed');
  const net = parseNetwork(cidrArg, ip.v6);
  if (!net) throw new Error(`CIDR for IP address ${ip.v6 ? 'v6' : 'v4'} cannot be parsed`);
  const value = BigInt(`0x${ip.bytes.toString('hex')}`);
  const low = masked(net.bytes, net.prefix, 0);
  const high = masked(net.bytes, net.prefix, 1);
  if (ip.v6) return value >= low && value <= high ? 1n : 0n;
  if (net.prefix === 32) return value === BigInt(`0x${net.bytes.toString('hex')}`) ? 1n : 0n;
  return value > low && value < high ? 1n : 0n;
}

/** boost::asio::ip::address ordering: every IPv4 address sorts before every IPv6 one. */
function ipLess(a: Ip, b: Ip): boolean {
  if (a.v6 !== b.v6) return !a.v6;
  return Buffer.compare(a.bytes, b.bytes) < 0;
}

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
  let src = parseIp(sa);
  if (!src) throw new Error('Community ID saddr cannot be parsed as IP');
  let dst = parseIp(da);
  if (!dst) throw new Error('Community ID daddr cannot be parsed as IP');
  if (!isInteger(sp) || !isInteger(dp)) throw new Error('Community ID ports must be integers');
  if (sp < 0n || sp > 65535n || dp < 0n || dp > 65535n) throw new Error('Community ID ports must fit in 2 bytes');
  if (!isInteger(pr)) throw new Error('Community ID protocol must be an integer');
  if (pr < 0n || pr > 255n) throw new Error('Community ID protocol must fit in 1 byte');
  let sport = Number(sp);
  let dport = Number(dp);
  const ordered = ipLess(src, dst) || (Buffer.compare(src.bytes, dst.bytes) === 0 && src.v6 === dst.v6 && sport < dport);
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

const ALL: readonly FunctionDef[] = [...MATH, ...STRINGS, ...ENCODING, ...NETWORK, ...VERSION];

/** Names of osquery's SQL functions that the embedded host implements. */
export const OSQUERY_FUNCTIONS: readonly string[] = [...new Set(ALL.map((f) => f.name))].sort();

/** Registers every osquery function on a connection, overriding SQLite built-ins of the same name. */
export function registerOsqueryFunctions(db: Database): void {
  for (const def of ALL) {
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
