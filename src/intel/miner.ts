// Cryptominer indicators as data, and the two scans that use them: a bounded
// streaming scan of a binary's bytes and a scan of a command line.
//
// Sources (facts only; see docs/catalogs.md): SigmaHQ rules
// proc_creation_win_susp_crypto_mining_monero.yml and proc_creation_lnx_crypto_mining.yml
// (command-line substrings) and net_connection_win_domain_crypto_mining_pools.yml
// (pool host names), Detection Rule License 1.1.
import { MINER_POOL_HOSTS } from './miner-pools.generated.js';

export { MINER_POOL_HOSTS };

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

/** Command-line substrings (Sigma's Windows and Linux lists); matched ASCII case-insensitively. */
export const MINER_CMDLINE_FLAGS: readonly string[] = [
  ' --cpu-priority=',
  '--donate-level=0',
  ' -o pool.',
  ' --nicehash',
  ' --algo=rx/0 ',
  'stratum+tcp://',
  'stratum+udp://',
  'sh -c /sbin/modprobe msr allow_writes=on',
];

/** Base64 forms of --donate-level= and stratum+tcp/udp:// at the three alignments (Sigma); case matters. */
export const MINER_CMDLINE_BASE64: readonly string[] = [
  'LS1kb25hdGUtbGV2ZWw9',
  '0tZG9uYXRlLWxldmVsP',
  'tLWRvbmF0ZS1sZXZlbD',
  'c3RyYXR1bSt0Y3A6Ly',
  'N0cmF0dW0rdGNwOi8v',
  'zdHJhdHVtK3RjcDovL',
  'c3RyYXR1bSt1ZHA6Ly',
  'N0cmF0dW0rdWRwOi8v',
  'zdHJhdHVtK3VkcDovL',
];

/** Sigma excludes command lines of builds that compile a file named pool.c. */
const CMDLINE_FILTERS: readonly string[] = [' pool.c ', ' pool.o ', 'gcc -'];

/** ASCII-only lower-casing: miners' strings are ASCII, and locale rules must not change lengths. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * Finds MINER_BINARY_STRINGS in a byte stream fed chunk by chunk. All
 * patterns, in ASCII and UTF-16LE, go into one case-insensitive regular
 * expression run over each chunk's latin1 view (one byte per character), so a
 * multi-MB image costs one pass of V8's compiled matcher rather than a pass per
 * pattern. The last (longest match - 1) bytes of each chunk are carried into
 * the next, so a string split across a boundary is found; memory stays at one
 * chunk plus that overlap.
 */
export class MinerStringScanner {
  readonly pattern: RegExp;
  readonly overlap: number;
  private readonly total: number;
  private readonly state: ScanState = { tail: Buffer.alloc(0), found: new Set<string>() };

  constructor(strings: readonly string[] = MINER_BINARY_STRINGS) {
    const texts = [...new Set(strings.map(asciiLower))];
    if (texts.length === 0 || texts.some((t) => t === '' || /[^\x20-\x7e]/.test(t))) {
      throw new Error('miner strings must be non-empty printable ASCII');
    }
    const esc = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const alternatives = texts.flatMap((t) => [[...t].map(esc).join(''), [...t].map(esc).join('\\x00')]);
    this.pattern = new RegExp(alternatives.join('|'), 'gi');
    this.total = texts.length;
    // The longest match is a UTF-16 pattern: 2n-1 bytes.
    this.overlap = Math.max(...texts.map((t) => t.length * 2 - 1)) - 1;
  }

  feed(chunk: Buffer): void {
    if (this.state.found.size === this.total) return;
    scanChunk(this.state, chunk, this.pattern, this.overlap);
  }

  /** Adds strings found elsewhere (by a scan worker) for the same stream. */
  add(found: Iterable<string>): void {
    for (const f of found) this.state.found.add(f);
  }

  /** The strings found so far, sorted. */
  results(): string[] {
    return [...this.state.found].sort();
  }
}

export interface ScanState {
  tail: Buffer;
  readonly found: Set<string>;
}

/**
 * One streaming step: matches wholly inside the chunk, then matches that
 * straddle the previous boundary, found in a short window of (tail + chunk
 * head) so no chunk is copied. It refers to nothing outside itself, because
 * its source text also runs in the scan worker (src/signature/scan-worker.ts).
 */
export function scanChunk(state: ScanState, chunk: Buffer, pattern: RegExp, overlap: number): void {
  if (chunk.length === 0) return;
  // latin1 maps each byte to one character, so UTF-16LE text shows as letters with NULs between.
  const match = (bytes: Buffer): void => {
    for (const m of bytes.toString('latin1').matchAll(pattern)) state.found.add(m[0].replace(/\0/g, '').toLowerCase());
  };
  match(chunk);
  if (state.tail.length > 0) match(Buffer.concat([state.tail, chunk.subarray(0, overlap)]));
  state.tail =
    chunk.length >= overlap ? Buffer.from(chunk.subarray(chunk.length - overlap)) : Buffer.concat([state.tail, chunk]).subarray(-overlap);
}

/** Miner indicators in a command line: `flag:`, `b64:` and `pool:` codes, sorted. */
export function scanCommandLine(cmdline: string): string[] {
  const out = new Set<string>();
  const lower = asciiLower(cmdline);
  const filtered = CMDLINE_FILTERS.some((f) => lower.includes(f));
  if (!filtered) {
    for (const f of MINER_CMDLINE_FLAGS) if (lower.includes(f)) out.add(`flag:${f.trim()}`);
  }
  for (const b of MINER_CMDLINE_BASE64) if (cmdline.includes(b)) out.add(`b64:${b}`);
  for (const host of poolHostsIn(lower)) out.add(`pool:${host}`);
  return [...out].sort();
}

let poolSet: Set<string> | null = null;
/** Pool host names appearing as host names in text (whole labels, so "xpool.minexmr.com.evil" still counts its suffix). */
export function poolHostsIn(lowerText: string): string[] {
  poolSet ??= new Set(MINER_POOL_HOSTS);
  const out = new Set<string>();
  // Candidate host names: dotted label runs. Each suffix is looked up, so subdomains of a pool match.
  for (const m of lowerText.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+/g)) {
    const labels = m[0].split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const suffix = labels.slice(i).join('.');
      if (poolSet.has(suffix)) {
        out.add(suffix);
        break;
      }
    }
  }
  return [...out].sort();
}
