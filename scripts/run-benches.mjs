// Runs every compiled benchmark (build/scripts/bench/**/*.bench.js) one at a
// time, so that they do not compete for the two cores. Each benchmark prints
// its figures and a ratio against a floor or a peer measured in the same run,
// and ends with a line "BENCH <name>: PASS|FAIL ...". The exit code is non-zero
// when any target is missed.
//
//   node scripts/run-benches.mjs [substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchRoot = join(root, 'build', 'scripts', 'bench');
const filters = process.argv.slice(2);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.bench.js')) out.push(p);
  }
  return out;
}

const files = walk(benchRoot).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
let pass = 0;
let fail = 0;
for (const file of files) {
  console.log(`\n=== ${relative(root, file)}`);
  const r = spawnSync(process.execPath, ['--expose-gc', file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  process.stdout.write(r.stdout ?? '');
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('BENCH '));
  const failed = lines.filter((l) => /: FAIL\b/.test(l)).length + (r.status === 0 ? 0 : 1);
  const passed = lines.filter((l) => /: PASS\b/.test(l)).length;
  pass += passed;
  fail += failed;
}
console.log(`\n${files.length} benchmark files`);
console.log(`${pass} passed, ${fail} failed`);
process.exitCode = fail > 0 ? 1 : 0;
