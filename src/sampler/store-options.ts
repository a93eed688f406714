// What a HistoryStore keeps and for how long: its window, rings, caps and eviction thresholds.
export interface StoreOptions {
  /** How much history each process keeps (ms). Default 1 h. */
  readonly windowMs?: number;
  /** The sampling interval (ms); sizes the rings and the gap rule. Default 10 s. */
  readonly intervalMs?: number;
  /** Most processes with sample history at once. Default 4,000. */
  readonly maxTracked?: number;
  /** How long an exited process stays visible (ms). Default 10 min. */
  readonly exitedGraceMs?: number;
  /**
   * A delta over a gap longer than this many intervals is discarded: the
   * sampler was suspended or starved, and a verdict must not rest on time we
   * did not watch. Default 5.
   */
  readonly maxGapIntervals?: number;
  /** Logical CPUs, for cpu_percent_total. Default os.availableParallelism(). */
  readonly logicalCpus?: number;
  /** Connections remembered per process. Default 64. */
  readonly maxConnectionsPerProcess?: number;
  /** Below this % of one core (smoothed) a process is "idle" for eviction. Default 1. */
  readonly idlePercent?: number;
  /**
   * Keep every sample's user/system time, resident size and threads (only
   * process_cpu_history reads them), not just the newest. Default true.
   */
  readonly counterHistory?: boolean;
  /** Returns a shared copy of text the store keeps (names, paths, command lines); replay shares it across hosts. */
  readonly intern?: (text: string) => string;
}
