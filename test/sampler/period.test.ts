// The real Sampler on a fake monotonic clock: the gaps between samples equal
// the configured interval exactly, for intervals node-cron could not keep
// (45 s gave 15/45 s gaps, 7 s gave 7,7,7,4, 90 s gave 120 s), with slow
// samples (no drift, no overlap, missed slots skipped), and the history rings
// hold the whole window at that period.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sampler } from '../../src/sampler/sampler.js';
import { HistoryStore } from '../../src/sampler/store.js';
import type { Timers } from '../../src/sampler/period.js';
import type { ProcessSample, ProcessSource } from '../../src/sampler/source.js';
import { defaultConfig } from '../../src/config/schema.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { historyStoreFor } from '../../src/runtime.js';

/** A monotonic clock that moves only when told; timers fire in due order. */
class FakeClock implements Timers {
  private t = 1_000_000;
  private seq = 0;
  private readonly pending = new Map<number, { due: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { due: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Time passing inside a running job (a slow sample). */
  spend(ms: number): void {
    this.t += ms;
  }
  get armed(): number {
    return this.pending.size;
  }
  /** Runs every timer due up to `until`, letting each job finish (and re-arm) before the next. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (!next || e[1].due < next[1].due) next = e;
      if (!next || next[1].due > until) break;
      this.pending.delete(next[0]);
      this.t = Math.max(this.t, next[1].due);
      next[1].fn();
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    }
    this.t = Math.max(this.t, until);
  }
}

/** A source that records when it was asked and optionally takes time, reporting one busy process. */
class ClockedSource implements ProcessSource {
  readonly name = 'clocked';
  readonly at: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly workMs: (n: number) => number = () => 0,
  ) {}
  async sample(): Promise<ProcessSample> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const start = this.clock.now();
    this.at.push(start);
    await new Promise((r) => setImmediate(r));
    this.clock.spend(this.workMs(this.at.length));
    this.inFlight--;
    const mono = this.clock.now();
    return {
      wallMs: 1_700_000_000_000 + mono,
      monotonicMs: mono,
      // A miner busy at one full core the whole time.
      processes: [
        {
          pid: 4242,
          ppid: 1,
          startTime: 1_699_000_000,
          name: 'miner',
          path: '/tmp/miner',
          cmdline: 'miner',
          user: 'u',
          userTimeMs: mono,
          systemTimeMs: 0,
          residentBytes: 1 << 20,
          threads: 4,
        },
      ],
      sockets: [],
    };
  }
}

function gaps(at: readonly number[]): number[] {
  return at.slice(1).map((t, i) => t - at[i]);
}

async function runFor(intervalSeconds: number, totalMs: number, workMs?: (n: number) => number) {
  const clock = new FakeClock();
  const source = new ClockedSource(clock, workMs);
  const store = new HistoryStore({ intervalMs: intervalSeconds * 1000, windowMs: 3_600_000 });
  const sampler = new Sampler(source, store, { intervalSeconds, stateDir: null, timers: clock });
  const t0 = clock.now();
  await sampler.start();
  await clock.runUntil(t0 + totalMs);
  await sampler.stop();
  assert.is(clock.armed, 0, 'stop leaves no timer behind');
  return { source, store, t0 };
}

for (const seconds of [7, 45, 90, 1, 1.5, 3600]) {
  test(`interval ${seconds} s: every gap is exactly ${seconds} s`, async () => {
    const n = 12;
    const { source } = await runFor(seconds, seconds * 1000 * n + 1);
    assert.is(source.at.length, n + 1, 'first sample at start, then one per period');
    assert.equal(gaps(source.at), new Array(n).fill(seconds * 1000));
  });
}

test('slow samples do not drift the period: starts stay on the grid', async () => {
  // Each sample takes 3.3 s of a 7 s period.
  const { source, t0 } = await runFor(7, 7000 * 20 + 1, () => 3300);
  assert.is(source.at.length, 21);
  source.at.forEach((t, k) => assert.is(t - t0, 7000 * k, `sample ${k} starts at k x 7 s`));
});

test('a sample longer than the period: no overlap, missed slots skipped, the grid kept', async () => {
  // The 3rd sample takes 2.5 periods; the others are instant.
  const { source, t0 } = await runFor(10, 10_000 * 10 + 1, (n) => (n === 3 ? 25_000 : 0));
  assert.is(source.maxInFlight, 1, 'never two samples at once');
  const offsets = source.at.map((t) => t - t0);
  // Slots 0, 1, 2 run; slot 2 ends at 45 s, so slots 3 and 4 are skipped; then 5, 6, ...
  assert.equal(offsets, [0, 10_000, 20_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000]);
});

test('rings sized from the real period hold the whole window (60 min at 45 s)', async () => {
  const config = ConfigSchema.parse({ sampleIntervalSeconds: 45, historyWindowMinutes: 60 });
  const clock = new FakeClock();
  const source = new ClockedSource(clock);
  const store = historyStoreFor(config);
  const sampler = new Sampler(source, store, {
    intervalSeconds: config.sampleIntervalSeconds,
    stateDir: null,
    timers: clock,
  });
  await sampler.start();
  await clock.runUntil(clock.now() + 2 * 3_600_000);
  await sampler.stop();
  const e = [...store.tracked()][0];
  assert.ok(e?.history, 'the busy process has history');
  const h = e.history;
  const spanSec = h.wallAt(h.length - 1) - h.wallAt(0);
  assert.ok(spanSec >= 60 * 60 - 1, `history spans ${spanSec} s, want the 3600 s window`);
});

test('sampleIntervalSeconds: at least 1 s, kept exactly (no rounding), sub-second refused', () => {
  assert.is(defaultConfig().sampleIntervalSeconds, 10);
  assert.is(ConfigSchema.parse({ sampleIntervalSeconds: 1.5 }).sampleIntervalSeconds, 1.5);
  assert.is(ConfigSchema.safeParse({ sampleIntervalSeconds: 0.1 }).success, false);
  assert.is(ConfigSchema.safeParse({ sampleIntervalSeconds: 0.999 }).success, false);
  assert.is(historyStoreFor(ConfigSchema.parse({ sampleIntervalSeconds: 45 })).intervalMs, 45_000);
  const clock = new FakeClock();
  assert.throws(
    () => new Sampler(new ClockedSource(clock), new HistoryStore(), { intervalSeconds: 0.5, timers: clock }),
    /at least 1 s/,
  );
});

test.run();
