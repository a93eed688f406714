// Per-process sample history in typed arrays: 36 bytes a sample instead of a
// ~200-byte object, so 2,000 processes x 360 samples stay near 26 MB. The
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

export class SampleRing {
  private size = 0;
  private head = 0; // index of the oldest sample
  private wallSec: Uint32Array;
  private dt: Float32Array;
  private cpu: Float32Array; // NaN = null
  private user: Float64Array; // NaN = null
  private sys: Float64Array;
  private rssKb: Uint32Array; // U32_NULL = null
  private threads: Uint32Array;

  constructor(readonly capacity: number, initial = 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    const n = Math.min(capacity, initial);
    this.wallSec = new Uint32Array(n);
    this.dt = new Float32Array(n);
    this.cpu = new Float32Array(n);
    this.user = new Float64Array(n);
    this.sys = new Float64Array(n);
    this.rssKb = new Uint32Array(n);
    this.threads = new Uint32Array(n);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.wallSec.length * 36;
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.wallSec.length * 2);
    const copy = <T extends Uint32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      // The ring is unwrapped (head = 0) whenever it grows, since it only grows while not yet full.
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.wallSec = copy(this.wallSec, (k) => new Uint32Array(k));
    this.dt = copy(this.dt, (k) => new Float32Array(k));
    this.cpu = copy(this.cpu, (k) => new Float32Array(k));
    this.user = copy(this.user, (k) => new Float64Array(k));
    this.sys = copy(this.sys, (k) => new Float64Array(k));
    this.rssKb = copy(this.rssKb, (k) => new Uint32Array(k));
    this.threads = copy(this.threads, (k) => new Uint32Array(k));
  }

  push(v: SampleValues): void {
    let i: number;
    if (this.size < this.wallSec.length) {
      i = (this.head + this.size) % this.wallSec.length;
      this.size++;
    } else if (this.wallSec.length < this.capacity) {
      this.grow();
      i = this.size++;
    } else {
      i = this.head; // overwrite the oldest
      this.head = (this.head + 1) % this.wallSec.length;
    }
    this.wallSec[i] = Math.max(0, Math.min(U32_NULL - 1, Math.floor(v.wallSec)));
    this.dt[i] = v.dtSec;
    this.cpu[i] = v.cpuPercent ?? NaN;
    this.user[i] = v.userTimeMs ?? NaN;
    this.sys[i] = v.systemTimeMs ?? NaN;
    this.rssKb[i] = v.residentBytes === null ? U32_NULL : Math.min(U32_NULL - 1, Math.round(v.residentBytes / 1024));
    this.threads[i] = v.threads === null ? U32_NULL : Math.min(U32_NULL - 1, v.threads);
  }

  private slot(k: number): number {
    return (this.head + k) % this.wallSec.length;
  }

  wallAt(k: number): number {
    return this.wallSec[this.slot(k)];
  }
  dtAt(k: number): number {
    return this.dt[this.slot(k)];
  }
  /** NaN when unknown (kept as NaN so hot loops need no allocation). */
  cpuAt(k: number): number {
    return this.cpu[this.slot(k)];
  }

  at(k: number): SampleValues {
    const i = this.slot(k);
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      wallSec: this.wallSec[i],
      dtSec: this.dt[i],
      cpuPercent: nan(this.cpu[i]),
      userTimeMs: nan(this.user[i]),
      systemTimeMs: nan(this.sys[i]),
      residentBytes: this.rssKb[i] === U32_NULL ? null : this.rssKb[i] * 1024,
      threads: this.threads[i] === U32_NULL ? null : this.threads[i],
    };
  }

  /**
   * The samples, oldest first, as raw column bytes (host byte order) for the
   * state file: formatting millions of numbers as JSON text costs seconds,
   * copying bytes does not.
   */
  toColumns(): RingColumns {
    const n = this.size;
    const unwrap = <T extends Uint32Array | Float32Array | Float64Array>(a: T, make: (k: number) => T): Buffer => {
      const out = make(n);
      for (let k = 0; k < n; k++) out[k] = a[this.slot(k)];
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    };
    return {
      count: n,
      wallSec: unwrap(this.wallSec, (k) => new Uint32Array(k)),
      dt: unwrap(this.dt, (k) => new Float32Array(k)),
      cpu: unwrap(this.cpu, (k) => new Float32Array(k)),
      user: unwrap(this.user, (k) => new Float64Array(k)),
      sys: unwrap(this.sys, (k) => new Float64Array(k)),
      rssKb: unwrap(this.rssKb, (k) => new Uint32Array(k)),
      threads: unwrap(this.threads, (k) => new Uint32Array(k)),
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
