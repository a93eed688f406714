// osqueryd's process and socket rows to the sampler's records: the pure half
// of the osquery source, shared by the live source (rows from the manager's
// query()) and `an1489 replay` (rows from osqueryd's results log), so both
// read osquery's columns the same way.
//
// osquery units (osquery/tables/system/{linux,darwin,windows}/processes.*):
// user_time and system_time are milliseconds on every platform, start_time is
// seconds since the epoch (-1 when unknown), resident_size bytes; every value
// arrives as text ('-1' or '' meaning unknown or access denied), or as a
// number in a results log written with --logger_numerics.
import type { ProcessRecord, SocketRecord } from './source.js';

export type OsqueryRow = Readonly<Record<string, string | undefined>>;

/** Text to a number; '-1', '' and non-numbers are unknown. */
export function osqueryNumber(v: string | undefined): number | null {
  if (v === undefined || v === '' || v === '-1') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const PROTOCOLS: Record<string, 'tcp' | 'udp'> = { '6': 'tcp', '17': 'udp' };
// AF_INET6 is 10 on Linux, 23 on Windows, 30 on macOS.
const FAMILIES: Record<string, 4 | 6> = { '2': 4, '10': 6, '23': 6, '30': 6 };

/** A process row with its identity settled (pid and start time). */
export interface IdentifiedRow {
  readonly r: OsqueryRow;
  readonly pid: number;
  readonly startTime: number;
}

/**
 * Per-source memory of start times derived from elapsed_time (Windows), so
 * that tick-to-tick jitter of "now - elapsed" does not split one identity.
 */
export class OsqueryRowReader {
  private readonly derived = new Map<number, { name: string; start: number }>();

  /**
   * The identities of a processes listing taken at nowSec (seconds since the
   * epoch, the time the listing describes).
   */
  identify(rows: readonly OsqueryRow[], nowSec: number): IdentifiedRow[] {
    const out: IdentifiedRow[] = [];
    for (const r of rows) {
      const pid = osqueryNumber(r.pid);
      if (pid === null || !Number.isInteger(pid) || pid < 0) continue;
      let startTime = osqueryNumber(r.start_time) ?? -1;
      // Some Windows processes report no start_time but an elapsed_time.
      const elapsed = osqueryNumber(r.elapsed_time);
      if (startTime < 0 && elapsed !== null) {
        const guess = nowSec - elapsed;
        const known = this.derived.get(pid);
        startTime =
          known !== undefined && known.name === r.name && Math.abs(known.start - guess) <= 2 ? known.start : guess;
        this.derived.set(pid, { name: r.name ?? '', start: startTime });
      }
      out.push({ r, pid, startTime });
    }
    if (this.derived.size > 0) {
      const live = new Set(out.map((b) => b.pid));
      for (const pid of this.derived.keys()) if (!live.has(pid)) this.derived.delete(pid);
    }
    return out;
  }
}

/** One process record; cmdline/user come from wherever the caller found them (null = not fetched). */
export function processRecord(b: IdentifiedRow, cmdline: string | null, user: string | null): ProcessRecord {
  const r = b.r;
  const uid = osqueryNumber(r.uid);
  return {
    pid: b.pid,
    ppid: osqueryNumber(r.parent) ?? -1,
    startTime: b.startTime,
    name: r.name ?? '',
    path: r.path ?? '',
    cmdline,
    user: user ?? (uid !== null ? String(uid) : ''),
    userTimeMs: osqueryNumber(r.user_time),
    systemTimeMs: osqueryNumber(r.system_time),
    residentBytes: osqueryNumber(r.resident_size),
    threads: osqueryNumber(r.threads),
  };
}

/** A process_open_sockets row; null for protocols and families the sampler does not follow. */
export function socketRecord(r: OsqueryRow): SocketRecord | null {
  const pid = osqueryNumber(r.pid);
  const protocol = PROTOCOLS[r.protocol ?? ''];
  const family = FAMILIES[r.family ?? ''];
  if (pid === null || protocol === undefined || family === undefined) return null;
  return {
    pid,
    protocol,
    family,
    localAddress: r.local_address ?? '',
    localPort: osqueryNumber(r.local_port) ?? 0,
    remoteAddress: r.remote_address ?? '',
    remotePort: osqueryNumber(r.remote_port) ?? 0,
    state: protocol === 'tcp' ? (r.state ?? '') : '',
  };
}
