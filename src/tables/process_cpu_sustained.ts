// process_cpu_sustained: one row per tracked process with its load figures
// over the history window, its remembered lineage and launch vector, and
// whether it has been continuously busy for long enough to matter (AN1489:
// resource hijacking shows as sustained, not bursty, CPU use).
import { ColumnOption, type QueryContext, type Row, type TablePlugin } from '../sdk/table.js';
import type { HistoryStore, ProcessEntry } from '../sampler/store.js';
import { numericParameter, pidFilter } from '../sampler/filters.js';
import { summarize } from '../sampler/summary.js';
import { AN1489_VECTORS, LAUNCH_VECTORS } from '../intel/launch-vectors.js';

/** Defaults: a quarter of one core, held for five minutes. */
export const DEFAULT_MIN_CPU_PERCENT = 25;
export const DEFAULT_MIN_DURATION_SECONDS = 300;

/** What an approval baseline is asked about (a subset of the baseline's ApprovalSubject). */
export interface SustainedProcess {
  readonly pid: number;
  readonly name: string;
  readonly path: string;
  readonly cmdline: string | null;
  readonly user: string;
}

export interface ProcessCpuSustainedOptions {
  /** The approved-workloads hook; the row's `approved` is 0 without it. */
  readonly isApproved?: (process: SustainedProcess, now: Date) => boolean;
  /** Parameter defaults (the operator's config); the documented defaults otherwise. */
  readonly minCpuPercent?: number;
  readonly minDurationSeconds?: number;
}

const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/** `name(pid) <- name(pid) <- ...`, the process itself first. */
export function ancestryText(e: ProcessEntry): string {
  return [`${e.name}(${e.pid})`, ...e.ancestors.map((a) => `${a.name}(${a.pid})`)].join(' <- ');
}

