// `an1489 hunt` as a child process against a real burner holding a loopback
// connection: the burner is reported as sustained with its connection; bad
// options are one-line errors with exit status 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

const execFileP = promisify(execFile);
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

const Finding = z
  .object({
    finding: z.string(),
    pid: z.number(),
    sustained: z.number().optional(),
    persistent_connections: z.array(z.record(z.string(), z.unknown())).optional(),
    remote_port: z.number().optional(),
    process_sustained: z.number().optional(),
  })
  .passthrough();

test('hunt --json reports the burner as sustained, with its persistent connection', async () => {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const burner = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').connect(${port}, '127.0.0.1', () => { const end = Date.now() + 30000; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); })`,
    ],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 300));
    const { stdout, stderr } = await execFileP(
      process.execPath,
      [
        MAIN,
        'hunt',
        '--duration',
        '6',
        '--min-duration',
        '3',
        '--min-cpu-percent',
        '10',
        '--persistent-seconds',
        '2',
        '--json',
      ],
      { timeout: 30_000 },
    );
    assert.is(stderr, '', 'no progress bar when stderr is not a terminal');
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => Finding.parse(JSON.parse(l)));
    const mine = findings.find((f) => f.finding === 'sustained_process' && f.pid === burner.pid);
    assert.ok(mine, stdout);
    assert.is(mine.sustained, 1);
    assert.ok(
      mine.persistent_connections?.some((c) => c.remote_port === port && c.external === 0),
      JSON.stringify(mine.persistent_connections),
    );
    assert.ok(
      findings.some(
        (f) =>
          f.finding === 'persistent_connection' &&
          f.pid === burner.pid &&
          f.remote_port === port &&
          f.process_sustained === 1,
      ),
    );
  } finally {
    burner.kill('SIGKILL');
    for (const s of accepted) s.destroy();
    server.close();
  }
});

test('hunt: bad options are one-line errors, exit 2', async () => {
  for (const args of [
    ['--duration', 'abc'],
    ['--sample-interval', '0.5'],
    ['--min-cpu-percent', '-1'],
    ['--bogus'],
    ['extra'],
  ]) {
    const r = await execFileP(process.execPath, [MAIN, 'hunt', ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^an1489: hunt: .+\n$/);
  }
});

test.run();
