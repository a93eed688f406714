// What every benchmark shares: its number of rounds (fewer under --quick),
// timing, the median it is judged on, and its one verdict line:
//
//   BENCH <name>: PASS|FAIL <floor|peer|budget> <what it is compared with>: <figures>; answer: <check>
//
// floor:  a lower bound of the same work, measured in the same run;
// peer:   another tool doing the same job, measured in the same run;
// budget: an absolute number (there is no other side; the answer is checked for itself).
// A verdict passes only when the figures meet the target AND the answers agree.
import { performance } from 'node:perf_hooks';

/** Set by `npm run bench -- --quick` (run-benches.mjs passes it on as AN1489_BENCH_QUICK=1). */
export const QUICK = process.env['AN1489_BENCH_QUICK'] === '1' || process.argv.includes('--quick');

/** Rounds to run: `full` normally, `quick` under --quick (odd counts keep the median a real round). */
export function rounds(full: number, quick: number): number {
  return QUICK ? quick : full;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export type Against = 'floor' | 'peer' | 'budget';

export interface Verdict {
  /** floor, peer or budget. */
  readonly against: Against;
  /** What the comparison is: "sha256sum", "encode-only floor", "10 ms"... */
  readonly versus: string;
  /** The figures met the target (judged on medians). */
  readonly met: boolean;
  /** The figures and the target, e.g. "median 12 ms vs 40 ms = 0.30x (target <= 0.33x)". */
  readonly figures: string;
  /** Both sides computed the same answer (for a budget: the answer is the right one). */
  readonly sameAnswer: boolean;
  /** What was compared, e.g. "10,000 rows identical". */
  readonly answer: string;
}

/** Prints the benchmark's one BENCH line and sets the exit code; returns whether it passed. */
export function report(name: string, v: Verdict): boolean {
  const ok = v.met && v.sameAnswer;
  console.log(
    `BENCH ${name}: ${ok ? 'PASS' : 'FAIL'} ${v.against} ${v.versus}: ${v.figures}; answer ${v.sameAnswer ? 'agrees' : 'DIFFERS'}: ${v.answer}${QUICK ? ' [quick]' : ''}`,
  );
  process.exitCode = ok ? 0 : 1;
  return ok;
}

/** A benchmark that could not run at all still prints its FAIL line, once. */
export function reportCrash(name: string, err: unknown): void {
  console.log(`BENCH ${name}: FAIL did not complete: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

/**
 * Runs a benchmark's main, turning a throw into its FAIL line, then exits
 * (child processes and servers it left behind must not keep it alive).
 */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(),
    (err: unknown) => {
      reportCrash(name, err);
      process.exit(1);
    },
  );
}

/** "1.23x" */
export function x(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}
