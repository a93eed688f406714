// The an1489 executable as a real child process: exit codes, one-line errors,
// JSON and table output, and the shell driven through piped stdin.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../support/cli.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'an1489-cli-'));
const home = join(work, 'home');
const snaps = join(work, 'snaps');
const badSnaps = join(work, 'bad');

type Run = CliRun;

function an1489(args: string[], stdin?: string, nodeArgs: string[] = []): Promise<Run> {
  return runCli(args, { env: { ...process.env, HOME: home, USERPROFILE: home, AN1489_LOG: 'error' }, stdin, nodeArgs });
}

function assertOneLineError(r: Run, message: RegExp): void {
  assert.is(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.is(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.is(lines.length, 1, `exactly one error line, got: ${r.stderr}`);
  assert.match(lines[0], message);
}

test.before(() => {
  for (const d of [home, snaps, badSnaps]) mkdirSync(d);
  writeFileSync(
    join(snaps, 'processes.json'),
    JSON.stringify([
      { pid: '10', name: 'xmrig.exe', parent: '4', path: 'C:\\Users\\bob\\xmrig.exe' },
      { pid: '4', name: 'System', parent: '0', path: '' },
    ]),
  );
  writeFileSync(
    join(snaps, 'process_open_sockets.json'),
    JSON.stringify([{ pid: '10', remote_address: '203.0.113.9', remote_port: '3333' }]),
  );
  writeFileSync(join(badSnaps, 'processes.json'), '[{"pid": 10}]');
});

test('query --json prints osquery-style rows; a snapshot table joins another', async () => {
  const r = await an1489([
    'query',
    '--snapshot',
    snaps,
    '--json',
    'SELECT p.name, s.remote_port, p.parent, NULL AS missing FROM processes p JOIN process_open_sockets s USING (pid)',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.equal(JSON.parse(r.stdout), [{ name: 'xmrig.exe', remote_port: '3333', parent: '4', missing: null }]);
});

test('query prints an aligned table', async () => {
  const r = await an1489(['query', '--snapshot', snaps, 'SELECT pid, name FROM processes ORDER BY pid']);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    [
      '+-----+-----------+',
      '| pid | name      |',
      '+-----+-----------+',
      '| 4   | System    |',
      '| 10  | xmrig.exe |',
      '+-----+-----------+',
      '',
    ].join('\n'),
  );
});

test('bad statement: exit 2 and one error line', async () => {
  assertOneLineError(await an1489(['query', 'SELEC * FROM processes']), /^an1489: near "SELEC": syntax error$/);
});

test('unknown table: exit 2 and one error line', async () => {
  assertOneLineError(await an1489(['query', 'SELECT * FROM no_such_table']), /no such table: no_such_table/);
});

test('missing snapshot directory and malformed snapshot file: exit 2, one line naming it', async () => {
  assertOneLineError(
    await an1489(['query', '--snapshot', join(work, 'absent'), 'SELECT 1']),
    /snapshot directory .*absent: does not exist/,
  );
  assertOneLineError(
    await an1489(['query', '--snapshot', badSnaps, 'SELECT 1']),
    /bad\/processes\.json: row 0, column "pid": expected a string/,
  );
});

test('usage errors and help', async () => {
  assertOneLineError(await an1489(['frobnicate']), /unknown command "frobnicate"/);
  assertOneLineError(await an1489(['--frob']), /unknown option "--frob"/);
  assertOneLineError(await an1489(['query', '--nope', 'SELECT 1']), /query: Unknown option '--nope'/);
  assertOneLineError(await an1489(['query']), /expected exactly one SQL statement/);
  for (const args of [['--help'], ['query', '--help'], ['shell', '--help'], ['help', 'query']]) {
    const r = await an1489(args);
    assert.is(r.code, 0);
    assert.match(r.stdout, /^Usage: an1489/);
  }
});

test('no arguments runs the default query of our tables', async () => {
  const r = await an1489([]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.length > 0);
});

test('shell over piped stdin: .tables, .schema, a query, errors, .quit, private history', async () => {
  const input = [
    '.tables',
    '.schema processes',
    'SELECT name',
    '  FROM processes WHERE pid = 10;',
    'SELECT * FROM nowhere;',
    '.nope',
    '.quit',
    'SELECT 99;',
    '',
  ].join('\n');
  const r = await an1489(['shell', '--snapshot', snaps], input);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /=> processes \(snapshot\)/);
  assert.match(r.stdout, /=> process_open_sockets \(snapshot\)/);
  assert.match(r.stdout, /CREATE TABLE processes\(`pid` BIGINT, `name` TEXT, `parent` BIGINT, `path` TEXT\);/);
  assert.match(r.stdout, /\| name {6}\|\n\+-+\+\n\| xmrig\.exe \|/);
  assert.not.match(r.stdout, /99/, 'nothing runs after .quit');
  assert.match(r.stderr, /Error: no such table: nowhere/);
  assert.match(r.stderr, /unknown command \.nope/);
  const hist = join(home, '.an1489_history');
  assert.is(statSync(hist).mode & 0o777, 0o600);
  assert.match(readFileSync(hist, 'utf8'), /SELECT name FROM processes WHERE pid = 10;/);
});

test('shell history stays bounded at 1000 entries, newest last', async () => {
  const hist = join(home, '.an1489_history');
  writeFileSync(hist, Array.from({ length: 1000 }, (_, i) => `SELECT ${i};`).join('\n') + '\n', { mode: 0o644 });
  const r = await an1489(['shell'], 'SELECT 1000;\n');
  assert.is(r.code, 0, r.stderr);
  const lines = readFileSync(hist, 'utf8').trim().split('\n');
  assert.is(lines.length, 1000);
  assert.is(lines[0], 'SELECT 1;');
  assert.is(lines[999], 'SELECT 1000;');
  assert.is(statSync(hist).mode & 0o777, 0o600, 'an existing file is tightened to 0600');
});

test('a large result prints, and a reader that stops early (| head) is not an error', async () => {
  const sql =
    'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 150000) SELECT x, x * 2 AS y FROM c';
  const full = await an1489(['query', sql]);
  assert.is(full.code, 0, full.stderr);
  assert.is(full.stdout.split('\n').length, 150000 + 5);
  const early = await new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'query', sql], {
      env: { ...process.env, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
  assert.is(early.code, 0, early.stderr);
  assert.is(early.stderr, '');
});

test('osquery extension flags hand off to the extension entry point without loading SQLite', async () => {
  // Reports at exit whether better-sqlite3 (a native module, CLI-only) was loaded.
  const hook = join(work, 'sqlite-probe.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => { const loaded = Object.keys(require('module')._cache).some((k) => k.includes('better-sqlite3')); process.stderr.write('SQLITE_LOADED=' + loaded + '\\n'); });`,
  );
  const socket = join(work, 'no-such-osquery.em');
  const r = await an1489(['--socket', socket, '--timeout', '1', '--interval', '1'], '', ['-r', hook]);
  assert.is.not(r.code, 0, 'no osqueryd to talk to');
  assert.is(r.stdout, '');
  assert.match(r.stderr, /SQLITE_LOADED=false/);
  assert.not.match(r.stderr, /unknown option/);
  const q = await an1489(['query', 'SELECT 1'], '', ['-r', hook]);
  assert.match(q.stderr, /SQLITE_LOADED=true/, 'the probe does see SQLite when a query runs');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
