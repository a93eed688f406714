// Process source reading osqueryd's own tables through the manager's query().
// It is called from the sampler's schedule only, never from inside a table's
// generate: a generate calling back into osqueryd has deadlocked on Windows.
// Turning rows into records is osquery-rows.ts, shared with `an1489 replay`.
import { z } from 'zod';
import type { ProcessRecord, ProcessSample, ProcessSource, SampleOptions, SocketRecord } from './source.js';
import { monotonicMs } from './clock.js';
import { osqueryNumber as num, OsqueryRowReader, processRecord, socketRecord } from './osquery-rows.js';

export type OsqueryQuery = (sql: string) => Promise<Record<string, string>[]>;

/** osqueryd returns every value as a string; anything else is a broken peer. */
const Rows = z.array(z.record(z.string(), z.string()));

export interface OsquerySourceOptions {
  /** Whether osqueryd runs on Windows (elapsed_time exists only there). Default: this process's platform. */
  readonly windows?: boolean;
}

export class OsquerySource implements ProcessSource {
  readonly name = 'osquery';
  private readonly windows: boolean;
  /** Command line and user name per identity, fetched once. */
  private readonly cmdlines = new Map<string, { cmdline: string; user: string | null }>();
  private readonly reader = new OsqueryRowReader();

  constructor(
    private readonly query: OsqueryQuery,
    options: OsquerySourceOptions = {},
  ) {
    this.windows = options.windows ?? process.platform === 'win32';
  }

  private async rows(sql: string): Promise<Record<string, string>[]> {
    const parsed = Rows.safeParse(await this.query(sql));
    if (!parsed.success) {
      throw new Error(
        `osqueryd returned malformed rows for "${sql.slice(0, 60)}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  }

  async sample(options: SampleOptions = {}): Promise<ProcessSample> {
    const wallMs = Date.now();
    const mono = monotonicMs();
    const cheap = [
      'pid',
      'parent',
      'name',
      'path',
      'start_time',
      'user_time',
      'system_time',
      'resident_size',
      'threads',
      'uid',
      ...(this.windows ? ['elapsed_time'] : []),
    ];
    const procRows = await this.rows(`SELECT ${cheap.join(', ')} FROM processes`);
    const base = this.reader.identify(procRows, Math.floor(wallMs / 1000));
    const key = (pid: number, start: number) => `${pid}:${start}`;
    // The expensive column only for identities not seen before.
    const wanted = base.filter(
      (b) => (options.needCmdline?.(b.pid, b.startTime) ?? true) && !this.cmdlines.has(key(b.pid, b.startTime)),
    );
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
    const processes: ProcessRecord[] = base.map((b) => {
      const known = this.cmdlines.get(key(b.pid, b.startTime));
      return processRecord(b, known?.cmdline ?? null, known?.user ?? null);
    });
    let sockets: SocketRecord[] = [];
    if (options.sockets !== false) {
      const rows = await this.rows(
        'SELECT pid, family, protocol, local_address, local_port, remote_address, remote_port, state FROM process_open_sockets WHERE protocol IN (6, 17)',
      );
      sockets = rows.flatMap((r) => socketRecord(r) ?? []);
    }
    return { wallMs, monotonicMs: mono, processes, sockets };
  }
}
