// process_cpu_sustained: one row per tracked process with its load figures
// over the history window, its remembered lineage and launch vector, and
// whether it has been continuously busy for long enough to matter (AN1489:
// resource hijacking shows as sustained, not bursty, CPU use).
import type { QueryContext, Row, TablePlugin } from '../sdk/table.js';
import { bindTable } from './spec.js';
import { processCpuSustainedSpec } from './specs/process_cpu_sustained.js';
import type { HistoryStore, ProcessEntry } from '../sampler/store.js';
import { numericParameter, pidFilter } from '../sampler/filters.js';
import { summarize } from '../sampler/summary.js';

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
  return bindTable(processCpuSustainedSpec, function* (context: QueryContext): Iterable<Row> {
    const ceiling = 100 * store.logicalCpus;
    const minCpu = numericParameter(context, 'min_cpu_percent', defaultMinCpu, (v) =>
      v >= 0 && v <= ceiling
        ? null
        : `must be between 0 and ${ceiling} (% of one core on this ${store.logicalCpus}-CPU machine)`,
    );
    const minDuration = numericParameter(context, 'min_duration', defaultMinDuration, (v) =>
      Number.isInteger(v) && v >= 0 && v <= 366 * 86_400
        ? null
        : 'must be a whole number of seconds between 0 and one year',
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
        approved: options.isApproved?.(
          { pid: e.pid, name: e.name, path: e.path, cmdline: e.cmdline, user: e.user },
          now,
        )
          ? 1
          : 0,
        min_cpu_percent: minCpu,
        min_duration: minDuration,
      };
    }
  });
}
