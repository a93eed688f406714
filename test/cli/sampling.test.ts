// The CLI's history tables are live, as osqueryi's tables are: `an1489 shell`
// samples this machine in the background from the start, and
// `an1489 query --sample SECONDS` samples for that long first. Real child
// processes: the CLI, and a busy process whose history the tables must show.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, runCli } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'an1489-cli-sampling-'));
const env = {
  ...process.env,
  HOME: home,
  USERPROFILE: home,
  AN1489_LOG: 'error',
  AN1489_STATE_DIR: join(home, 'must-not-be-created'),
};
let busy: ChildProcess;

test.before(async () => {
  // Busy for at most two minutes, so it can never outlive a crashed test run.
  busy = spawn(
    process.execPath,
    ['-e', 'const end = Date.now() + 120000; process.stdout.write("go\\n"); while (Date.now() < end) {}'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve, reject) => {
    busy.stdout?.once('data', () => resolve());
    busy.once('error', reject);
  });
});

test.after(() => {
  busy.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

const query = (args: string[]) => runCli(['query', ...args], { env });

const historySql = () =>
  `SELECT count(*) AS n, max(cpu_percent) AS top FROM process_cpu_history WHERE pid = ${busy.pid}`;

test('query without --sample: no sampling, the history tables are empty (and fast)', async () => {
  const r = await query(['--json', historySql()]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [{ n: '0', top: null }]);
});

test('query --sample 3: the statement sees 3 s of the busy process at 1 s', async () => {
  const r = await query(['--sample', '3', '--json', historySql()]);
  assert.is(r.code, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as { n: string; top: string }[];
  // Samples at 0, 1, 2 and 3 s (rows as osqueryi prints them: strings).
  assert.ok(Number(row.n) >= 4, `4 samples, got ${row.n}`);
  // The machine is shared, so a busy loop gets what the scheduler gives it; it is measured and not idle.
  assert.ok(Number(row.top) > 5, `a busy loop shows CPU use, got ${row.top}%`);
});

test('query --sample-interval without --sample, and bad values, are usage errors', async () => {
  for (const [args, msg] of [
    [['--sample-interval', '2', 'SELECT 1'], /--sample-interval needs --sample/],
    [['--sample=-1', 'SELECT 1'], /--sample must be a number from 0 to 86400/],
    [['--sample', '1', '--sample-interval', '0.5', 'SELECT 1'], /--sample-interval must be a number from 1 to 3600/],
  ] as const) {
    const r = await query([...args]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, msg);
  }
});

test('shell samples in the background from the start: history grows while it is open', async () => {
  const shell = spawn(process.execPath, [CLI_MAIN, 'shell', '--sample-interval', '1'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  shell.stdout.on('data', (d) => (out += d));
  shell.stderr.on('data', (d) => (err += d));
  const closed = new Promise<number | null>((resolve) => shell.on('close', resolve));
  try {
    // Ask until three samples with CPU figures are there (readiness, not a sleep); a minute is the limit.
    const deadline = Date.now() + 60_000;
    let n = 0;
    let asked = 0;
    while (n < 3 && Date.now() < deadline) {
      const marker = `Q${++asked}=`;
      shell.stdin.write(`SELECT '${marker}' || count(cpu_percent) FROM process_cpu_history WHERE pid = ${busy.pid};\n`);
      while (!out.includes(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const m = new RegExp(`${marker}(\\d+)`).exec(out);
      n = m ? Number(m[1]) : 0;
      if (n < 3) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(n >= 3, `three samples with CPU figures within a minute; stderr: ${err}`);
    shell.stdin.write(
      `SELECT 'AVG=' || CAST(avg_cpu_percent AS INTEGER) FROM process_cpu_sustained WHERE pid = ${busy.pid};\n`,
    );
    const deadline2 = Date.now() + 30_000;
    while (!/AVG=\d+/.test(out) && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    const avg = Number(/AVG=(\d+)/.exec(out)?.[1]);
    assert.ok(avg > 5, `process_cpu_sustained sees the busy process (shared machine: any clear CPU use), avg ${avg}%`);
  } finally {
    shell.stdin.end();
  }
  assert.is(await closed, 0, err);
  assert.is(err, '');
});

test('CLI sessions never write the state file', async () => {
  const { existsSync } = await import('node:fs');
  assert.is(existsSync(join(home, 'must-not-be-created')), false);
});

test.run();
