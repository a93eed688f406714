// process_cpu_sustained: one row per tracked process with its load figures
// over the history window, its remembered lineage and launch vector, and
// whether it stayed busy long enough to matter (AN1489: sustained, not bursty, CPU).
import { AN1489_VECTORS, LAUNCH_VECTORS } from '../../intel/launch-vectors.js';
import { defineTable } from '../spec.js';

export const processCpuSustainedSpec = defineTable({
  name: 'process_cpu_sustained',
  description:
    'Per-process CPU load over the sampler window with remembered lineage and launch vector; sustained = 1 when CPU stayed at or above min_cpu_percent (of one core) for at least min_duration seconds in a row.',
  platforms: ['windows', 'linux', 'darwin'],
  columns: [
    { name: 'pid', type: 'BIGINT', description: 'Process ID', index: true, optimized: true },
    {
      name: 'start_time',
      type: 'BIGINT',
      description: 'Process start time, seconds since the Unix epoch (-1 when unknown)',
    },
    { name: 'name', type: 'TEXT', description: 'Process name' },
    { name: 'path', type: 'TEXT', description: 'Path to the executable' },
    { name: 'cmdline', type: 'TEXT', description: 'Command line, as first seen' },
    { name: 'user', type: 'TEXT', description: 'User name (or uid) the process runs as' },
    {
      name: 'parent',
      type: 'BIGINT',
      description: 'Parent process ID as remembered when the process was first seen (-1 when unknown)',
    },
    {
      name: 'parent_name',
      type: 'TEXT',
      description: 'Parent name, captured while the parent was alive (kept after it exits)',
    },
    { name: 'parent_path', type: 'TEXT', description: 'Parent executable path, as remembered' },
    { name: 'parent_cmdline', type: 'TEXT', description: 'Parent command line, as remembered' },
    {
      name: 'ancestry',
      type: 'TEXT',
      description:
        "Remembered chain, the process first: 'powershell.exe(1234) <- svchost.exe(800) <- services.exe(600)'",
    },
    {
      name: 'launch_vector',
      type: 'TEXT',
      description: `${Object.keys(LAUNCH_VECTORS).join(', ')}, from the remembered ancestry (most specific wins; see src/intel/launch-vectors.ts)`,
    },
    { name: 'samples', type: 'INTEGER', description: 'Samples with a CPU figure in the window' },
    { name: 'observed_seconds', type: 'BIGINT', description: 'Seconds covered by those samples' },
    { name: 'avg_cpu_percent', type: 'DOUBLE', description: 'Time-weighted mean CPU, % of one core' },
    {
      name: 'p95_cpu_percent',
      type: 'DOUBLE',
      description: '95th percentile (nearest rank) of the CPU samples, % of one core',
    },
    { name: 'max_cpu_percent', type: 'DOUBLE', description: 'Highest CPU sample, % of one core' },
    { name: 'seconds_above_threshold', type: 'BIGINT', description: 'Seconds with CPU >= min_cpu_percent' },
    {
      name: 'longest_streak_seconds',
      type: 'BIGINT',
      description: 'Longest unbroken run of samples with CPU >= min_cpu_percent, in seconds',
    },
    { name: 'sustained', type: 'INTEGER', description: '1 when longest_streak_seconds >= min_duration' },
    {
      name: 'first_seen',
      type: 'BIGINT',
      description: 'When the sampler first saw the process, seconds since the Unix epoch',
    },
    {
      name: 'last_seen',
      type: 'BIGINT',
      description: 'When the sampler last saw the process, seconds since the Unix epoch',
    },
    { name: 'exited', type: 'INTEGER', description: '1 when the process has exited (kept for a grace period)' },
    { name: 'approved', type: 'INTEGER', description: '1 when the approved-workloads baseline covers this process' },
    {
      name: 'min_cpu_percent',
      type: 'DOUBLE',
      description:
        'Parameter: CPU threshold, % of one core (default: thresholds.minCpuPercent in the config, 25); the row echoes the value used',
      hidden: true,
      additional: true,
    },
    {
      name: 'min_duration',
      type: 'BIGINT',
      description:
        'Parameter: seconds the threshold must hold without a break (default: thresholds.minDurationSeconds in the config, 600); the row echoes the value used',
      hidden: true,
      additional: true,
    },
  ],
  examples: [
    'SELECT pid, name, ancestry, launch_vector, avg_cpu_percent FROM process_cpu_sustained WHERE sustained = 1',
    'SELECT * FROM process_cpu_sustained WHERE min_cpu_percent = 50 AND min_duration = 900 AND sustained = 1',
    `SELECT s.pid, s.name, s.launch_vector, p.path FROM process_cpu_sustained s JOIN processes p USING (pid) WHERE s.sustained = 1 AND s.launch_vector IN (${AN1489_VECTORS.map((v) => `'${v.vector}'`).join(', ')})`,
  ],
});
