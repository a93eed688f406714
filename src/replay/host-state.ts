// One host's replay: its process samples go through the sampler's row reader
// and history store (the code the extension runs, osquery source in Windows
// mode), clocked by the log's unixTime; the other evidence tables keep their
// latest state. Memory is bounded by what one host holds, whatever the log size.
import { HistoryStore, type StoreOptions } from '../sampler/store.js';
import { OsqueryRowReader, processRecord, socketRecord } from '../sampler/osquery-rows.js';
import type { SocketRecord } from '../sampler/source.js';
import type { EvidenceKind, EvidenceTable } from './evidence.js';
import type { EvidenceRow, LoggedEvent } from './events.js';
import { Interner } from './intern.js';

/** Most rows kept per evidence table of one host (file/authenticode/hash accumulate by path). */
export const MAX_ROWS_PER_TABLE = 50_000;

/** Before system_info says otherwise, no CPU ceiling is assumed (never this machine's count). */
const UNKNOWN_CPUS = 1024;

export interface HostCounters {
  samples: number;
  outOfOrder: number;
  droppedRows: number;
}

export class HostReplay {
  readonly store: HistoryStore;
  private readonly reader = new OsqueryRowReader();
  /** Latest rows per evidence table (processes and sockets: the newest sample). */
  readonly tables = new Map<EvidenceTable, EvidenceRow[]>();
  /** file, authenticode, hash: the newest row per path. */
  private readonly byPath = new Map<'file' | 'authenticode' | 'hash', Map<string, EvidenceRow>>();
  /** Differential queries: the current result set per query name. */
  private readonly diffState = new Map<string, Map<string, EvidenceRow>>();
  /** Event-format lines of one execution, gathered until the execution ends. */
  private readonly pending = new Map<
    string,
    { key: string; kind: EvidenceKind; unixTime: number; action: string; rows: EvidenceRow[]; removed: EvidenceRow[] }
  >();
  /** Sockets logged by a separate query, waiting for the next processes sample. */
  private pendingSockets: readonly EvidenceRow[] | null = null;
  lastSampleTime = -1;
  /** Whether the processes and sockets tables are to be rebuilt from the store at the end. */
  private fromStore = false;
  lastTime = -1;
  cpusKnown = false;
  readonly counters: HostCounters = { samples: 0, outOfOrder: 0, droppedRows: 0 };

  /** `shared` holds text once across the replay's hosts (see intern.ts). */
  constructor(
    readonly host: string,
    storeOptions: StoreOptions,
    private readonly shared = new Interner(),
  ) {
    this.store = new HistoryStore({ ...storeOptions, logicalCpus: UNKNOWN_CPUS, intern: shared.intern });
  }

  /** Takes one logged event of an evidence query. */
  accept(e: LoggedEvent, kind: EvidenceKind): void {
    if (e.unixTime > this.lastTime) this.lastTime = e.unixTime;
    const ev = e.event;
    if (ev.shape === 'snapshot') {
      this.complete(kind, e.unixTime, ev.rows);
      return;
    }
    if (ev.shape === 'diff') {
      this.complete(kind, e.unixTime, this.applyDiff(e.name, ev.added, ev.removed));
      return;
    }
    // Event format: one line per row; an execution ends when the next one starts.
    const key = `${e.unixTime}:${e.epoch}:${e.counter}`;
    const p = this.pending.get(e.name);
    if (p !== undefined && p.key !== key) this.flush(e.name);
    let q = this.pending.get(e.name);
    if (q === undefined) {
      q = { key, kind, unixTime: e.unixTime, action: ev.action, rows: [], removed: [] };
      this.pending.set(e.name, q);
    }
    if (q.rows.length + q.removed.length >= MAX_ROWS_PER_TABLE) {
      this.counters.droppedRows++;
      return;
    }
    if (ev.action === 'removed') q.removed.push(ev.row);
    else q.rows.push(ev.row);
    if (ev.action === 'snapshot') q.action = 'snapshot';
  }

  /** Ends every gathered execution (at the end of the input) and settles the processes and sockets tables. */
  flushAll(): void {
    for (const name of [...this.pending.keys()]) this.flush(name);
    if (this.fromStore) {
      // The newest sample's processes and sockets, as the store holds them
      // (keeping ~150 parsed rows per host between ticks would only churn the GC).
      this.tables.set('processes', this.processRows());
      this.tables.set('process_open_sockets', this.socketRows());
    }
  }

  /** processes rows of the newest sample, from the store (osquery's columns and units). */
  private processRows(): EvidenceRow[] {
    const at = this.lastSampleTime * 1000;
    const rows: EvidenceRow[] = [];
    for (const e of this.store.all()) {
      if (e.exited || e.lastSeenWallMs !== at) continue;
      const h = e.history;
      const v = h !== null && h.length > 0 ? h.at(h.length - 1) : null;
      const text = (x: number | null | undefined) => (x === null || x === undefined ? '-1' : String(Math.round(x)));
      rows.push({
        pid: String(e.pid),
        parent: String(e.ppid),
        name: e.name,
        path: e.path,
        cmdline: e.cmdline ?? '',
        start_time: String(e.startTime),
        elapsed_time: e.startTime >= 0 ? String(this.lastSampleTime - e.startTime) : '-1',
        user_time: text(v?.userTimeMs),
        system_time: text(v?.systemTimeMs),
        resident_size: text(v?.residentBytes),
        threads: text(v?.threads),
        uid: /^\d+$/.test(e.user) ? e.user : '-1',
      });
    }
    return rows;
  }

