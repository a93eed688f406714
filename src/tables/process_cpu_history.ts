// process_cpu_history: the sampler's raw CPU series, one row per process per
// sample, for hunters who want to chart or re-aggregate it themselves.
import { ColumnOption, type QueryContext, type Row, type TablePlugin } from '../sdk/table.js';
import type { HistoryStore } from '../sampler/store.js';
import { integerRange, pidFilter } from '../sampler/filters.js';

const round2 = (x: number) => Math.round(x * 100) / 100;

export function processCpuHistoryTable(store: HistoryStore): TablePlugin {
  return {
    name: 'process_cpu_history',
    description:
      'CPU, memory and thread samples the an1489 sampler recorded for each process over its history window (default 1 h). One row per process per sample.',
    platforms: ['windows', 'linux', 'darwin'],
    columns: [
      { name: 'pid', type: 'BIGINT', description: 'Process ID', options: ColumnOption.INDEX | ColumnOption.OPTIMIZED },
      { name: 'start_time', type: 'BIGINT', description: 'Process start time in seconds since the Unix epoch (-1 when unknown); with pid, the identity' },
      { name: 'name', type: 'TEXT', description: 'Process name' },
      { name: 'path', type: 'TEXT', description: 'Path to the executable' },
      { name: 'sample_time', type: 'BIGINT', description: 'When the sample was taken, seconds since the Unix epoch', options: ColumnOption.OPTIMIZED },
      { name: 'cpu_percent', type: 'DOUBLE', description: 'CPU used since the previous sample, % of ONE core (can exceed 100 on multi-core); NULL on first sight or when unmeasurable' },
      { name: 'cpu_percent_total', type: 'DOUBLE', description: 'cpu_percent divided by the logical CPU count: % of the whole machine' },
      { name: 'user_time_ms', type: 'BIGINT', description: 'Cumulative user-mode CPU time in milliseconds; NULL when unknown' },
      { name: 'system_time_ms', type: 'BIGINT', description: 'Cumulative kernel-mode CPU time in milliseconds; NULL when unknown' },
      { name: 'resident_size', type: 'BIGINT', description: 'Resident memory in bytes (KiB precision); NULL when unknown' },
      { name: 'threads', type: 'INTEGER', description: 'Thread count; NULL when unknown' },
    ],
    examples: [
      'SELECT sample_time, cpu_percent FROM process_cpu_history WHERE pid = 4242 ORDER BY sample_time',
      "SELECT pid, name, AVG(cpu_percent) AS avg_cpu FROM process_cpu_history WHERE sample_time > (SELECT unix_time - 900 FROM time) GROUP BY pid, start_time HAVING avg_cpu > 50",
    ],
    *generate(context: QueryContext): Iterable<Row> {
      const pids = pidFilter(context);
      const { min, max } = integerRange(context, 'sample_time');
      const cores = store.logicalCpus;
      for (const e of store.all()) {
        if (e.history === null || (pids !== null && !pids.has(e.pid))) continue;
        const ring = e.history;
        for (let k = 0; k < ring.length; k++) {
          const t = ring.wallAt(k);
          // Linear, not binary search: after a wall-clock jump the times are not sorted.
          if (t < min || t > max) continue;
          const s = ring.at(k);
          yield {
            pid: e.pid,
            start_time: e.startTime,
            name: e.name,
            path: e.path,
            sample_time: t,
            cpu_percent: s.cpuPercent === null ? null : round2(s.cpuPercent),
            cpu_percent_total: s.cpuPercent === null ? null : round2(s.cpuPercent / cores),
            user_time_ms: s.userTimeMs === null ? null : Math.round(s.userTimeMs),
            system_time_ms: s.systemTimeMs === null ? null : Math.round(s.systemTimeMs),
            resident_size: s.residentBytes,
            threads: s.threads,
          };
        }
      }
    },
  };
}
