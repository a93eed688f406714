// process_cpu_history: the sampler's raw CPU series, one row per process per
// sample, for hunters who want to chart or re-aggregate it themselves.
import type { QueryContext, Row, TablePlugin } from '../sdk/table.js';
import { bindTable } from './spec.js';
import { processCpuHistorySpec } from './specs/process_cpu_history.js';
import type { HistoryStore } from '../sampler/store.js';
import { integerRange, pidFilter } from '../sampler/filters.js';

const round2 = (x: number) => Math.round(x * 100) / 100;

export function processCpuHistoryTable(store: HistoryStore): TablePlugin {
  return bindTable(processCpuHistorySpec, function* (context: QueryContext): Iterable<Row> {
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
  });
}
