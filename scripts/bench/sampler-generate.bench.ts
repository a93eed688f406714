// A full generate of process_cpu_sustained over 2,000 processes x 360
// samples (load figures, p95, streaks, lineage text for every row), median
// of several runs, against the 20 ms target.
import { buildStore } from './sampler-fixture.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { emptyContext, type Row } from '../../src/sdk/table.js';

const TARGET_MS = 20;
const RUNS = 15;
const store = buildStore();
const table = processCpuSustainedTable(store);
const times: number[] = [];
let rows = 0;
let sustained = 0;
let first = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const out = [...(table.generate(emptyContext()) as Iterable<Row>)];
  times.push(performance.now() - t0);
  if (i === 0) first = times[0];
  rows = out.length;
  sustained = out.filter((r) => r.sustained === 1).length;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
console.log(`rows: ${rows}, sustained: ${sustained}; generate ms: first (cold) ${first.toFixed(1)}, min ${times[0].toFixed(1)}, median ${median.toFixed(1)}, max ${times[RUNS - 1].toFixed(1)}`);
const ok = median <= TARGET_MS && rows === 2000;
console.log(`BENCH sampler-generate: ${ok ? 'PASS' : 'FAIL'} median ${median.toFixed(1)} ms for ${rows} rows (target ${TARGET_MS} ms, ratio ${(median / TARGET_MS).toFixed(2)})`);
process.exit(ok ? 0 : 1);
