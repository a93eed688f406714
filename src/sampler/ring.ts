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
const F64_COLUMNS = 2; // user, sys
const U32_COLUMNS = 5; // wallSec, dt, cpu, rssKb, threads (dt and cpu through the Float32 view)
const BYTES_PER_SAMPLE = F64_COLUMNS * 8 + U32_COLUMNS * 4;
const USER = 0;
const SYS = 1;
const WALL = 0;
const DT = 1;
const CPU = 2;
const RSS = 3;
const THREADS = 4;

function views(slots: number): [Float64Array, Float32Array, Uint32Array] {
  const b = new ArrayBuffer(slots * BYTES_PER_SAMPLE);
  return [new Float64Array(b, 0, F64_COLUMNS * slots), new Float32Array(b), new Uint32Array(b)];
}

export class SampleRing {
  private size = 0;
  private head = 0; // index of the oldest sample
  private slots: number;
  private f64: Float64Array; // [user | sys], NaN = null
  private f32: Float32Array; // the same bytes as u32
  private u32: Uint32Array; // [.. 8-byte columns .. | wallSec | dt | cpu | rssKb | threads]

  constructor(readonly capacity: number, initial = 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = Math.min(capacity, initial);
    [this.f64, this.f32, this.u32] = views(this.slots);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by the sample buffer. */
  get byteLength(): number {
    return this.slots * BYTES_PER_SAMPLE;
  }

  private f64At(c: number, i: number): number {
    return c * this.slots + i;
  }
  private u32At(c: number, i: number): number {
    return (F64_COLUMNS * 2 + c) * this.slots + i;
  }

  private grow(): void {
    const old = { slots: this.slots, f64: this.f64, u32: this.u32 };
    this.slots = Math.min(this.capacity, this.slots * 2);
    [this.f64, this.f32, this.u32] = views(this.slots);
    // The ring is unwrapped (head = 0) whenever it grows, since it only grows while not yet full.
    for (let c = 0; c < F64_COLUMNS; c++) this.f64.set(old.f64.subarray(c * old.slots, c * old.slots + this.size), c * this.slots);
    for (let c = 0; c < U32_COLUMNS; c++) {
      const from = (F64_COLUMNS * 2 + c) * old.slots;
      this.u32.set(old.u32.subarray(from, from + this.size), (F64_COLUMNS * 2 + c) * this.slots);
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
    this.f64[this.f64At(USER, i)] = v.userTimeMs ?? NaN;
    this.f64[this.f64At(SYS, i)] = v.systemTimeMs ?? NaN;
    this.u32[this.u32At(RSS, i)] = v.residentBytes === null ? U32_NULL : Math.min(U32_NULL - 1, Math.round(v.residentBytes / 1024));
    this.u32[this.u32At(THREADS, i)] = v.threads === null ? U32_NULL : Math.min(U32_NULL - 1, v.threads);
  }

  private slot(k: number): number {
    return (this.head + k) % this.slots;
  }

  wallAt(k: number): number {
    return this.u32[this.u32At(WALL, this.slot(k))];
  }
  dtAt(k: number): number {
    return this.f32[this.u32At(DT, this.slot(k))];
  }
  /** NaN when unknown (kept as NaN so hot loops need no allocation). */
  cpuAt(k: number): number {
    return this.f32[this.u32At(CPU, this.slot(k))];
  }

  at(k: number): SampleValues {
    const i = this.slot(k);
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    const rss = this.u32[this.u32At(RSS, i)];
    const threads = this.u32[this.u32At(THREADS, i)];
    return {
      wallSec: this.u32[this.u32At(WALL, i)],
      dtSec: this.f32[this.u32At(DT, i)],
      cpuPercent: nan(this.f32[this.u32At(CPU, i)]),
      userTimeMs: nan(this.f64[this.f64At(USER, i)]),
      systemTimeMs: nan(this.f64[this.f64At(SYS, i)]),
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
    const column = <T extends Uint32Array | Float32Array | Float64Array>(make: (k: number) => T, get: (i: number) => number): Buffer => {
      const out = make(n);
      for (let k = 0; k < n; k++) out[k] = get(this.slot(k));
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    };
    const u32 = (c: number) => (i: number) => this.u32[this.u32At(c, i)];
    const f32 = (c: number) => (i: number) => this.f32[this.u32At(c, i)];
    const f64 = (c: number) => (i: number) => this.f64[this.f64At(c, i)];
    return {
      count: n,
      wallSec: column((k) => new Uint32Array(k), u32(WALL)),
      dt: column((k) => new Float32Array(k), f32(DT)),
      cpu: column((k) => new Float32Array(k), f32(CPU)),
      user: column((k) => new Float64Array(k), f64(USER)),
      sys: column((k) => new Float64Array(k), f64(SYS)),
      rssKb: column((k) => new Uint32Array(k), u32(RSS)),
      threads: column((k) => new Uint32Array(k), u32(THREADS)),
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
