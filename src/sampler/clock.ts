// The sampler's clocks. Deltas use the monotonic clock (immune to wall-clock
// jumps; on Linux and Windows it is system-wide, so a restarted extension can
// continue a delta from a saved reading); timestamps use the wall clock.

/** Monotonic milliseconds (CLOCK_MONOTONIC / QueryPerformanceCounter). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}
