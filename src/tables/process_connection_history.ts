// process_connection_history: every remote endpoint a process talked to while
// the sampler watched, with how long the connection lasted. Miners hold one
// long-lived connection to a pool; that shows here as persistent = 1.
import type { QueryContext, Row, TablePlugin } from '../sdk/table.js';
import { bindTable } from './spec.js';
import { processConnectionHistorySpec } from './specs/process_connection_history.js';
import type { HistoryStore } from '../sampler/store.js';
import { pidFilter } from '../sampler/filters.js';
import { isExternalAddress, isPoolPort } from '../intel/network.js';

/** A connection observed this long (seconds) is persistent. */
export const DEFAULT_PERSISTENT_SECONDS = 300;

export interface ProcessConnectionHistoryOptions {
  readonly persistentSeconds?: number;
}

export function processConnectionHistoryTable(
  store: HistoryStore,
  options: ProcessConnectionHistoryOptions = {},
): TablePlugin {
  const persistentSeconds = options.persistentSeconds ?? DEFAULT_PERSISTENT_SECONDS;
  return bindTable(processConnectionHistorySpec, function* (context: QueryContext): Iterable<Row> {
    const pids = pidFilter(context);
    for (const e of store.all()) {
      if (e.connections.size === 0 || (pids !== null && !pids.has(e.pid))) continue;
      for (const c of e.connections.values()) {
        const observed = Math.max(0, (c.lastMonoMs - c.firstMonoMs) / 1000);
        yield {
          pid: e.pid,
          start_time: e.startTime,
          name: e.name,
          protocol: c.protocol,
          local_address: c.localAddress,
          local_port: c.localPort,
          remote_address: c.remoteAddress,
          remote_port: c.remotePort,
          first_seen: Math.floor(c.firstWallMs / 1000),
          last_seen: Math.floor(c.lastWallMs / 1000),
          observed_seconds: Math.floor(observed),
          samples: c.samples,
          state: c.state,
          external: isExternalAddress(c.remoteAddress) ? 1 : 0,
          pool_port: isPoolPort(c.remotePort) ? 1 : 0,
          persistent: observed >= persistentSeconds ? 1 : 0,
        };
      }
    }
  });
}
