// Per-process sample history in one typed buffer: 36 bytes a sample instead of
// a ~200-byte object, so 2,000 processes x 360 samples stay near 26 MB. The
// ring grows by doubling up to its capacity, so short-lived processes cost
// little.

const U32_NULL = 0xffffffff;

export interface SampleValues {
  /** Wall clock, seconds since the epoch. */
  readonly wallSec: number;
  /** Seconds of observation this sample's CPU figure covers; 0 when none. */
  readonly dtSec: number;
  /** CPU % of one core over dtSec, or null when it could not be measured. */
  readonly cpuPercent: number | null;
  readonly userTimeMs: number | null;
  readonly systemTimeMs: number | null;
  readonly residentBytes: number | null;
  readonly threads: number | null;
}

/**
 * Column regions of one ring's buffer, 8-byte columns first so every region
 * is aligned for its view. One allocation and three views per ring instead of
 * seven arrays and their buffers (~180 heap bytes and a malloc each): a
 * 200-host replay holds 30,000 rings.
 */
const USER = 0; // Float64, NaN = null
const SYS = 1;
const WALL = 0; // 4-byte columns; dt and cpu through the Float32 view
const DT = 1;
const CPU = 2;
const RSS = 3;
const THREADS = 4;

/** Which columns a ring keeps: every one, or the CPU series alone (see SampleRing's `counters`). */
const LAYOUT = {
  full: { f64: 2, u32: 5 },
  cpu: { f64: 0, u32: 3 },
} as const;
type Layout = (typeof LAYOUT)[keyof typeof LAYOUT];

const NO_F64 = new Float64Array(0);

function views(layout: Layout, slots: number): [Float64Array, Float32Array, Uint32Array] {
  const b = new ArrayBuffer(slots * (layout.f64 * 8 + layout.u32 * 4));
  return [
    layout.f64 === 0 ? NO_F64 : new Float64Array(b, 0, layout.f64 * slots),
    new Float32Array(b),
    new Uint32Array(b),
  ];
}

export class SampleRing {
  private size = 0;
  private head = 0; // index of the oldest sample
  private slots: number;
  private readonly layout: Layout;
  private f64: Float64Array; // [user | sys]
  private f32: Float32Array; // the same bytes as u32
  private u32: Uint32Array; // [.. 8-byte columns .. | wallSec | dt | cpu | rssKb | threads]
  // Where the hot columns start in the 4-byte views (set on every resize).
  private wall0 = 0;
  private dt0 = 0;
  private cpu0 = 0;
  // The newest sample's counters, for the CPU-only layout (as its columns would hold them).
  private newestUser = NaN;
  private newestSys = NaN;
  private newestRssKb = U32_NULL;
  private newestThreads = U32_NULL;

  /**
   * `counters` false keeps only the CPU series (time, dt, cpu: 12 bytes a
   * sample, not 36) and the newest sample's counters: what every table but
   * process_cpu_history reads. Replay uses it when no query reads that table.
   */
  constructor(
    readonly capacity: number,
    initial = 16,
    readonly counters = true,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = Math.min(capacity, initial);
    this.layout = counters ? LAYOUT.full : LAYOUT.cpu;
    [this.f64, this.f32, this.u32] = views(this.layout, this.slots);
    this.locate();
  }