export function processCpuSustainedTable(store: HistoryStore, options: ProcessCpuSustainedOptions = {}): TablePlugin {
  const defaultMinCpu = options.minCpuPercent ?? DEFAULT_MIN_CPU_PERCENT;
  const defaultMinDuration = options.minDurationSeconds ?? DEFAULT_MIN_DURATION_SECONDS;
  return {
    name: 'process_cpu_sustained',
    description:
      'Per-process CPU load over the sampler window with remembered lineage and launch vector; sustained = 1 when CPU stayed at or above min_cpu_percent (of one core) for at least min_duration seconds in a row.',
    platforms: ['windows', 'linux', 'darwin'],
    columns: [
      { name: 'pid', type: 'BIGINT', description: 'Process ID', options: ColumnOption.INDEX | ColumnOption.OPTIMIZED },
      { name: 'start_time', type: 'BIGINT', description: 'Process start time, seconds since the Unix epoch (-1 when unknown)' },
      { name: 'name', type: 'TEXT', description: 'Process name' },
      { name: 'path', type: 'TEXT', description: 'Path to the executable' },
      { name: 'cmdline', type: 'TEXT', description: 'Command line, as first seen' },
      { name: 'user', type: 'TEXT', description: 'User name (or uid) the process runs as' },
      { name: 'parent', type: 'BIGINT', description: 'Parent process ID as remembered when the process was first seen (-1 when unknown)' },
      { name: 'parent_name', type: 'TEXT', description: 'Parent name, captured while the parent was alive (kept after it exits)' },
      { name: 'parent_path', type: 'TEXT', description: 'Parent executable path, as remembered' },
      { name: 'parent_cmdline', type: 'TEXT', description: 'Parent command line, as remembered' },
      { name: 'ancestry', type: 'TEXT', description: "Remembered chain, the process first: 'powershell.exe(1234) <- svchost.exe(800) <- services.exe(600)'" },
      { name: 'launch_vector', type: 'TEXT', description: `${Object.keys(LAUNCH_VECTORS).join(', ')}, from the remembered ancestry (most specific wins; see src/intel/launch-vectors.ts)` },
      { name: 'samples', type: 'INTEGER', description: 'Samples with a CPU figure in the window' },
      { name: 'observed_seconds', type: 'BIGINT', description: 'Seconds covered by those samples' },
      { name: 'avg_cpu_percent', type: 'DOUBLE', description: 'Time-weighted mean CPU, % of one core' },
      { name: 'p95_cpu_percent', type: 'DOUBLE', description: '95th percentile (nearest rank) of the CPU samples, % of one core' },
      { name: 'max_cpu_percent', type: 'DOUBLE', description: 'Highest CPU sample, % of one core' },
      { name: 'seconds_above_threshold', type: 'BIGINT', description: 'Seconds with CPU >= min_cpu_percent' },
      { name: 'longest_streak_seconds', type: 'BIGINT', description: 'Longest unbroken run of samples with CPU >= min_cpu_percent, in seconds' },
      { name: 'sustained', type: 'INTEGER', description: '1 when longest_streak_seconds >= min_duration' },
      { name: 'first_seen', type: 'BIGINT', description: 'When the sampler first saw the process, seconds since the Unix epoch' },
      { name: 'last_seen', type: 'BIGINT', description: 'When the sampler last saw the process, seconds since the Unix epoch' },
      { name: 'exited', type: 'INTEGER', description: '1 when the process has exited (kept for a grace period)' },
      { name: 'approved', type: 'INTEGER', description: '1 when the approved-workloads baseline covers this process' },
      {
        name: 'min_cpu_percent',
        type: 'DOUBLE',
        description: `Parameter: CPU threshold, % of one core (default ${defaultMinCpu}); the row echoes the value used`,
        options: ColumnOption.HIDDEN | ColumnOption.ADDITIONAL,
      },
      {
        name: 'min_duration',
        type: 'BIGINT',
        description: `Parameter: seconds the threshold must hold without a break (default ${defaultMinDuration}); the row echoes the value used`,
        options: ColumnOption.HIDDEN | ColumnOption.ADDITIONAL,
      },
    ],
    examples: [
      'SELECT pid, name, ancestry, launch_vector, avg_cpu_percent FROM process_cpu_sustained WHERE sustained = 1',
      'SELECT * FROM process_cpu_sustained WHERE min_cpu_percent = 50 AND min_duration = 900 AND sustained = 1',
      `SELECT s.pid, s.name, s.launch_vector, p.path FROM process_cpu_sustained s JOIN processes p USING (pid) WHERE s.sustained = 1 AND s.launch_vector IN (${AN1489_VECTORS.map((v) => `'${v.vector}'`).join(', ')})`,
    ],
    *generate(context: QueryContext): Iterable<Row> {
      const ceiling = 100 * store.logicalCpus;
      const minCpu = numericParameter(context, 'min_cpu_percent', defaultMinCpu, (v) =>
        v >= 0 && v <= ceiling ? null : `must be between 0 and ${ceiling} (% of one core on this ${store.logicalCpus}-CPU machine)`,
      );
      const minDuration = numericParameter(context, 'min_duration', defaultMinDuration, (v) =>
        Number.isInteger(v) && v >= 0 && v <= 366 * 86_400 ? null : 'must be a whole number of seconds between 0 and one year',
      );
      const pids = pidFilter(context);
      // Approval windows are judged at the time of the evidence (the newest
      // sample), not the wall clock at query time: a replayed log or a query
      // answered after a stalled sampler must not approve by today's clock.
      const now = new Date(store.lastWallMs > 0 ? store.lastWallMs : Date.now());
      for (const e of store.all()) {
        if (e.history === null || (pids !== null && !pids.has(e.pid))) continue;
        const s = summarize(e.history, minCpu, minDuration);
        const parent = e.parent;
        yield {
          pid: e.pid,
          start_time: e.startTime,
          name: e.name,
          path: e.path,
          cmdline: e.cmdline ?? '',
          user: e.user,
          parent: parent?.pid ?? e.ppid,
          parent_name: parent?.name ?? '',
          parent_path: parent?.path ?? '',
          parent_cmdline: parent?.cmdline ?? '',
          ancestry: ancestryText(e),
          launch_vector: e.launchVector,
          samples: s.samples,
          observed_seconds: Math.round(s.observedSeconds),
          avg_cpu_percent: round2(s.avgCpuPercent),
          p95_cpu_percent: round2(s.p95CpuPercent),
          max_cpu_percent: round2(s.maxCpuPercent),
          seconds_above_threshold: Math.round(s.secondsAboveThreshold),
          longest_streak_seconds: Math.round(s.longestStreakSeconds),
          sustained: s.sustained ? 1 : 0,
          first_seen: Math.floor(e.firstSeenWallMs / 1000),
          last_seen: Math.floor(e.lastSeenWallMs / 1000),
          exited: e.exited ? 1 : 0,
          approved: options.isApproved?.({ pid: e.pid, name: e.name, path: e.path, cmdline: e.cmdline, user: e.user }, now) ? 1 : 0,
          min_cpu_percent: minCpu,
          min_duration: minDuration,
        };
      }
    },
  };
}
