// process_cpu_history: the sampler's raw CPU series, one row per process per
// sample, for hunters who want to chart or re-aggregate it themselves.
import { defineTable } from '../spec.js';

export const processCpuHistorySpec = defineTable({
  name: 'process_cpu_history',
  description:
    'CPU, memory and thread samples the an1489 sampler recorded for each process over its history window (default 1 h). One row per process per sample.',
  platforms: ['windows', 'linux', 'darwin'],
  columns: [
    { name: 'pid', type: 'BIGINT', description: 'Process ID', index: true, optimized: true },
    {
      name: 'start_time',
      type: 'BIGINT',
      description: 'Process start time in seconds since the Unix epoch (-1 when unknown); with pid, the identity',
    },
    { name: 'name', type: 'TEXT', description: 'Process name' },
    { name: 'path', type: 'TEXT', description: 'Path to the executable' },
    {
      name: 'sample_time',
      type: 'BIGINT',
      description: 'When the sample was taken, seconds since the Unix epoch',
      optimized: true,
    },
    {
      name: 'cpu_percent',
      type: 'DOUBLE',
      description:
        'CPU used since the previous sample, % of ONE core (can exceed 100 on multi-core); NULL on first sight or when unmeasurable',
    },
    {
      name: 'cpu_percent_total',
      type: 'DOUBLE',
      description: 'cpu_percent divided by the logical CPU count: % of the whole machine',
    },
    {
      name: 'user_time_ms',
      type: 'BIGINT',
      description: 'Cumulative user-mode CPU time in milliseconds; NULL when unknown',
    },
    {
      name: 'system_time_ms',
      type: 'BIGINT',
      description: 'Cumulative kernel-mode CPU time in milliseconds; NULL when unknown',
    },
    {
      name: 'resident_size',
      type: 'BIGINT',
      description: 'Resident memory in bytes (KiB precision); NULL when unknown',
    },
    { name: 'threads', type: 'INTEGER', description: 'Thread count; NULL when unknown' },
  ],
  examples: [
    'SELECT sample_time, cpu_percent FROM process_cpu_history WHERE pid = 4242 ORDER BY sample_time',
    'SELECT pid, name, AVG(cpu_percent) AS avg_cpu FROM process_cpu_history WHERE sample_time > (SELECT unix_time - 900 FROM time) GROUP BY pid, start_time HAVING avg_cpu > 50',
  ],
});
