// Runs every compiled test file (build/test/**/*.test.js) in its own Node
// process, two at a time, and sums uvu's per-file summaries into one closing
// line: "N passed, N failed". A file counts by the LAST "Total/Passed/Skipped"
// block it prints (a test may print such text of its own before uvu's). It
// fails when it crashes, hangs, exits non-zero, prints no summary, runs zero
// tests, or skips a test without a "SKIP <test>: <reason>" line; every skip
// reason is shown. So a broken or empty file can never read as a pass.
//
// Each file gets AN1489_TEST_FILE_TIMEOUT_MS (240 s); a file whose first
// lines hold "// run-tests: timeout-seconds=N" gets N (at most 1800) instead.
//
//   node scripts/run-tests.mjs [--root DIR] [substring ...]
//     --root DIR   run DIR/**/*.test.js instead of build/test (the runner's own test)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const rootAt = argv.indexOf('--root');
const testRoot = rootAt >= 0 ? resolvePath(argv[rootAt + 1] ?? '') : join(root, 'build', 'test');
const filters = rootAt >= 0 ? argv.filter((_, i) => i !== rootAt && i !== rootAt + 1) : argv;
const FILE_TIMEOUT_MS = Number(process.env.AN1489_TEST_FILE_TIMEOUT_MS ?? 240_000);
const jobs = Math.max(1, Math.min(2, availableParallelism()));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
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
const skipLines = [];
const started = Date.now();

/** The file's own "// run-tests: timeout-seconds=N" from its first lines, else the default. */
function fileTimeoutMs(file) {
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  const m = /^\/\/ run-tests: timeout-seconds=(\d+)\b/m.exec(head);
  return m ? Math.min(Number(m[1]), 1800) * 1000 : FILE_TIMEOUT_MS;
}

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
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const budget = fileTimeoutMs(file);
    const timer = setTimeout(() => {
      out += `\n[runner] timed out after ${budget} ms\n`;
      child.kill('SIGKILL');
    }, budget);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const v = judge(out, code);
      passed += v.passed;
      failed += v.failed;
      skipped += v.skipped;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const status = v.failed > 0 ? 'FAIL' : 'ok  ';
      console.log(
        `${status} ${name}  (${v.passed} passed, ${v.failed} failed, ${v.skipped} skipped, ${secs}s${signal ? `, ${signal}` : ''})`,
      );
      for (const why of v.problems) console.log(`     ${why}`);
      for (const reason of v.skipReasons) {
        console.log(`     ${reason}`);
        skipLines.push(`${name}: ${reason}`);
      }
      if (v.failed > 0 || process.env.AN1489_TEST_VERBOSE) console.log(out.replace(/^/gm, '    | '));
      resolve();
    });
  });
}

/**
 * One file's counts from its output and exit code. uvu prints one summary
 * block per process at its end; anything before it is the tests' own text.
 */
function judge(out, code) {
  const blocks = [...out.matchAll(/^\s*Total:\s+(\d+)\s*\n\s*Passed:\s+(\d+)\s*\n\s*Skipped:\s+(\d+)\s*$/gm)];
  const skipReasons = [...out.matchAll(/^SKIP (.+)$/gm)].map((m) => `SKIP ${m[1].trim()}`);
  const problems = [];
  const last = blocks.at(-1);
  if (!last) {
    problems.push(code === 0 ? 'printed no test summary' : `exited with code ${code} before its test summary`);
    return { passed: 0, failed: 1, skipped: 0, skipReasons, problems };
  }
  const total = Number(last[1]);
  const ok = Number(last[2]);
  const skip = Number(last[3]);
  let failed = total - ok; // uvu's Total already leaves skipped tests out
  if (total === 0 && skip === 0) problems.push('ran zero tests');
  if (skip > skipReasons.length)
    problems.push(`skipped ${skip} test(s) but printed ${skipReasons.length} "SKIP <test>: <reason>" line(s)`);
  if (code !== 0 && failed === 0) problems.push(`exited with code ${code} after its tests`);
  if (problems.length > 0 && failed === 0) failed = 1;
  return { passed: ok, failed, skipped: skip, skipReasons, problems };
}

const queue = [...files];
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (queue.length > 0) await runFile(queue.shift());
  }),
);
if (files.length === 0) {
  failed += 1;
  console.log(
    `no test files under ${relative(root, testRoot) || '.'}${filters.length ? ` matching ${filters.join(' ')}` : ''}: build first (npm run build)`,
  );
}
console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)}s`);
if (skipLines.length > 0) console.log(`skipped:\n${skipLines.map((l) => `  ${l}`).join('\n')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
