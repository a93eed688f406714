// Process source reading osqueryd's own tables through the manager's query().
// It is called from the sampler's schedule only, never from inside a table's
// generate: a generate calling back into osqueryd has deadlocked on Windows.
//
// osquery units (osquery/tables/system/{linux,darwin,windows}/processes.*):
// user_time and system_time are milliseconds on every platform, start_time is
// seconds since the epoch (-1 when unknown), resident_size bytes; every value
// arrives as text and '-1' (or '') means unknown or access denied.
import { z } from 'zod';
import type { ProcessRecord, ProcessSample, ProcessSource, SampleOptions, SocketRecord } from './source.js';
import { monotonicMs } from './clock.js';

export type OsqueryQuery = (sql: string) => Promise<Record<string, string>[]>;

/** osqueryd returns every value as a string; anything else is a broken peer. */
const Rows = z.array(z.record(z.string(), z.string()));

/** Text to a number; '-1', '' and non-numbers are unknown. */
function num(v: string | undefined): number | null {
  if (v === undefined || v === '' || v === '-1') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const PROTOCOLS: Record<string, 'tcp' | 'udp'> = { '6': 'tcp', '17': 'udp' };
// AF_INET6 is 10 on Linux, 23 on Windows, 30 on macOS.
const FAMILIES: Record<string, 4 | 6> = { '2': 4, '10': 6, '23': 6, '30': 6 };

export interface OsquerySourceOptions {
  /** Whether osqueryd runs on Windows (elapsed_time exists only there). Default: this process's platform. */
  readonly windows?: boolean;
}

export class OsquerySource implements ProcessSource {
  readonly name = 'osquery';
  private readonly windows: boolean;
  /** Command line and user name per identity, fetched once. */
  private readonly cmdlines = new Map<string, { cmdline: string; user: string | null }>();
  /** Start times derived from elapsed_time, per pid, so that tick-to-tick jitter does not split an identity. */
  private readonly derived = new Map<number, { name: string; start: number }>();

  constructor(
    private readonly query: OsqueryQuery,
    options: OsquerySourceOptions = {},
  ) {
    this.windows = options.windows ?? process.platform === 'win32';
  }

  private async rows(sql: string): Promise<Record<string, string>[]> {
    const parsed = Rows.safeParse(await this.query(sql));
    if (!parsed.success) {
      throw new Error(`osqueryd returned malformed rows for "${sql.slice(0, 60)}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  async sample(options: SampleOptions = {}): Promise<ProcessSample> {
    const wallMs = Date.now();
    const mono = monotonicMs();
    const cheap = [
      'pid', 'parent', 'name', 'path', 'start_time', 'user_time', 'system_time', 'resident_size', 'threads', 'uid',
      ...(this.windows ? ['elapsed_time'] : []),
    ];
    const procRows = await this.rows(`SELECT ${cheap.join(', ')} FROM processes`);
    const nowSec = Math.floor(wallMs / 1000);
    const base = procRows.flatMap((r) => {
      const pid = num(r.pid);
      if (pid === null || !Number.isInteger(pid) || pid < 0) return [];
      let startTime = num(r.start_time) ?? -1;
      // Some Windows processes report no start_time but an elapsed_time.
      const elapsed = num(r.elapsed_time);
      if (startTime < 0 && elapsed !== null) {
        const guess = nowSec - elapsed;
        const known = this.derived.get(pid);
        startTime = known !== undefined && known.name === r.name && Math.abs(known.start - guess) <= 2 ? known.start : guess;
        this.derived.set(pid, { name: r.name ?? '', start: startTime });
      }
      return [{ r, pid, startTime }];
    });
    const livePids = new Set(base.map((b) => b.pid));
    for (const pid of this.derived.keys()) if (!livePids.has(pid)) this.derived.delete(pid);
    const key = (pid: number, start: number) => `${pid}:${start}`;
    // The expensive column only for identities not seen before.
    const wanted = base.filter((b) => (options.needCmdline?.(b.pid, b.startTime) ?? true) && !this.cmdlines.has(key(b.pid, b.startTime)));
    const byPid = new Map(base.map((b) => [b.pid, b]));
    if (wanted.length > 0) {
      const ids = [...new Set(wanted.map((b) => b.pid))];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await this.rows(
          `SELECT p.pid, p.start_time, p.cmdline, u.username FROM processes p LEFT JOIN users u ON p.uid = u.uid WHERE p.pid IN (${chunk.join(', ')})`,
        );
        for (const r of rows) {
          const pid = num(r.pid);
          if (pid === null) continue;
          const b = byPid.get(pid);
          if (b === undefined) continue;
          this.cmdlines.set(key(pid, b.startTime), { cmdline: r.cmdline ?? '', user: r.username || null });
        }
      }
    }
    const live = new Set(base.map((b) => key(b.pid, b.startTime)));
    for (const k of this.cmdlines.keys()) if (!live.has(k)) this.cmdlines.delete(k);
    const processes: ProcessRecord[] = base.map(({ r, pid, startTime }) => {
      const k = key(pid, startTime);
      return {
        pid,
        ppid: num(r.parent) ?? -1,
        startTime,
        name: r.name ?? '',
        path: r.path ?? '',
        cmdline: this.cmdlines.get(k)?.cmdline ?? null,
        user: this.cmdlines.get(k)?.user ?? (num(r.uid) !== null ? String(num(r.uid)) : ''),
        userTimeMs: num(r.user_time),
        systemTimeMs: num(r.system_time),
        residentBytes: num(r.resident_size),
        threads: num(r.threads),
      };
    });
    let sockets: SocketRecord[] = [];
    if (options.sockets !== false) {
      const rows = await this.rows(
        'SELECT pid, family, protocol, local_address, local_port, remote_address, remote_port, state FROM process_open_sockets WHERE protocol IN (6, 17)',
      );
      sockets = rows.flatMap((r) => {
        const pid = num(r.pid);
        const protocol = PROTOCOLS[r.protocol ?? ''];
        const family = FAMILIES[r.family ?? ''];
        if (pid === null || protocol === undefined || family === undefined) return [];
        return [{
          pid,
          protocol,
          family,
          localAddress: r.local_address ?? '',
          localPort: num(r.local_port) ?? 0,
          remoteAddress: r.remote_address ?? '',
          remotePort: num(r.remote_port) ?? 0,
          state: protocol === 'tcp' ? (r.state ?? '') : '',
        }];
      });
    }
    return { wallMs, monotonicMs: mono, processes, sockets };
  }
}