  /** process_open_sockets rows of the newest sample, from the store's connections. */
  private socketRows(): EvidenceRow[] {
    const at = this.lastSampleTime * 1000;
    const rows: EvidenceRow[] = [];
    for (const e of this.store.all()) {
      for (const c of e.connections.values()) {
        if (c.lastWallMs !== at) continue;
        rows.push({
          pid: String(e.pid),
          family: c.remoteAddress.includes(':') ? '23' : '2',
          protocol: c.protocol === 'tcp' ? '6' : '17',
          local_address: c.localAddress,
          local_port: String(c.localPort),
          remote_address: c.remoteAddress,
          remote_port: String(c.remotePort),
          state: c.state,
        });
      }
    }
    return rows;
  }

  private flush(name: string): void {
    const p = this.pending.get(name);
    if (p === undefined) return;
    this.pending.delete(name);
    const rows = p.action === 'snapshot' ? p.rows : this.applyDiff(name, p.rows, p.removed);
    this.complete(p.kind, p.unixTime, rows);
  }

  private applyDiff(name: string, added: readonly EvidenceRow[], removed: readonly EvidenceRow[]): EvidenceRow[] {
    let state = this.diffState.get(name);
    if (state === undefined) {
      state = new Map();
      this.diffState.set(name, state);
    }
    // osquery serialises a row from a sorted map, so the same row prints the same JSON when added and removed.
    for (const r of removed) state.delete(JSON.stringify(r));
    for (const r of added) {
      if (state.size >= MAX_ROWS_PER_TABLE) {
        this.counters.droppedRows++;
        break;
      }
      state.set(JSON.stringify(r), r);
    }
    return [...state.values()];
  }

  /** A complete result set of one execution at unixTime. */
  private complete(kind: EvidenceKind, unixTime: number, rows: readonly EvidenceRow[]): void {
    if (rows.length > MAX_ROWS_PER_TABLE) {
      this.counters.droppedRows += rows.length - MAX_ROWS_PER_TABLE;
      rows = rows.slice(0, MAX_ROWS_PER_TABLE);
    }
    switch (kind) {
      case 'sample': {
        const procs: EvidenceRow[] = [];
        const socks: EvidenceRow[] = [];
        for (const r of rows) (r.kind === 'socket' ? socks : procs).push(r);
        this.sample(unixTime, procs, socks);
        return;
      }
      case 'processes':
        this.sample(unixTime, rows, this.pendingSockets ?? this.tables.get('process_open_sockets') ?? []);
        this.pendingSockets = null;
        return;
      case 'process_open_sockets':
        this.pendingSockets = rows;
        this.tables.set('process_open_sockets', rows as EvidenceRow[]);
        return;
      case 'binaries':
        for (const row of rows) {
          // Kept until the end of the input, and mostly the same binaries on every host.
          const r = this.shared.row(row);
          this.remember('file', r);
          if (r.result !== undefined && r.result !== '') this.remember('authenticode', r);
          if (r.sha256 !== undefined && r.sha256 !== '') this.remember('hash', r);
        }
        return;
      case 'file':
      case 'authenticode':
      case 'hash':
        for (const r of rows) this.remember(kind, this.shared.row(r));
        return;
      case 'system_info': {
        const cpus = Number(rows[0]?.cpu_logical_cores);
        if (Number.isInteger(cpus) && cpus > 0 && cpus <= 4096) {
          this.store.setLogicalCpus(cpus);
          this.cpusKnown = true;
        }
        this.tables.set(kind, rows as EvidenceRow[]);
        return;
      }
      default:
        this.tables.set(kind, rows as EvidenceRow[]);
    }
  }

  private remember(table: 'file' | 'authenticode' | 'hash', r: EvidenceRow): void {
    const path = r.path;
    if (path === undefined || path === '') return;
    let m = this.byPath.get(table);
    if (m === undefined) {
      m = new Map();
      this.byPath.set(table, m);
    }
    m.delete(path);
    if (m.size >= MAX_ROWS_PER_TABLE) {
      // The oldest path makes room (a Map iterates in insertion order).
      const oldest = m.keys().next().value as string;
      m.delete(oldest);
      this.counters.droppedRows++;
    }
    m.set(path, r);
  }

  /** Rows of file/authenticode/hash, by path. */
  pathRows(table: 'file' | 'authenticode' | 'hash'): EvidenceRow[] {
    return [...(this.byPath.get(table)?.values() ?? [])];
  }

  /** One processes listing (with its sockets) through the sampler's reader into the store. */
  private sample(unixTime: number, procRows: readonly EvidenceRow[], sockRows: readonly EvidenceRow[]): void {
    if (unixTime <= this.lastSampleTime) {
      // Time order per host is the contract; an older sample would rewind the deltas.
      this.counters.outOfOrder++;
      return;
    }
    this.lastSampleTime = unixTime;
    const ids = this.reader.identify(procRows, unixTime);
    const processes = ids.map((b) => processRecord(b, b.r.cmdline ?? null, b.r.username || null));
    const sockets: SocketRecord[] = [];
    for (const r of sockRows) {
      const s = socketRecord(r);
      if (s !== null) sockets.push(s);
    }
    const ms = unixTime * 1000;
    this.store.ingest({ wallMs: ms, monotonicMs: ms, processes, sockets });
    this.fromStore = true;
    this.counters.samples++;
  }
}
