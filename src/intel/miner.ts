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
 * Finds MINER_BINARY_STRINGS in a byte stream fed chunk by chunk. The tail of
 * each chunk is carried into the next, so a string split across a boundary is
 * still found; memory stays at one chunk plus the overlap.
 */
export class MinerStringScanner {
  private readonly patterns: { text: string; ascii: string; utf16: string }[];
  private readonly overlap: number;
  private tail: Buffer = Buffer.alloc(0);
  private readonly found = new Set<string>();

  constructor(strings: readonly string[] = MINER_BINARY_STRINGS) {
    this.patterns = strings.map((s) => {
      const text = asciiLower(s);
      return { text, ascii: text, utf16: [...text].join('\0') };
    });
    // The longest UTF-16 pattern is 2n-1 bytes; a match split by a boundary
    // starts within that many bytes before it.
    this.overlap = Math.max(1, ...this.patterns.map((p) => p.text.length * 2));
  }

  feed(chunk: Buffer): void {
    if (this.found.size === this.patterns.length || chunk.length === 0) return;
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    // latin1 maps bytes to chars one to one, so ASCII lower-casing cannot shift offsets.
    const text = data.toString('latin1').toLowerCase();
    for (const p of this.patterns) {
      if (this.found.has(p.text)) continue;
      if (text.includes(p.ascii) || text.includes(p.utf16)) this.found.add(p.text);
    }
    this.tail = Buffer.from(data.subarray(Math.max(0, data.length - this.overlap)));
  }

  /** The strings found so far, sorted. */
  results(): string[] {
    return [...this.found].sort();
  }
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
