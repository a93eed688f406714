// Memory held by the history store at 2,000 processes x 360 samples (one
// hour at 10 s): heap + external growth measured after full GCs, against the
// 40 MB budget; also what the store itself reports (memoryBytes()).
import { buildStore, PROCESSES, SAMPLES } from './sampler-fixture.js';

const BUDGET_MB = 40;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.log('BENCH sampler-memory: FAIL run with --expose-gc (the bench runner passes it)');
  process.exit(1);
}
const used = () => {
  gc!();
  gc!();
  const m = process.memoryUsage();
  // arrayBuffers (the typed arrays) is already counted inside external.
  return m.heapUsed + m.external;
};
const before = used();
const store = buildStore();
const after = used();
const growthMb = (after - before) / 2 ** 20;
const reportedMb = store.memoryBytes() / 2 ** 20;
console.log(`processes tracked: ${store.trackedSize} (of ${PROCESSES}), samples each: ${[...store.tracked()][0]?.history?.length} (target ${SAMPLES})`);
console.log(`heap+external growth: ${growthMb.toFixed(1)} MB; store reports ${reportedMb.toFixed(1)} MB`);
console.log(`ratio to the ${BUDGET_MB} MB budget: ${(growthMb / BUDGET_MB).toFixed(2)}`);
const ok = growthMb <= BUDGET_MB && store.trackedSize === PROCESSES;
console.log(`BENCH sampler-memory: ${ok ? 'PASS' : 'FAIL'} ${growthMb.toFixed(1)} MB for ${PROCESSES} x ${SAMPLES} (budget ${BUDGET_MB} MB, ratio ${(growthMb / BUDGET_MB).toFixed(2)})`);
// Keep the store alive until after the measurement.
if (store.size < 0) console.log('unreachable');
process.exit(ok ? 0 : 1);
