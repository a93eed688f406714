// process_connection_history: every remote endpoint a process talked to while
// the sampler watched, and for how long (a miner holds one long-lived pool connection).
import { defineTable } from '../spec.js';

export const processConnectionHistorySpec = defineTable({
  name: 'process_connection_history',
  description:
    'Connections (not listening sockets) each process held while the an1489 sampler watched, one row per process, protocol and remote endpoint; persistent = 1 after thresholds.persistentConnectionSeconds (default 300 s).',
  platforms: ['windows', 'linux', 'darwin'],
  columns: [
    { name: 'pid', type: 'BIGINT', description: 'Process ID', index: true, optimized: true },
    {
      name: 'start_time',
      type: 'BIGINT',
      description: 'Process start time, seconds since the Unix epoch (-1 when unknown)',
    },
    { name: 'name', type: 'TEXT', description: 'Process name' },
    { name: 'protocol', type: 'TEXT', description: 'tcp or udp' },
    { name: 'local_address', type: 'TEXT', description: 'Local address (last seen)' },
    { name: 'local_port', type: 'INTEGER', description: 'Local port (last seen)' },
    { name: 'remote_address', type: 'TEXT', description: 'Remote address' },
    { name: 'remote_port', type: 'INTEGER', description: 'Remote port' },
    { name: 'first_seen', type: 'BIGINT', description: 'First observation, seconds since the Unix epoch' },
    { name: 'last_seen', type: 'BIGINT', description: 'Last observation, seconds since the Unix epoch' },
    {
      name: 'observed_seconds',
      type: 'BIGINT',
      description: 'Seconds from first to last observation (monotonic clock)',
    },
    { name: 'samples', type: 'INTEGER', description: 'Samples in which the connection was present' },
    { name: 'state', type: 'TEXT', description: "TCP state at the last observation ('' for UDP)" },
    {
      name: 'external',
      type: 'INTEGER',
      description:
        '1 when the remote address is on the internet: not loopback, private, link-local, CGNAT, ULA, multicast or unspecified (IPv4, IPv6 and IPv4-mapped IPv6)',
    },
    {
      name: 'pool_port',
      type: 'INTEGER',
      description: '1 when the remote port is a common mining-pool port (src/intel/network.ts)',
    },
    {
      name: 'persistent',
      type: 'INTEGER',
      description: '1 when observed_seconds >= thresholds.persistentConnectionSeconds (default 300)',
    },
  ],
  examples: [
    'SELECT pid, name, remote_address, remote_port, observed_seconds FROM process_connection_history WHERE persistent = 1 AND external = 1',
    'SELECT c.name, c.remote_address, c.remote_port, s.avg_cpu_percent FROM process_connection_history c JOIN process_cpu_sustained s USING (pid, start_time) WHERE s.sustained = 1 AND (c.pool_port = 1 OR c.persistent = 1)',
  ],
});