  private locate(): void {
    this.wall0 = this.u32At(WALL, 0);
    this.dt0 = this.u32At(DT, 0);
    this.cpu0 = this.u32At(CPU, 0);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by the sample buffer. */
  get byteLength(): number {
    return this.slots * (this.layout.f64 * 8 + this.layout.u32 * 4);
  }

  private f64At(c: number, i: number): number {
    return c * this.slots + i;
  }
  private u32At(c: number, i: number): number {
    return (this.layout.f64 * 2 + c) * this.slots + i;
  }

  private grow(): void {
    const old = { slots: this.slots, f64: this.f64, u32: this.u32 };
    this.slots = Math.min(this.capacity, this.slots * 2);
    [this.f64, this.f32, this.u32] = views(this.layout, this.slots);
    this.locate();
    // The ring is unwrapped (head = 0) whenever it grows, since it only grows while not yet full.
    const { f64, u32 } = this.layout;
    for (let c = 0; c < f64; c++)
      this.f64.set(old.f64.subarray(c * old.slots, c * old.slots + this.size), c * this.slots);
    for (let c = 0; c < u32; c++) {
      const from = (f64 * 2 + c) * old.slots;
      this.u32.set(old.u32.subarray(from, from + this.size), (f64 * 2 + c) * this.slots);
    }
  }

  push(v: SampleValues): void {
    let i: number;
    if (this.size < this.slots) {
      i = (this.head + this.size) % this.slots;
      this.size++;
    } else if (this.slots < this.capacity) {
      this.grow();
      i = this.size++;
    } else {
      i = this.head; // overwrite the oldest
      this.head = (this.head + 1) % this.slots;
    }
    this.u32[this.u32At(WALL, i)] = Math.max(0, Math.min(U32_NULL - 1, Math.floor(v.wallSec)));
    this.f32[this.u32At(DT, i)] = v.dtSec;
    this.f32[this.u32At(CPU, i)] = v.cpuPercent ?? NaN;
    const rssKb = v.residentBytes === null ? U32_NULL : Math.min(U32_NULL - 1, Math.round(v.residentBytes / 1024));
    const threads = v.threads === null ? U32_NULL : Math.min(U32_NULL - 1, v.threads);
    if (this.counters) {
      this.f64[this.f64At(USER, i)] = v.userTimeMs ?? NaN;
      this.f64[this.f64At(SYS, i)] = v.systemTimeMs ?? NaN;
      this.u32[this.u32At(RSS, i)] = rssKb;
      this.u32[this.u32At(THREADS, i)] = threads;
    } else {
      this.newestUser = v.userTimeMs ?? NaN;
      this.newestSys = v.systemTimeMs ?? NaN;
      this.newestRssKb = rssKb;
      this.newestThreads = threads;
    }
  }

  private slot(k: number): number {
    return (this.head + k) % this.slots;
  }

  wallAt(k: number): number {
    return this.u32[this.wall0 + this.slot(k)];
  }
  dtAt(k: number): number {
    return this.f32[this.dt0 + this.slot(k)];
  }
  /** NaN when unknown (kept as NaN so hot loops need no allocation). */
  cpuAt(k: number): number {
    return this.f32[this.cpu0 + this.slot(k)];
  }

  /** Sample k (0 = oldest). Without `counters`, only the newest sample has user, system, resident and threads. */
  at(k: number): SampleValues {
    const i = this.slot(k);
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    let user = NaN;
    let sys = NaN;
    let rss = U32_NULL;
    let threads = U32_NULL;
    if (this.counters) {
      user = this.f64[this.f64At(USER, i)];
      sys = this.f64[this.f64At(SYS, i)];
      rss = this.u32[this.u32At(RSS, i)];
      threads = this.u32[this.u32At(THREADS, i)];
    } else if (k === this.size - 1) {
      [user, sys, rss, threads] = [this.newestUser, this.newestSys, this.newestRssKb, this.newestThreads];
    }
    return {
      wallSec: this.u32[this.u32At(WALL, i)],
      dtSec: this.f32[this.u32At(DT, i)],
      cpuPercent: nan(this.f32[this.u32At(CPU, i)]),
      userTimeMs: nan(user),
      systemTimeMs: nan(sys),
      residentBytes: rss === U32_NULL ? null : rss * 1024,
      threads: threads === U32_NULL ? null : threads,
    };
  }

  /**
   * The samples, oldest first, as raw column bytes (host byte order) for the
   * state file: formatting millions of numbers as JSON text costs seconds,
   * copying bytes does not.
   */
  toColumns(): RingColumns {
    const n = this.size;
    const column = <T extends Uint32Array | Float32Array | Float64Array>(
      make: (k: number) => T,
      get: (i: number) => number,
    ): Buffer => {
      const out = make(n);
      for (let k = 0; k < n; k++) out[k] = get(this.slot(k));
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    };
    const u32 = (c: number) => (i: number) => this.u32[this.u32At(c, i)];
    const f32 = (c: number) => (i: number) => this.f32[this.u32At(c, i)];
    const f64 = (c: number) => (i: number) => this.f64[this.f64At(c, i)];
    // Without counter columns, the newest sample's counters and unknown before it.
    const newest = this.slot(n - 1);
    const counter = (full: (i: number) => number, value: number, none: number) =>
      this.counters ? full : (i: number) => (i === newest ? value : none);
    return {
      count: n,
      wallSec: column((k) => new Uint32Array(k), u32(WALL)),
      dt: column((k) => new Float32Array(k), f32(DT)),
      cpu: column((k) => new Float32Array(k), f32(CPU)),
      user: column((k) => new Float64Array(k), counter(f64(USER), this.newestUser, NaN)),
      sys: column((k) => new Float64Array(k), counter(f64(SYS), this.newestSys, NaN)),
      rssKb: column((k) => new Uint32Array(k), counter(u32(RSS), this.newestRssKb, U32_NULL)),
      threads: column((k) => new Uint32Array(k), counter(u32(THREADS), this.newestThreads, U32_NULL)),
    };
  }

  /** Appends samples from toColumns() output (validated by the caller: lengths match count). */
  appendColumns(c: RingColumns): void {
    const view = <T>(b: Buffer, make: (ab: ArrayBuffer) => T): T => {
      // Copy into a fresh, aligned buffer: a Buffer's offset may not be aligned for 8-byte views.
      const ab = new ArrayBuffer(b.length);
      new Uint8Array(ab).set(b);
      return make(ab);
    };
    const wall = view(c.wallSec, (ab) => new Uint32Array(ab));
    const dt = view(c.dt, (ab) => new Float32Array(ab));
    const cpu = view(c.cpu, (ab) => new Float32Array(ab));
    const user = view(c.user, (ab) => new Float64Array(ab));
    const sys = view(c.sys, (ab) => new Float64Array(ab));
    const rss = view(c.rssKb, (ab) => new Uint32Array(ab));
    const threads = view(c.threads, (ab) => new Uint32Array(ab));
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    for (let k = 0; k < c.count; k++) {
      this.push({
        wallSec: wall[k],
        dtSec: Number.isFinite(dt[k]) && dt[k] > 0 ? dt[k] : 0,
        cpuPercent: nan(cpu[k]),
        userTimeMs: nan(user[k]),
        systemTimeMs: nan(sys[k]),
        residentBytes: rss[k] === U32_NULL ? null : rss[k] * 1024,
        threads: threads[k] === U32_NULL ? null : threads[k],
      });
    }
  }
}

/** Bytes per sample in each column of RingColumns. */
export const RING_COLUMN_WIDTHS = { wallSec: 4, dt: 4, cpu: 4, user: 8, sys: 8, rssKb: 4, threads: 4 } as const;

export interface RingColumns {
  readonly count: number;
  readonly wallSec: Buffer;
  readonly dt: Buffer;
  readonly cpu: Buffer;
  readonly user: Buffer;
  readonly sys: Buffer;
  readonly rssKb: Buffer;
  readonly threads: Buffer;
}
