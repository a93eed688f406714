// A fixed period on the monotonic clock: runs a job at origin + k x period,
// whatever the period (node-cron fires on calendar boundaries, so 45 s gave
// gaps of 15 and 45 s and 90 s gave 120 s). A run is never overlapped: slots
// that pass while a run is still going are skipped, not queued, so the next
// run starts on the period's grid again. Timers are injectable for tests.
import { monotonicMs } from './clock.js';

export interface Timers {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: monotonicMs,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Periodic {
  private origin = 0;
  private slot = 0;
  private handle: unknown = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    readonly periodMs: number,
    private readonly job: () => Promise<void>,
    private readonly timers: Timers = realTimers,
  ) {
    if (!Number.isFinite(periodMs) || periodMs <= 0)
      throw new RangeError(`period must be a positive number of milliseconds, got ${periodMs}`);
  }

  /** Starts the grid now (slot 0 is the caller's: the first timed run is one period from now). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.origin = this.timers.now();
    this.slot = 0;
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    // The next slot after the last one run, skipping any that already passed (a slow run).
    this.slot = Math.max(this.slot + 1, Math.ceil((now - this.origin) / this.periodMs));
    const due = this.origin + this.slot * this.periodMs;
    this.handle = this.timers.setTimeout(() => this.fire(), Math.max(0, due - now));
  }

  private fire(): void {
    this.handle = null;
    if (this.stopped) return;
    this.running = this.job()
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
        this.arm();
      });
  }

  /** Stops the grid and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    if (this.running !== null) await this.running;
  }
}
