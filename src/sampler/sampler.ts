// Runs a process source every intervalSeconds, exactly, on the monotonic
// clock (src/sampler/period.ts), and feeds the store; saves the store to the
// state file now and then and on stop, and reloads it on start. Tables never
// trigger a sample: they read whatever the store holds.
import type { HistoryStore } from './store.js';
import { MIN_SAMPLE_INTERVAL_SECONDS } from '../config/schema.js';
import { Periodic, realTimers, type Timers } from './period.js';
import type { ProcessSample, ProcessSource } from './source.js';
import { readStateFile, restoreStore, snapshotStore, writeStateFile } from './state.js';

export type SamplerLog = (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;

export interface SamplerOptions {
  /** Seconds between samples, honoured exactly (at least MIN_SAMPLE_INTERVAL_SECONDS). Default 10. */
  readonly intervalSeconds?: number;
  /** Where the state file lives; null disables persistence. */
  readonly stateDir?: string | null;
  /** Seconds between state saves. Default 60. */
  readonly persistSeconds?: number;
  /** Read sockets every Nth tick (sockets change slowly; cmdline/fd scans are the costly part). Default 1. */
  readonly socketEveryTicks?: number;
  readonly log?: SamplerLog;
  /** The clock and timers (tests drive a fake one). */
  readonly timers?: Timers;
}

/** How long stop() waits for a running sample before giving up on it. */
const STOP_WAIT_MS = 5000;

export class Sampler {
  readonly periodMs: number;
  private readonly period: Periodic;
  private running: Promise<void> | null = null;
  private started = false;
  private lastSaveMono: number;
  private tickCount = 0;
  private restored = false;
  private failures = 0;
  private readonly log: SamplerLog;
  private readonly timers: Timers;

  constructor(
    readonly source: ProcessSource,
    readonly store: HistoryStore,
    private readonly options: SamplerOptions = {},
  ) {
    const seconds = options.intervalSeconds ?? 10;
    if (!Number.isFinite(seconds) || seconds < MIN_SAMPLE_INTERVAL_SECONDS) {
      throw new RangeError(`sample interval must be at least ${MIN_SAMPLE_INTERVAL_SECONDS} s, got ${seconds}`);
    }
    this.periodMs = seconds * 1000;
    this.timers = options.timers ?? realTimers;
    this.period = new Periodic(this.periodMs, () => this.tick(), this.timers);
    this.lastSaveMono = this.timers.now();
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Takes the first sample at once and starts the period from then. Saved history is
   * restored with the first sample that succeeds (a manager that is not
   * answering yet must not make the extension fail to start).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.period.start();
    await this.tick();
  }

  private async restore(sample: ProcessSample): Promise<void> {
    this.restored = true;
    const dir = this.options.stateDir ?? null;
    if (dir === null) return;
    const loaded = await readStateFile(dir);
    if (loaded.ok) {
      const n = restoreStore(this.store, loaded.data, sample.processes, sample.monotonicMs);
      this.log('info', `sampler: restored history of ${n} running process(es) from ${dir}`);
    } else if (!loaded.missing) {
      this.log('warn', `sampler: ignoring saved state: ${loaded.reason}; starting fresh`);
    }
  }

  /** One sample now. Errors are logged, never thrown: a bad tick must not stop the schedule. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        const sockets = this.tickCount++ % Math.max(1, this.options.socketEveryTicks ?? 1) === 0;
        const sample = await this.source.sample({
          needCmdline: (pid, start) => !this.store.hasCmdline(pid, start),
          sockets,
        });
        if (!this.restored) await this.restore(sample);
        this.store.ingest(sample);
        this.failures = 0;
        const every = (this.options.persistSeconds ?? 60) * 1000;
        if (this.options.stateDir != null && this.timers.now() - this.lastSaveMono >= every) await this.save();
      } catch (e) {
        // One line per failure run, not per tick, so a vanished manager does not flood the log.
        if (this.failures++ === 0)
          this.log('warn', `sampler: ${this.source.name} sample failed: ${(e as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Writes the state file now. */
  async save(): Promise<void> {
    const dir = this.options.stateDir;
    if (dir == null) return;
    this.lastSaveMono = this.timers.now();
    // The memory account goes to the log with every save, so an operator can
    // see what the history costs on a host without attaching a debugger.
    this.log(
      'debug',
      `sampler: ${this.store.size} processes known, ${this.store.trackedSize} with history, ~${(this.store.memoryBytes() / 2 ** 20).toFixed(1)} MB held`,
    );
    try {
      await writeStateFile(dir, snapshotStore(this.store, this.store.lastMonoMs));
    } catch (e) {
      this.log('warn', `sampler: cannot save state in ${dir}: ${(e as Error).message}`);
    }
  }

  /** Stops the period, waits for a running tick, saves state. */
  async stop(): Promise<void> {
    this.started = false;
    await this.period.stop();
    if (this.running !== null) {
      // A tick stuck in I/O (a hung file system) must not hold shutdown hostage.
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        this.running.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), STOP_WAIT_MS))),
      ]);
      clearTimeout(timer);
      if (!finished) {
        this.log('warn', `sampler: a sample is still running after ${STOP_WAIT_MS} ms; stopping without saving`);
        return;
      }
    }
    await this.save();
  }
}
