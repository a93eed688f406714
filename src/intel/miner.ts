// Cryptominer indicators as data, and the scans that use them: the strings
// compiled for the byte scan of a binary (src/intel/byte-strings.ts) and the
// scan of a command line.
//
// The command-line catalog (flags, base64, pool hosts) is miner-catalog.ts,
// shared with the pack's SQL. Sources: docs/catalogs.md.
import { MINER_CMDLINE_BASE64, MINER_CMDLINE_EXCLUDE, MINER_CMDLINE_FLAGS } from './miner-catalog.js';
import { ByteStringMatcher } from './byte-strings.js';
import { MINER_POOL_HOSTS } from './miner-pools.generated.js';

export { MINER_CMDLINE_BASE64, MINER_CMDLINE_FLAGS, MINER_POOL_HOSTS };

/**
 * Strings miners carry in their image: protocol URLs, Stratum JSON-RPC method
 * names, algorithm and tool names, and xmrig's option names. Lower-case ASCII;
 * they are found case-insensitively as ASCII and as UTF-16LE.
 */
export const MINER_BINARY_STRINGS: readonly string[] = [
  'stratum+tcp://',
  'stratum+ssl://',
  'stratum+tls://',
  'stratum+udp://',
  'stratum2+tcp://',
  'mining.subscribe',
  'mining.authorize',
  'xmrig',
  'xmr-stak',
  'cpuminer',
  'randomx',
  'cryptonight',
  'donate-level',
  'nicehash',
  'minexmr',
  'moneroocean',
  'supportxmr',
  'c3pool',
  'nanopool',
];

/** Sigma excludes command lines of builds that compile a file named pool.c. */
const CMDLINE_FILTERS: readonly string[] = MINER_CMDLINE_EXCLUDE;

/** ASCII-only lower-casing: miners' strings are ASCII, and locale rules must not change lengths. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

let binaryMatcher: ByteStringMatcher | null = null;
/** MINER_BINARY_STRINGS compiled for the byte scan (src/intel/byte-strings.ts), once per process. */
export function minerStringMatcher(): ByteStringMatcher {
  return (binaryMatcher ??= new ByteStringMatcher(MINER_BINARY_STRINGS));
}

/** Characters of a command line scanned at a time: small enough that every pass over a window stays in cache. */
const WINDOW_CHARS = 16 * 1024;

/**
 * Miner indicators in a command line: `flag:`, `b64:` and `pool:` codes, sorted.
 * The line is scanned in overlapping windows, so the cost per character is
 * the same for a 1 MB line as for a short one (see CommandLineScan).
 */
export function scanCommandLine(cmdline: string): string[] {
  const cached = cmdlineCache.get(cmdline);
  if (cached !== undefined) return [...cached];
  const scan = new CommandLineScan();
  forEachWindow(cmdline, scan.overlap, (raw, lower, fresh, last) => scan.window(raw, lower, fresh, last));
  const hits = scan.results();
  cmdlineCache.set(cmdline, hits);
  return [...hits];
}

/** Pool host names appearing as host names in lower-cased text (see CommandLineScan.pools), sorted. */
export function poolHostsIn(lowerText: string): string[] {
  const scan = new CommandLineScan();
  forEachWindow(lowerText, scan.overlap, (_raw, lower, fresh, last) => scan.pools(lower, fresh, last));
  return [...scan.poolHits].sort();
}

/**
 * Calls `f` for consecutive windows of `text`: each holds WINDOW_CHARS new
 * characters after `overlap` characters of the previous one (`fresh` is where
 * the new ones start), so anything up to overlap + 1 characters long lies
 * whole in some window.
 */
function forEachWindow(
  text: string,
  overlap: number,
  f: (raw: string, lower: string, fresh: number, last: boolean) => void,
): void {
  if (text.length === 0) f('', '', 0, true);
  for (let start = 0; start < text.length; start += WINDOW_CHARS) {
    const from = Math.max(0, start - overlap);
    const end = Math.min(text.length, start + WINDOW_CHARS);
    const raw = text.slice(from, end);
    f(raw, asciiLower(raw), start - from, end === text.length);
  }
}

let poolSet: Set<string> | null = null;
let poolMaxLength = 0;
function pools(): Set<string> {
  if (poolSet === null) {
    poolSet = new Set(MINER_POOL_HOSTS.map(asciiLower));
    poolMaxLength = Math.max(...[...poolSet].map((h) => h.length));
  }
  return poolSet;
}

