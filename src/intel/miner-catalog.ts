// The command-line miner catalog, once: the pack's SQL families (markers
// @miner_match, @miner_reasons, with their reason codes) and the extension's
// command-line scan (scanCommandLine: flag:, b64:, pool:) both read it.
//
// Sources (facts only; see docs/catalogs.md): SigmaHQ rules
// proc_creation_win_susp_crypto_mining_monero.yml and proc_creation_lnx_crypto_mining.yml
// (command-line substrings, the compile-a-pool.c exclusion) and
// net_connection_win_domain_crypto_mining_pools.yml (pool host names, generated
// into miner-pools.generated.ts), Detection Rule License 1.1.
export interface MinerFamily {
  /** The reason code the pack reports when the family matches. */
  readonly code: string;
  /** Base64 is matched as written; everything else ASCII case-insensitively (and written lower case). */
  readonly caseSensitive: boolean;
  /** Substrings of a miner's command line; a command line matching MINER_CMDLINE_EXCLUDE does not count them. */
  readonly contains: readonly string[];
  /** Pool domains, counted even in an excluded command line; each is, or is a parent of, a MINER_POOL_HOSTS entry. */
  readonly hosts?: readonly string[];
}

/**
 * The pool operators most miners point at, as domains matched anywhere in the
 * text by the pack's SQL: every Sigma host (MINER_POOL_HOSTS, 300+) would cost
 * a scan each per command line and break the pack's CPU budget, so the SQL
 * carries these parents of many of them and the extension judges the full
 * list (scanCommandLine's pool: hits). A test holds each to its Sigma hosts.
 */
export const PACK_POOL_DOMAINS: readonly string[] = [
  'moneroocean.stream',
  'supportxmr.com',
  'c3pool.org',
  'nanopool.org',
  'minexmr.com',
  'herominers.com',
  '2miners.com',
  'hashvault.pro',
  'xmrpool.eu',
];

export const MINER_FAMILIES: readonly MinerFamily[] = [
  { code: 'MINER_DONATE_LEVEL', caseSensitive: false, contains: ['--donate-level'] },
  {
    code: 'MINER_STRATUM_URL',
    caseSensitive: false,
    contains: ['stratum+tcp://', 'stratum+udp://', 'stratum+ssl://', 'stratum2+tcp://'],
  },
  { code: 'MINER_POOL_HOST', caseSensitive: false, contains: [' -o pool.'], hosts: PACK_POOL_DOMAINS },
  {
    code: 'MINER_CPU_TUNING',
    caseSensitive: false,
    contains: [
      '--cpu-priority',
      '--cpu-max-threads-hint',
      '--max-cpu-usage',
      '--randomx-1gb-pages',
      '--nicehash',
      'sh -c /sbin/modprobe msr allow_writes=on',
    ],
  },
  {
    code: 'MINER_ALGO',
    caseSensitive: false,
    contains: [
      '--algo=rx/0',
      '-a rx/0',
      '--algo rx/0',
      '--coin=monero',
      '--coin monero',
      '-a cryptonight',
      '--algo=cn/',
    ],
  },
  {
    code: 'MINER_TOOL_NAME',
    caseSensitive: false,
    contains: [
      'xmrig',
      'xmr-stak',
      'cpuminer',
      'minerd',
      'nbminer',
      'phoenixminer',
      'lolminer',
      't-rex.exe',
      'srbminer',
    ],
  },
  {
    // base64 of "--donate-level=" and "stratum+tcp://" / "stratum+udp://" at the three byte alignments.
    code: 'MINER_ENCODED_ARGS',
    caseSensitive: true,
    contains: [
      'LS1kb25hdGUtbGV2ZWw9',
      '0tZG9uYXRlLWxldmVsP',
      'tLWRvbmF0ZS1sZXZlbD',
      'c3RyYXR1bSt0Y3A6Ly',
      'N0cmF0dW0rdGNwOi8v',
      'zdHJhdHVtK3RjcDovL',
      'c3RyYXR1bSt1ZHA6Ly',
      'N0cmF0dW0rdWRwOi8v',
      'zdHJhdHVtK3VkcDovL',
    ],
  },
];

/** Sigma excludes command lines of builds that compile a file named pool.c (they contain " -o pool."). */
export const MINER_CMDLINE_EXCLUDE: readonly string[] = [' pool.c ', ' pool.o ', 'gcc -'];

/** Case-insensitive substrings (`flag:` hits of scanCommandLine). */
export const MINER_CMDLINE_FLAGS: readonly string[] = MINER_FAMILIES.filter((f) => !f.caseSensitive).flatMap(
  (f) => f.contains,
);

/** Case-sensitive substrings (`b64:` hits of scanCommandLine). */
export const MINER_CMDLINE_BASE64: readonly string[] = MINER_FAMILIES.filter((f) => f.caseSensitive).flatMap(
  (f) => f.contains,
);
