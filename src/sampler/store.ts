// The bounded history store: ingests ProcessSamples (from any source, or
// recorded sequences in tests) into per-process entries with CPU sample rings
// for the tracked ones, and evicts what no longer fits (lineage.ts remembers
// ancestors, connections.ts the endpoints). Read by the tables; knows nothing
// of osquery or SQL.
import { availableParallelism } from 'node:os';
import type { LaunchVector } from '../intel/launch-vectors.js';
import { connectionBytes, NO_CONNECTIONS, recordSockets, type Connections } from './connections.js';
import { resolveLineage, type LineageNode, type RememberedIdentity } from './lineage.js';
import { SampleRing, type RingColumns } from './ring.js';
import type { ProcessRecord, ProcessSample } from './source.js';
import type { StoreOptions } from './store-options.js';

export type { StoreOptions } from './store-options.js';

/** One process as the store knows it. Fields are read by tables; only the store writes them. */
export class ProcessEntry implements LineageNode {
  ppid: number;
  name: string;
  path: string;
  cmdline: string | null;
  user: string;
  /** Remembered ancestors, nearest (the parent) first, captured while they were alive. */
  ancestors: readonly RememberedIdentity[] = [];
  launchVector: LaunchVector = 'other';
  lineageResolved = false;
  firstSeenWallMs: number;
  lastSeenWallMs: number;
  exited = false;
  exitedMonoMs = 0;
  // Counters of the previous observation, for deltas; NaN = none. Kept as
  // plain doubles: a field that also holds null boxes every new value, one
  // allocation per process per tick that outlives the young generation.
  private lastMono = NaN;
  private lastCpu = NaN;
  /** The store tick that last saw this process. */
  seenTick = 0;
  /** Smoothed CPU % of one core, for choosing what to evict. */
  interest = 0;
  history: SampleRing | null = null;
  connections: Connections = NO_CONNECTIONS;

  constructor(
    readonly pid: number,
    readonly startTime: number,
    r: ProcessRecord,
    wallMs: number,
  ) {
    this.ppid = r.ppid;
    this.name = r.name;
    this.path = r.path;
    this.cmdline = r.cmdline;
    this.user = r.user;
    this.firstSeenWallMs = wallMs;
    this.lastSeenWallMs = wallMs;
  }

  get parent(): RememberedIdentity | null {
    return this.ancestors[0] ?? null;
  }

  get lastMonoMs(): number | null {
    return Number.isNaN(this.lastMono) ? null : this.lastMono;
  }
  set lastMonoMs(v: number | null) {
    this.lastMono = v ?? NaN;
  }
  get lastCpuMs(): number | null {
    return Number.isNaN(this.lastCpu) ? null : this.lastCpu;
  }
  set lastCpuMs(v: number | null) {
    this.lastCpu = v ?? NaN;
  }
}

/**
 * Identity is (pid, start time). When a source cannot tell the start time
 * (-1), the name joins the key so that at least a different program on a
 * reused pid is not merged.
 */
export function identityKey(pid: number, startTime: number, name: string): string {
  return startTime >= 0 ? `${pid}:${startTime}` : `${pid}:-1:${name}`;
}

export class HistoryStore {
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly maxTracked: number;
  readonly exitedGraceMs: number;
  readonly maxGapMs: number;
  logicalCpus: number;
  readonly maxConnectionsPerProcess: number;
  readonly idlePercent: number;
  readonly ringCapacity: number;
  readonly counterHistory: boolean;
  private readonly intern: ((text: string) => string) | null;
  private readonly entries = new Map<string, ProcessEntry>();
  /** Live entries by pid (one live process per pid at a time). */
  private readonly live = new Map<number, ProcessEntry>();
  private trackedCount = 0;
  /** Wall time (ms) of the newest sample ingested. */
  lastWallMs = 0;
  lastMonoMs = 0;
  ticks = 0;

  constructor(options: StoreOptions = {}) {
    const positive = (name: string, v: number) => {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
      return v;
    };
    this.windowMs = positive('windowMs', options.windowMs ?? 3_600_000);
    this.intervalMs = positive('intervalMs', options.intervalMs ?? 10_000);
    this.maxTracked = Math.floor(positive('maxTracked', options.maxTracked ?? 4_000));
    this.exitedGraceMs = options.exitedGraceMs ?? 600_000;
    if (!(this.exitedGraceMs >= 0)) throw new RangeError(`exitedGraceMs must be >= 0, got ${this.exitedGraceMs}`);
    this.maxGapMs = positive('maxGapIntervals', options.maxGapIntervals ?? 5) * this.intervalMs;
    this.logicalCpus = Math.floor(positive('logicalCpus', options.logicalCpus ?? availableParallelism()));
    this.maxConnectionsPerProcess = Math.floor(
      positive('maxConnectionsPerProcess', options.maxConnectionsPerProcess ?? 64),
    );
    this.idlePercent = options.idlePercent ?? 1;
    this.counterHistory = options.counterHistory ?? true;
    this.intern = options.intern ?? null;
    // One extra slot so a full window of deltas fits beside the first sample.
    this.ringCapacity = Math.max(2, Math.ceil(this.windowMs / this.intervalMs) + 1);
  }

