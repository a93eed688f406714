// Runs every compiled test file (build/test/**/*.test.js) in its own Node
// process, two at a time, and sums uvu's per-file summaries into one closing
// line: "N passed, N failed". A file that crashes, hangs or prints no summary
// counts as one failure, so a broken file can never read as a pass.
//
//   node scripts/run-tests.mjs [substring ...]   run only matching files
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'build', 'test');
const filters = process.argv.slice(2);
const FILE_TIMEOUT_MS = Number(process.env.AN1489_TEST_FILE_TIMEOUT_MS ?? 240_000);
const jobs = Math.max(1, Math.min(2, availableParallelism()));

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = walk(testRoot).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
let passed = 0;
let failed = 0;
let skipped = 0;
const started = Date.now();

function runFile(file) {
  return new Promise((resolve) => {
    const name = relative(root, file);
    const t0 = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { out += `\n[runner] timed out after ${FILE_TIMEOUT_MS} ms\n`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      const skip = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
      let p = 0;
      let f = 0;
      if (Number.isFinite(total) && Number.isFinite(ok)) {
        p = ok;
        f = total - ok; // uvu's Total already leaves skipped tests out
        if (code !== 0 && f === 0) f = 1; // exited badly after its tests
      } else {
        f = 1;
      }
      passed += p;
      failed += f;
      skipped += skip;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const status = f > 0 ? 'FAIL' : 'ok  ';
      console.log(`${status} ${name}  (${p} passed, ${f} failed, ${skip} skipped, ${secs}s${signal ? `, ${signal}` : ''})`);
      if (f > 0 || process.env.AN1489_TEST_VERBOSE) console.log(out.replace(/^/gm, '    | '));
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: jobs }, async () => {
  while (queue.length > 0) await runFile(queue.shift());
}));
console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
