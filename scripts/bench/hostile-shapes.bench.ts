// What attacker-shaped inputs cost beside a plain one of the same size, for
// the two checks whose cost the adversarial tests used to time themselves
// (test/adversarial/siblings.test.ts, pe-resources.test.ts):
//   glob     a six-star baseline glob against 64 KB of a path that never
//            matches, against the one-star glob on the same value (floor).
//            A walk is pattern x value at worst; a backtracking regex would
//            be value^stars.
//   pe       a PE whose 4,094 resource leaves all point at one 64 KB
//            VERSIONINFO, against the same VERSIONINFO under one leaf (floor).
//            Parsing per leaf would be ~4,000x; walking the directory is a few x.
// Target: each <= 10x its floor (medians of interleaved rounds). Answer: both
// globs refuse the value; both PEs give the same version strings.
import { performance } from 'node:perf_hooks';
import { median, report, rounds, runBench, x } from './bench.js';
import { globMatches } from '../../src/intel/baseline.js';
import { parsePe } from '../../src/pe/pe.js';
import { hostileVersionPe, peWithVersionLeaves, versionInfo } from '../../test/support/hostile-pe.js';

const NAME = 'hostile-shapes';
const LIMIT = 10;
const ROUNDS = rounds(15, 5);

/** Medians of interleaved rounds of `hostile` and `floor` (each round times `reps` calls). */
function race(hostile: () => unknown, floor: () => unknown, reps: number): { hostile: number; floor: number } {
  const h: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    for (let k = 0; k < reps; k++) hostile();
    h.push((performance.now() - t) / reps);
    t = performance.now();
    for (let k = 0; k < reps; k++) floor();
    f.push((performance.now() - t) / reps);
  }
  return { hostile: median(h), floor: median(f) };
}

async function main(): Promise<void> {
  const value = 'a'.repeat(64 * 1024);
  const manyStars = '*a*a*a*a*a*b';
  const glob = race(
    () => globMatches(manyStars, value),
    () => globMatches('*b', value),
    3,
  );
  const globSame = globMatches(manyStars, value) === false && globMatches('*b', value) === false;

  const hostilePe = hostileVersionPe();
  const singlePe = peWithVersionLeaves(versionInfo(30, 1000, { OriginalFilename: 'hostile.exe' }), 1);
  const pe = race(
    () => parsePe(hostilePe),
    () => parsePe(singlePe),
    3,
  );
  const a = parsePe(hostilePe).versionInfo;
  const b = parsePe(singlePe).versionInfo;
  const peSame = a.length === 1 && b.length === 1 && JSON.stringify(a[0]!.strings) === JSON.stringify(b[0]!.strings);

  const gr = glob.hostile / glob.floor;
  const pr = pe.hostile / pe.floor;
  console.log(`glob: ${manyStars} ${glob.hostile.toFixed(2)} ms, *b ${glob.floor.toFixed(2)} ms on 64 KB: ${x(gr)}`);
  console.log(`pe: 4,094 shared leaves ${pe.hostile.toFixed(2)} ms, one leaf ${pe.floor.toFixed(2)} ms: ${x(pr)}`);
  report(NAME, {
    against: 'floor',
    versus: 'the plain input of the same size (a one-star glob; the VERSIONINFO under one leaf)',
    met: gr <= LIMIT && pr <= LIMIT,
    figures: `six-star glob ${x(gr)}, 4,094-leaf PE ${x(pr)} (target <= ${LIMIT}x each), medians of ${ROUNDS} rounds`,
    sameAnswer: globSame && peSame,
    answer: `both globs refuse the value: ${globSame}; both PEs give the same ${Object.keys(b[0]?.strings ?? {}).length} version strings: ${peSame}`,
  });
}

runBench(NAME, main);