const DOT = 0x2e;
/** [a-z0-9-]: a host-name label character in lower-cased text (NaN past either end is none). */
function isLabel(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
}

const literalMax = Math.max(
  ...[...MINER_CMDLINE_FLAGS, ...MINER_CMDLINE_BASE64, ...CMDLINE_FILTERS].map((s) => s.length),
);

/** The state of one command-line scan across its windows. */
class CommandLineScan {
  readonly overlap: number;
  private filtered = false;
  private readonly flags = new Set<string>();
  private readonly base64 = new Set<string>();
  readonly poolHits = new Set<string>();
  private readonly poolSet = pools();

  constructor() {
    // A literal, or a pool name with two characters before it and one after, fits whole in one window.
    this.overlap = Math.max(literalMax - 1, poolMaxLength + 4);
  }

  window(raw: string, lower: string, fresh: number, last: boolean): void {
    if (!this.filtered && CMDLINE_FILTERS.some((f) => lower.includes(f))) this.filtered = true;
    for (const f of MINER_CMDLINE_FLAGS) if (lower.includes(f)) this.flags.add(`flag:${f.trim()}`);
    for (const b of MINER_CMDLINE_BASE64) if (raw.includes(b)) this.base64.add(`b64:${b}`);
    this.pools(lower, fresh, last);
  }

  /**
   * Host names in the window: a run of labels joined by single dots names a
   * pool when it or one of its label suffixes does, so subdomains of a pool
   * match ("eu.pool.minexmr.com"); the longest such suffix counts. One pass
   * over the characters finds where runs end (a local test), and from each end
   * only suffixes no longer than the longest pool name are looked up: no
   * regular expression, no backtracking, nothing quadratic in a run's length.
   * An end is judged in exactly one window, the one whose fresh part holds it
   * with a character of look-ahead (see forEachWindow's overlap).
   */
  pools(w: string, fresh: number, last: boolean): void {
    const lo = fresh === 0 ? 1 : fresh - 1;
    const hi = last ? w.length : w.length - 2;
    const starts: number[] = [];
    for (let e = lo; e <= hi; e++) {
      // A run ends at e: a label character before, and neither a label character nor ".<label>" at e.
      if (
        !isLabel(w.charCodeAt(e - 1)) ||
        isLabel(w.charCodeAt(e)) ||
        (w.charCodeAt(e) === DOT && isLabel(w.charCodeAt(e + 1)))
      )
        continue;
      starts.length = 0;
      let dotSeen = false;
      for (let i = e - 1; i >= 0 && i >= e - poolMaxLength; i--) {
        const c = w.charCodeAt(i);
        if (c === DOT) {
          if (w.charCodeAt(i + 1) === DOT || !isLabel(w.charCodeAt(i - 1))) break;
          dotSeen = true;
        } else if (!isLabel(c)) break;
        else if (dotSeen && !isLabel(w.charCodeAt(i - 1))) starts.push(i);
      }
      // Longest first: the leftmost start.
      for (let k = starts.length - 1; k >= 0; k--) {
        const suffix = w.slice(starts[k], e);
        if (this.poolSet.has(suffix)) {
          this.poolHits.add(suffix);
          break;
        }
      }
    }
  }

  results(): string[] {
    const out = [...this.base64, ...[...this.poolHits].map((h) => `pool:${h}`), ...(this.filtered ? [] : this.flags)];
    return out.sort();
  }
}

/**
 * Scans of recent command lines: every query re-checks the same few hundred
 * processes, so each distinct command line is scanned once. Bounded by the
 * characters of the keys it holds, oldest dropped first.
 */
class CmdlineCache {
  private readonly map = new Map<string, readonly string[]>();
  private chars = 0;
  constructor(private readonly maxChars: number) {}
  get(key: string): readonly string[] | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: readonly string[]): void {
    if (key.length > MAX_CACHED_CHARS || this.map.has(key)) return;
    this.map.set(key, value);
    this.chars += key.length;
    for (const [k] of this.map) {
      if (this.chars <= this.maxChars) break;
      this.map.delete(k);
      this.chars -= k.length;
    }
  }
}
/** Longer lines (Windows caps a command line at 32,767 characters) are rescanned, not kept: linear either way. */
const MAX_CACHED_CHARS = 64 * 1024;
const cmdlineCache = new CmdlineCache(8 * 1024 * 1024);
