// The miner-string scan of a cold check runs on a worker thread, fed chunk by
// chunk while the main thread reads, hashes and verifies the same file: on a
// multi-core host the scan (the costliest step, ~2-3 ns a byte for V8's
// matcher) then overlaps everything else instead of adding to it.
//
// The worker's code is a string (eval), so the single-executable bundle needs
// no second file; its scanning step is scanChunk's own source text, so the
// worker and the in-thread scanner cannot drift apart. Anything wrong with
// the worker (it fails to start, dies, errors) only costs speed: the caller
// scans in-thread instead.
import { Worker } from 'node:worker_threads';
import { MinerStringScanner, scanChunk } from '../intel/miner.js';

/** The worker failed during a job: its chunks are gone, so the file must be scanned again in-thread. */
export class ScanLost extends Error {
  override readonly name = 'ScanLost';
  constructor() {
    super('miner scan worker failed during the job');
  }
}

export interface ScanJob {
  /**
   * Hands a chunk over (copied: the caller may reuse its buffer). Returns a
   * promise when the worker is behind: awaiting it bounds the queued bytes.
   */
  feed(chunk: Buffer): Promise<void> | void;
  /** The strings found, sorted; rejects when the worker failed (the chunks are gone: scan again in-thread). */
  finish(): Promise<string[]>;
}

const workerSource = (): string => `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const scanChunk = ${scanChunk.toString()};
const pattern = new RegExp(workerData.source, workerData.flags);
const jobs = new Map();
parentPort.on('message', (m) => {
  let st = jobs.get(m.id);
  if (st === undefined) { st = { tail: Buffer.alloc(0), found: new Set() }; jobs.set(m.id, st); }
  if (m.chunk) {
    const whole = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
    // Pieces small enough that their latin1 strings die young: the worker's heap stays small.
    for (let off = 0; off < whole.length; off += workerData.piece) scanChunk(st, whole.subarray(off, off + workerData.piece), pattern, workerData.overlap);
    parentPort.postMessage({ id: m.id, ack: m.chunk.byteLength, buffer: m.chunk.buffer }, [m.chunk.buffer]);
  }
  if (m.end) { jobs.delete(m.id); parentPort.postMessage({ id: m.id, found: [...st.found] }); }
});`;

interface Pending {
  readonly resolve: (found: string[]) => void;
  readonly reject: (err: Error) => void;
}

/** Bytes handed to the worker and not yet scanned, before feed() asks the reader to wait. */
const MAX_IN_FLIGHT = 4 * 1024 * 1024;
/** Transfer buffers come back with each acknowledgement and are reused: no garbage per chunk. */
const TRANSFER_BYTES = 1024 * 1024;
const MAX_POOLED = 8;
/** Bytes the worker scans at a time (each becomes one latin1 string). */
const SCAN_PIECE = 64 * 1024;

class ScanWorker {
  private worker: Worker | null = null;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private readonly pool: ArrayBuffer[] = [];
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly template = new MinerStringScanner();

  start(): ScanJob {
    const worker = this.ensure();
    if (worker === null) return inThreadJob();
    const id = this.nextId++;
    let failed = false;
    return {
      feed: (chunk) => {
        if (failed || chunk.length === 0) return;
        const bytes = chunk.length;
        const backing = bytes <= TRANSFER_BYTES ? (this.pool.pop() ?? new ArrayBuffer(TRANSFER_BYTES)) : new ArrayBuffer(bytes);
        const copy = new Uint8Array(backing, 0, bytes);
        copy.set(chunk);
        try {
          worker.postMessage({ id, chunk: copy }, [backing]);
        } catch {
          failed = true;
          return;
        }
        this.inFlight += bytes;
        worker.ref(); // an awaited acknowledgement must keep the process alive
        if (this.inFlight <= MAX_IN_FLIGHT) return;
        return new Promise<void>((resolve) => this.waiters.push(resolve));
      },
      finish: async () => {
        if (failed || this.broken) throw new ScanLost();
        const found = await new Promise<string[]>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          worker.ref(); // an awaited reply must keep the process alive
          worker.postMessage({ id, end: true });
        });
        return found.sort();
      },
    };
  }

  private release(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const wake of ws) wake();
  }

  private ensure(): Worker | null {
    if (this.broken) return null;
    if (this.worker) return this.worker;
    try {
      const w = new Worker(workerSource(), {
        eval: true,
        workerData: { source: this.template.pattern.source, flags: this.template.pattern.flags, overlap: this.template.overlap, piece: SCAN_PIECE },
        // A small young generation: the scan's garbage is short-lived strings.
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      });
      w.unref();
      w.on('message', (m: { id: number; found?: string[]; ack?: number; buffer?: ArrayBuffer }) => {
        if (m.ack !== undefined) {
          this.inFlight -= m.ack;
          if (m.buffer?.byteLength === TRANSFER_BYTES && this.pool.length < MAX_POOLED) this.pool.push(m.buffer);
          if (this.inFlight <= MAX_IN_FLIGHT / 2) this.release();
        } else {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          p?.resolve(m.found ?? []);
        }
        if (this.pending.size === 0 && this.inFlight <= 0) w.unref();
      });
      const fail = (err: Error) => {
        this.broken = true;
        this.worker = null;
        this.release();
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`miner scan worker exited (${code})`)));
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }
}

export function inThreadJob(): ScanJob {
  const scanner = new MinerStringScanner();
  return { feed: (chunk) => scanner.feed(chunk), finish: async () => scanner.results() };
}

let shared: ScanWorker | null = null;
/** One worker per process, started on first use and idle (unref'd) between checks. */
export function startMinerScan(): ScanJob {
  shared ??= new ScanWorker();
  return shared.start();
}
