// Memory held by the history store at 2,000 processes x 360 samples (one
// hour at 10 s): heap + external growth measured after full GCs, over a few
// stores built one after another (each dropped before the next).
// Budget: median growth <= 40 MB. Answer: every process tracked with its
// full 360 samples; what the store itself reports (memoryBytes()) is printed.
import { buildStore, PROCESSES, SAMPLES } from './sampler-fixture.js';
import { median, report, reportCrash, rounds } from './bench.js';

const BUDGET_MB = 40;
const ROUNDS = rounds(3, 1);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  reportCrash('sampler-memory', new Error('run with --expose-gc (the bench runner passes it)'));
  process.exit(1);
}
const used = () => {
  gc!();
  gc!();
  const m = process.memoryUsage();
  // arrayBuffers (the typed arrays) is already counted inside external.
  return m.heapUsed + m.external;
};
const growth: number[] = [];
let tracked = 0;
let samples = 0;
let reportedMb = 0;
for (let i = 0; i < ROUNDS; i++) {
  const before = used();
  let store: ReturnType<typeof buildStore> | null = buildStore();
  growth.push((used() - before) / 2 ** 20);
  tracked = store.trackedSize;
  samples = [...store.tracked()][0]?.history?.length ?? 0;
  reportedMb = store.memoryBytes() / 2 ** 20;
  store = null; // dropped before the next round's baseline
}
const m = median(growth);
console.log(`processes tracked: ${tracked} (of ${PROCESSES}), samples each: ${samples} (at least ${SAMPLES})`);
console.log(
  `heap+external growth per round: ${growth.map((g) => g.toFixed(1)).join(', ')} MB; store reports ${reportedMb.toFixed(1)} MB`,
);
report('sampler-memory', {
  against: 'budget',
  versus: `${BUDGET_MB} MB`,
  met: m <= BUDGET_MB,
  figures: `median ${m.toFixed(1)} MB for ${PROCESSES} x ${SAMPLES} over ${ROUNDS} round(s) (= ${(m / BUDGET_MB).toFixed(2)} of the budget)`,
  sameAnswer: tracked === PROCESSES && samples >= SAMPLES,
  answer: `${tracked} processes tracked, ${samples} samples each (an hour at 10 s, both ends)`,
});