  /**
   * Sets the host's logical CPU count once it is known (a replayed log
   * carries it in system_info, which may arrive after the first samples).
   */
  setLogicalCpus(n: number): void {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`logicalCpus must be a positive integer, got ${n}`);
    this.logicalCpus = n;
  }

  /** Every entry: live and recently exited, tracked or not. */
  all(): IterableIterator<ProcessEntry> {
    return this.entries.values();
  }

  /** Entries with sample history. */
  *tracked(): IterableIterator<ProcessEntry> {
    for (const e of this.entries.values()) if (e.history !== null) yield e;
  }

  get size(): number {
    return this.entries.size;
  }

  get trackedSize(): number {
    return this.trackedCount;
  }

  get(pid: number, startTime: number, name = ''): ProcessEntry | undefined {
    return this.entries.get(identityKey(pid, startTime, name));
  }

  /** Entries with this pid (the live one and exited ones that had it). */
  byPid(pid: number): ProcessEntry[] {
    const out: ProcessEntry[] = [];
    for (const e of this.entries.values()) if (e.pid === pid) out.push(e);
    return out;
  }

  /** Whether the store already holds this identity's command line (sources skip fetching it). */
  hasCmdline(pid: number, startTime: number, name = ''): boolean {
    const e = this.entries.get(identityKey(pid, startTime, name));
    return e !== undefined && e.cmdline !== null;
  }

  /** Feeds one sample (a complete process listing). */
  ingest(sample: ProcessSample): void {
    const mono = sample.monotonicMs;
    const wall = sample.wallMs;
    const stamp = ++this.ticks;
    const fresh: ProcessEntry[] = [];
    for (const r of sample.processes) {
      if (!Number.isInteger(r.pid) || r.pid < 0) continue;
      // The common case, the same live process as last tick, without building a key.
      let e = this.live.get(r.pid);
      if (e === undefined || e.startTime !== r.startTime || (r.startTime < 0 && e.name !== r.name)) {
        const key = identityKey(r.pid, r.startTime, r.name);
        e = this.entries.get(key);
        if (e === undefined || e.exited) {
          if (e?.exited) this.drop(key, e); // an identity cannot come back; treat as new
          e = new ProcessEntry(r.pid, r.startTime, this.kept(r), wall);
          this.entries.set(key, e);
          fresh.push(e);
        }
        const previous = this.live.get(r.pid);
        if (previous !== undefined && previous !== e) this.markExited(previous, mono);
        this.live.set(r.pid, e);
      }
      // exec() keeps pid and start time but changes the program.
      if (r.name !== '' && r.name !== e.name) {
        e.name = this.text(r.name);
        e.cmdline = r.cmdline === null ? null : this.text(r.cmdline);
      }
      if (r.path !== '' && r.path !== e.path) e.path = this.text(r.path);
      // Keep the string already held when the text is the same: each tick's
      // copy would otherwise outlive a young-generation GC and churn the old one.
      if (r.cmdline !== null && r.cmdline !== e.cmdline) e.cmdline = this.text(r.cmdline);
      if (r.user !== '' && r.user !== e.user) e.user = this.text(r.user);
      e.ppid = r.ppid;
      e.seenTick = stamp;
      this.observe(e, r, wall, mono);
    }
    for (const e of fresh) resolveLineage(e, this.live);
    for (const [pid, e] of this.live) {
      if (e.seenTick !== stamp) {
        this.markExited(e, mono);
        this.live.delete(pid);
      }
    }
    recordSockets(sample.sockets, this.live, wall, mono, this.maxConnectionsPerProcess);
    this.lastWallMs = wall;
    this.lastMonoMs = mono;
    this.prune(mono);
  }

  private text(s: string): string {
    return this.intern === null ? s : this.intern(s);
  }

  /** The record's text as the store keeps it. */
  private kept(r: ProcessRecord): ProcessRecord {
    if (this.intern === null) return r;
    return {
      ...r,
      name: this.text(r.name),
      path: this.text(r.path),
      cmdline: r.cmdline === null ? null : this.text(r.cmdline),
      user: this.text(r.user),
    };
  }

  private markExited(e: ProcessEntry, mono: number): void {
    if (e.exited) return;
    e.exited = true;
    e.exitedMonoMs = mono;
  }

  private drop(key: string, e: ProcessEntry): void {
    if (e.history !== null) this.trackedCount--;
    this.entries.delete(key);
    if (this.live.get(e.pid) === e) this.live.delete(e.pid);
  }

  /** Computes the CPU figure for this observation and records it. */
  private observe(e: ProcessEntry, r: ProcessRecord, wall: number, mono: number): void {
    e.lastSeenWallMs = wall;
    const cpuMs = r.userTimeMs !== null && r.systemTimeMs !== null ? r.userTimeMs + r.systemTimeMs : null;
    let cpu: number | null = null;
    let dtSec = 0;
    if (e.lastMonoMs !== null) {
      const gap = mono - e.lastMonoMs;
      if (gap <= 0) {
        // The same instant twice, or a monotonic clock from another boot:
        // nothing to measure; rebase on this observation.
        e.lastMonoMs = mono;
        e.lastCpuMs = cpuMs;
        return;
      }
      if (cpuMs !== null && e.lastCpuMs !== null && gap <= this.maxGapMs) {
        const used = cpuMs - e.lastCpuMs;
        // used < 0: the counter went backwards (pid reuse the source could not
        // tell, or a counter reset); no figure rather than a negative one.
        if (used >= 0) {
          const pct = (used / gap) * 100;
          const ceiling = 100 * this.logicalCpus;
          // Counters and clocks are read at slightly different instants, so a
          // busy process can show a little over the ceiling; far over it means
          // the inputs are inconsistent, and no figure is better than an absurd one.
          if (pct <= ceiling * 1.25) {
            cpu = Math.min(pct, ceiling);
            dtSec = gap / 1000;
          }
        }
      }
    }
    e.lastMonoMs = mono;
    e.lastCpuMs = cpuMs;
    if (cpu !== null) e.interest = e.interest * 0.7 + cpu * 0.3;
    if (e.history === null && !this.admit(e, cpu)) return;
    e.history!.push({
      wallSec: wall / 1000,
      dtSec,
      cpuPercent: cpu,
      userTimeMs: r.userTimeMs,
      systemTimeMs: r.systemTimeMs,
      residentBytes: r.residentBytes,
      threads: r.threads,
    });
  }

  /** Gives e a history ring if the cap allows, demoting a less interesting one if needed. */
  private admit(e: ProcessEntry, cpu: number | null): boolean {
    if (this.trackedCount >= this.maxTracked) {
      const victim = this.leastInteresting();
      if (victim === null) return false;
      if (victim.exited) {
        this.drop(identityKey(victim.pid, victim.startTime, victim.name), victim);
      } else {
        // A brand-new process gets the benefit of the doubt (it counts as just
        // busy enough); a demoted one comes back only once it does something,
        // and only over something idler, so idle processes do not churn.
        const claim = e.lineageResolved ? (cpu ?? 0) : this.idlePercent;
        if (claim < this.idlePercent || victim.interest >= claim) return false;
        victim.history = null;
        this.trackedCount--;
      }
    }
    e.history = new SampleRing(this.ringCapacity, undefined, this.counterHistory);
    this.trackedCount++;
    return true;
  }

  /** Exited first (oldest first), then the idlest live process. */
  private leastInteresting(): ProcessEntry | null {
    let best: ProcessEntry | null = null;
    for (const e of this.entries.values()) {
      if (e.history === null) continue;
      if (best === null) {
        best = e;
        continue;
      }
      if (e.exited !== best.exited) {
        if (e.exited) best = e;
        continue;
      }
      if (e.exited ? e.lastSeenWallMs < best.lastSeenWallMs : e.interest < best.interest) best = e;
    }
    return best;
  }

  /** Forgets exited processes past their grace period. */
  private prune(mono: number): void {
    for (const [key, e] of this.entries) {
      if (e.exited && mono - e.exitedMonoMs > this.exitedGraceMs) this.drop(key, e);
    }
  }

  /** Approximate bytes held: typed arrays exactly, strings and objects estimated. */
  memoryBytes(): number {
    let bytes = 0;
    const str = (s: string | null) => (s === null ? 0 : 16 + s.length * 2);
    for (const e of this.entries.values()) {
      bytes += 240 + str(e.name) + str(e.path) + str(e.cmdline) + str(e.user);
      for (const a of e.ancestors) bytes += 64 + str(a.name) + str(a.path) + str(a.cmdline);
      if (e.history !== null) bytes += 200 + e.history.byteLength;
      bytes += connectionBytes(e.connections, str);
    }
    return bytes;
  }

  /** Raw access for persistence (see state.ts). */
  entryMap(): Map<string, ProcessEntry> {
    return this.entries;
  }

  /** Puts a restored entry in place as live (see state.ts). */
  adopt(e: ProcessEntry, samples: RingColumns | null): void {
    const key = identityKey(e.pid, e.startTime, e.name);
    const existing = this.entries.get(key);
    if (existing !== undefined) this.drop(key, existing);
    if (samples !== null && samples.count > 0) {
      if (this.trackedCount >= this.maxTracked) return;
      e.history = new SampleRing(this.ringCapacity, undefined, this.counterHistory);
      this.trackedCount++;
      e.history.appendColumns(samples);
    }
    this.entries.set(key, e);
    this.live.set(e.pid, e);
  }
}
