// The test runner (scripts/run-tests.mjs) judged on real child test files:
// each scenario is a file it runs in its own process, exactly as `npm test` does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNNER = join(ROOT, 'scripts', 'run-tests.mjs');
const UVU = pathToFileURL(join(ROOT, 'node_modules', 'uvu', 'dist', 'index.mjs')).href;
const TOOLS = pathToFileURL(join(ROOT, 'build', 'test', 'support', 'tools.js')).href;

function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNNER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** One line of the runner's report for a file: its status and counts. */
function lineFor(out: string, file: string): string {
  const line = out.split('\n').find((l) => l.includes(`${file}.test.js`));
  assert.ok(line, `the runner reports ${file}:\n${out}`);
  return line!;
}

function childFiles(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync('/tmp/an1489-runner-');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, `${name}.test.js`), `import { test } from ${JSON.stringify(UVU)};\n${body}\n`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const FAKE_SUMMARY = (total: number, passed: number) =>
  `console.log('\\n  Total:     ${total}\\n  Passed:    ${passed}\\n  Skipped:   0\\n  Duration:  1.00ms\\n');`;

test('each file is judged by its last summary; zero tests, silent skips and crashes fail', async () => {
  const { dir, cleanup } = childFiles({
    pass: `test('a', () => {}); test('b', () => {}); test.run();`,
    zero: `test.run();`,
    // Prints a summary-looking block claiming 7 of 7 passed, then one test fails.
    'own-total-hides-failure': `test('prints text', () => { ${FAKE_SUMMARY(7, 7)} }); test('fails', () => { throw new Error('boom'); }); test.run();`,
    // Prints a block claiming a failure, while both real tests pass.
    'own-total-claims-failure': `test('prints text', () => { ${FAKE_SUMMARY(3, 1)} }); test('passes', () => {}); test.run();`,
    'skip-with-reason': `console.log('SKIP needs a tool: \`frob\` is not installed (apt-get install frob)'); test.skip('needs a tool', () => {}); test('other', () => {}); test.run();`,
    'skip-silent': `test.skip('quietly', () => {}); test('other', () => {}); test.run();`,
    crash: `throw new Error('broken at load');`,
    'exit-after': `test('a', () => {}); test.run(); process.on('beforeExit', () => process.exit(3));`,
    // Its own budget of 1 s (the runner reads it from the file's first lines); it never finishes.
    hang: `// run-tests: timeout-seconds=1\ntest('waits forever', () => new Promise(() => setInterval(() => {}, 1000))); test.run();`,
  });
  try {
    const { code, out } = await run(['--root', dir]);
    assert.is(code, 1, out);
    assert.match(lineFor(out, 'pass'), /^ok\s.*\(2 passed, 0 failed, 0 skipped/);
    assert.match(lineFor(out, 'zero'), /^FAIL\s.*\(0 passed, 1 failed/);
    assert.match(out, 'ran zero tests');
    assert.match(lineFor(out, 'own-total-hides-failure'), /^FAIL\s.*\(1 passed, 1 failed/);
    assert.match(lineFor(out, 'own-total-claims-failure'), /^ok\s.*\(2 passed, 0 failed/);
    assert.match(lineFor(out, 'skip-with-reason'), /^ok\s.*\(1 passed, 0 failed, 1 skipped/);
    assert.match(
      out,
      /skip-with-reason\.test\.js: SKIP needs a tool: `frob` is not installed \(apt-get install frob\)/,
      'the reason is repeated in the closing list',
    );
    assert.match(lineFor(out, 'skip-silent'), /^FAIL\s.*\(1 passed, 1 failed, 1 skipped/);
    assert.match(out, 'skipped 1 test(s) but printed 0 "SKIP <test>: <reason>" line(s)');
    assert.match(lineFor(out, 'crash'), /^FAIL\s.*\(0 passed, 1 failed/);
    assert.match(out, 'exited with code 1 before its test summary');
    assert.match(lineFor(out, 'exit-after'), /^FAIL\s.*\(1 passed, 1 failed/);
    assert.match(out, 'exited with code 3 after its tests');
    assert.match(lineFor(out, 'hang'), /^FAIL\s.*\(0 passed, 1 failed.*SIGKILL\)/);
    assert.match(out, '[runner] timed out after 1000 ms');
    // pass 2 + hides 1 + claims 2 + skip-with-reason 1 + skip-silent 1 + exit-after 1 passed;
    // zero, hides-failure, skip-silent, crash, exit-after and hang one failure each.
    assert.match(out, /\n8 passed, 6 failed, 2 skipped\n/);
  } finally {
    cleanup();
  }
});

test('no test files at all is a failure, not an empty pass', async () => {
  const { dir, cleanup } = childFiles({});
  try {
    const { code, out } = await run(['--root', dir]);
    assert.is(code, 1, out);
    assert.match(out, /\n0 passed, 1 failed\n/);
  } finally {
    cleanup();
  }
});

test('a test needing a missing tool: skipped with its reason here, a failure naming what to install under CI=true', async () => {
  const { dir, cleanup } = childFiles({
    'needs-tool': `import { testNeeding } from ${JSON.stringify(TOOLS)};
testNeeding(test, [{ command: 'an1489-no-such-tool', versionArgs: ['--version'], install: 'apt-get install an1489-no-such-tool' }], 'compares with the tool', () => {});
test('runs anyway', () => {});
test.run();`,
  });
  try {
    const local = await run(['--root', dir], { CI: undefined });
    assert.is(local.code, 0, local.out);
    assert.match(lineFor(local.out, 'needs-tool'), /^ok\s.*\(1 passed, 0 failed, 1 skipped/);
    assert.match(
      local.out,
      'SKIP compares with the tool: `an1489-no-such-tool` is not installed (apt-get install an1489-no-such-tool)',
    );
    const ci = await run(['--root', dir], { CI: 'true' });
    assert.is(ci.code, 1, ci.out);
    assert.match(lineFor(ci.out, 'needs-tool'), /^FAIL\s.*\(1 passed, 1 failed/);
    assert.match(
      ci.out,
      'CI requires this test: `an1489-no-such-tool` is not installed (apt-get install an1489-no-such-tool)',
    );
  } finally {
    cleanup();
  }
});

test('CI=true with osslsigncode off PATH: the PE fixture test fails and says to install it', async () => {
  // A PATH holding only node: osslsigncode (and everything else) is not found.
  const bin = mkdtempSync('/tmp/an1489-runner-path-');
  mkdirSync(join(bin, 'bin'));
  symlinkSync(process.execPath, join(bin, 'bin', 'node'));
  try {
    const ci = await run(['pe/fixtures'], { CI: 'true', PATH: join(bin, 'bin') });
    assert.is(ci.code, 1, ci.out);
    assert.match(lineFor(ci.out, 'fixtures'), /^FAIL\s/);
    assert.match(ci.out, 'CI requires this test: `osslsigncode` is not installed (apt-get install osslsigncode)');
    const local = await run(['pe/fixtures'], { CI: '', PATH: join(bin, 'bin') });
    assert.is(local.code, 0, local.out);
    assert.match(
      local.out,
      /fixtures\.test\.js: SKIP our digest and trust verdicts agree with osslsigncode verify on every fixture: `osslsigncode` is not installed/,
    );
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test('the benchmark runner counts each benchmark once: a FAIL line with a non-zero exit is one failure', async () => {
  const dir = mkdtempSync('/tmp/an1489-benches-');
  const bench = (name: string, body: string) => writeFileSync(join(dir, `${name}.bench.js`), body);
  bench('passes', `console.log('BENCH passes: PASS budget 1 ms: 0.5 ms; answer agrees: ok');`);
  bench('fails', `console.log('BENCH fails: FAIL peer x: 2x; answer agrees: ok'); process.exitCode = 1;`);
  bench('crashes', `throw new Error('no verdict');`);
  bench('pass-then-exit', `console.log('BENCH pass-then-exit: PASS floor y: 1x; answer agrees: ok'); process.exit(2);`);
  bench(
    'quick',
    `console.log(process.env.AN1489_BENCH_QUICK === '1' ? 'BENCH quick: PASS budget q: quick; answer agrees: ok' : 'BENCH quick: FAIL not quick');`,
  );
  try {
    const out = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-benches.mjs'), '--quick', '--root', dir], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => resolve({ code, out: text }));
    });
    assert.is(out.code, 1, out.out);
    assert.match(out.out, /\n2 passed, 3 failed\n/);
    assert.match(out.out, /FAIL pass-then-exit\.bench\.js .*but exited 2/);
    assert.match(out.out, /FAIL crashes\.bench\.js .*no BENCH line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
