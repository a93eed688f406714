// Runs every compiled benchmark (build/scripts/bench/**/*.bench.js) one at a
// time, so that they do not compete for the two cores. Each benchmark prints
// its figures and ONE line "BENCH <name>: PASS|FAIL <floor|peer|budget> ...",
// judged on medians (scripts/bench/bench.ts; docs/benchmarks.md).
//
// A benchmark counts once: passed when it printed a PASS line and exited 0;
// failed otherwise (a FAIL line, a crash, a timeout, no BENCH line at all).
// The exit code is non-zero when any failed.
//
//   node scripts/run-benches.mjs [--quick] [--root DIR] [substring ...]
//     --quick     fewer rounds per benchmark, same targets and verdicts
//     --root DIR  run DIR/**/*.bench.js instead (the runner's own test)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const benchRoot = rootAt >= 0 ? resolvePath(args[rootAt + 1] ?? '') : join(root, 'build', 'scripts', 'bench');
const quick = args.includes('--quick');
const filters = args.filter((a, i) => a !== '--quick' && (rootAt < 0 || (i !== rootAt && i !== rootAt + 1)));
const TIMEOUT_MS = 15 * 60_000;

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.bench.js')) out.push(p);
  }
  return out;
}

/** One benchmark's verdict from its output and exit: exactly one of pass or fail. */
function judgeBench(stdout, status) {
  const lines = stdout.split('\n').filter((l) => l.startsWith('BENCH '));
  const failLine = lines.find((l) => /^BENCH [^:]+: FAIL\b/.test(l));
  const passLine = lines.find((l) => /^BENCH [^:]+: PASS\b/.test(l));
  if (failLine) return { ok: false, line: failLine };
  if (!passLine) return { ok: false, line: `(no BENCH line; exit ${status})` };
  if (status !== 0) return { ok: false, line: `${passLine}  -- but exited ${status}` };
  return { ok: true, line: passLine };
}

const files = walk(benchRoot).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const verdicts = [];
const started = Date.now();
for (const file of files) {
  console.log(`\n=== ${relative(root, file)}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...(quick ? { AN1489_BENCH_QUICK: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
    timeout: TIMEOUT_MS,
  });
  process.stdout.write(r.stdout ?? '');
  const status = r.error ? `${r.error.message}` : (r.status ?? r.signal);
  const v = judgeBench(r.stdout ?? '', status);
  verdicts.push({ name: relative(benchRoot, file), secs: (Date.now() - t0) / 1000, ...v });
}
const failed = verdicts.filter((v) => !v.ok).length;
console.log(
  `\n${files.length} benchmark files${quick ? ' (--quick)' : ''} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
for (const v of verdicts) console.log(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.name} (${v.secs.toFixed(0)} s): ${v.line}`);
console.log(`${verdicts.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
