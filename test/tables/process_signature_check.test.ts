// process_signature_check and file_signature_check over real files and real
// processes: hostile file names (quotes, semicolons, newlines, $(...),
// backticks, a Cyrillic look-alike) checked through the file table and through
// `an1489 check` run as a child process; one row per process from the procfs
// ProcessSource the sampler uses; limits (device files, FIFOs, size cap,
// missing files) and the identity-keyed cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processSignatureCheckTable } from '../../src/tables/process_signature_check.js';
import { fileSignatureCheckTable } from '../../src/tables/file_signature_check.js';
import { SignatureChecker, loadTrustBundle } from '../../src/signature/checker.js';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import type { Constraint, QueryContext, Row } from '../../src/sdk/table.js';
import { EmbeddedHost } from '../../src/host/host.js';
import type { SnapshotTable } from '../../src/host/snapshot.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', '..', 'test', 'fixtures', 'pe');
const MAIN = join(HERE, '..', '..', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'an1489-sig-'));

const HOSTILE = [
  `it's "quoted".exe`,
  'a;b;rm -rf x.exe',
  'new\nline.exe',
  '$(touch PWNED).exe',
  '`touch PWNED2`.exe',
  'ѕvchost.exe', // Cyrillic small dze, not Latin s
  '-rf --json.exe',
];

function readlinkOr(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

function where(paths: string[]): QueryContext {
  const c: Constraint[] = paths.map((p) => ({ op: '=', expr: p }));
  return { constraints: new Map([['file', c]]), colsUsed: null };
}

async function makeTable(maxFileBytes = 1 << 20) {
  const checker = new SignatureChecker({
    maxFileBytes,
    cacheBytes: 1 << 20,
    trust: await loadTrustBundle(join(FIXTURES, 'test-ca.pem')),
  });
  return processSignatureCheckTable({ checker, source: new ProcfsSource() });
}

/** Named files go through file_signature_check (process_signature_check is one row per process). */
async function makeFileTable(maxFileBytes = 1 << 20) {
  const checker = new SignatureChecker({
    maxFileBytes,
    cacheBytes: 1 << 20,
    trust: await loadTrustBundle(join(FIXTURES, 'test-ca.pem')),
  });
  return fileSignatureCheckTable({ checker });
}

test('hostile file names are plain data through the table', async () => {
  const paths = HOSTILE.map((n) => join(work, n));
  for (const p of paths) copyFileSync(join(FIXTURES, 'svchost.exe'), p);
  const table = await makeFileTable();
  const rows = [...(await table.generate(where(paths)))];
  assert.is(rows.length, HOSTILE.length);
  for (const [i, p] of paths.entries()) {
    const row = rows.find((r) => r.path === p);
    assert.ok(row, `no row for ${JSON.stringify(p)}`);
    assert.is(row.name, HOSTILE[i]);
    assert.is(row.on_disk, 1);
    assert.is(row.original_filename, 'xmrig.exe');
    assert.is(row.renamed, 1);
    assert.is(row.expected_location, null); // a Linux path: not judged against the Windows catalog
    assert.is(row.verdict, 'renamed', HOSTILE[i]); // the look-alike is not the catalogued svchost.exe
  }
  assert.not.ok(existsSync(join(work, 'PWNED')) || existsSync('PWNED') || existsSync(join(work, 'PWNED2')));
});

function an1489(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: work, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('an1489 check as a child process: hostile names in, the same names out', async () => {
  const paths = HOSTILE.map((n) => join(work, n));
  const run = await an1489(['check', '--json', '--', ...paths]);
  assert.is(run.code, 0, run.stderr);
  const rows = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  assert.equal(
    rows.map((r) => r.path),
    paths,
  );
  assert.ok(rows.every((r) => r.verdict === 'renamed'));
  // Table output escapes control characters instead of breaking lines.
  const text = await an1489(['check', '--', join(work, 'new\nline.exe')]);
  assert.is(text.code, 0, text.stderr);
  assert.is(text.stdout.trim().split('\n').length, 2);
  assert.ok(text.stdout.includes('new\\x0aline.exe'));
  const judged = await an1489([
    'check',
    '--json',
    '--as-windows-path',
    'C:\\Users\\Public\\svchost.exe',
    join(work, 'a;b;rm -rf x.exe'),
  ]);
  const row = JSON.parse(judged.stdout) as Row;
  assert.is(row.verdict, 'masquerade');
  assert.is(row.expected_location, 0);
  assert.is(row.reasons, 'miner_strings,renamed_system_name,unexpected_location,unsigned');
  assert.not.ok(existsSync(join(work, 'PWNED')) || existsSync(join(work, 'PWNED2')));
  const bad = await an1489(['check', '--as-windows-path', 'C:\\x.exe', paths[0], paths[1]]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /exactly one FILE/);
});

test('rows come from the running processes: a hostile-named binary with miner flags', async () => {
  const exe = join(work, 'tail;x $(id)\n.exe');
  copyFileSync('/usr/bin/tail', exe);
  const child: ChildProcess = spawn(
    exe,
    ['-f', '/dev/null', '--', 'x --donate-level=0 stratum+tcp://pool.minexmr.com:4444'],
    { stdio: 'ignore' },
  );
  const twin: ChildProcess = spawn(exe, ['-f', '/dev/null'], { stdio: 'ignore' });
  try {
    // Ready once both have exec'd the copied binary.
    for (const c of [child, twin])
      while (!readlinkOr(`/proc/${c.pid}/exe`).startsWith(exe)) await new Promise((r) => setImmediate(r));
    const table = await makeTable();
    const rows = [...(await table.generate({ constraints: new Map(), colsUsed: null }))];
    const row = rows.find((r) => r.pid === child.pid);
    assert.ok(row, 'the child process has a row');
    assert.is(row.path, exe);
    assert.is(row.pe, 0);
    assert.is(row.verdict, 'suspicious');
    assert.is(row.miner_indicators, 'flag:--donate-level,flag:stratum+tcp://,pool:pool.minexmr.com');
    assert.is(row.reasons, 'miner_cmdline,miner_pool,not_pe');
    // One row per process (it was one per binary): the twin has its own row,
    // same binary facts, and none of the first one's command-line reasons.
    assert.is(new Set(rows.map((r) => r.pid)).size, rows.length);
    const other = rows.find((r) => r.pid === twin.pid);
    assert.ok(other, 'a second process of the same binary has its own row');
    assert.is(other.sha256, row.sha256);
    assert.is(other.reasons, 'not_pe');
    assert.is(other.verdict, 'ok');
  } finally {
    child.kill();
    twin.kill();
  }
});

test('limits: FIFOs and devices are not opened, size cap, missing files, a vanished path', async () => {
  const fifo = join(work, 'fifo.exe');
  await new Promise<void>((res, rej) => execFile('mkfifo', [fifo], (e) => (e ? rej(e) : res())));
  const big = join(work, 'big.exe');
  writeFileSync(big, Buffer.alloc(4096 + 1));
  const table = await makeFileTable(4096);
  const rows = [...(await table.generate(where([fifo, '/dev/zero', big, join(work, 'missing.exe'), ''])))];
  const by = (p: string) => rows.find((r) => r.path === p)!;
  assert.is(by(fifo).reasons, 'not_regular_file');
  assert.is(by('/dev/zero').reasons, 'not_regular_file');
  assert.is(by(big).reasons, 'too_large');
  assert.is(by(big).size, 4097);
  assert.is(by(big).sha256, null);
  assert.is(by(join(work, 'missing.exe')).on_disk, 0);
  assert.is(by(join(work, 'missing.exe')).reasons, 'not_on_disk');
  assert.is(by('').reasons, 'empty_path');
  for (const r of rows) assert.is(r.verdict, 'unknown');
});

test('cache: keyed by file identity (size, mtime, ctime and more), so a rewritten file is read again', async () => {
  const file = join(work, 'cached.exe');
  copyFileSync(join(FIXTURES, 'signed.exe'), file);
  const table = await makeFileTable();
  const first = [...(await table.generate(where([file])))][0];
  assert.is(first.signature_status, 'trusted');
  // Same size, different bytes and mtime: the tampered fixture.
  writeFileSync(file, readFileSync(join(FIXTURES, 'tampered.exe')));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const second = [...(await table.generate(where([file])))][0];
  assert.is(second.signature_status, 'tampered');
  assert.is.not(second.sha256, first.sha256);
});

test('through SQL on the embedded host: file IN (...), OR and a join check exactly those files, quotes and all', async () => {
  const table = await makeFileTable();
  const host = new EmbeddedHost({ tables: [table] });
  try {
    const quoted = join(work, `it's "quoted".exe`);
    const tampered = join(FIXTURES, 'tampered.exe');
    const sql = (p: string) => `'${p.replace(/'/g, "''")}'`;
    const want = [
      [quoted, 'renamed', '1', 'xmrig.exe', 'missing'],
      // Saved as tampered.exe, built as fixture.exe: renamed outranks the tampered signature.
      [tampered, 'renamed', '1', 'fixture.exe', 'tampered'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    const cols = 'SELECT path, verdict, renamed, original_filename, signature_status FROM file_signature_check';
    const inList = await host.query(`${cols} WHERE file IN (${sql(quoted)}, ${sql(tampered)}) ORDER BY path`);
    assert.equal(inList.rows, want);
    const or = await host.query(`${cols} WHERE file = ${sql(quoted)} OR file = ${sql(tampered)} ORDER BY path`);
    assert.equal(or.rows, want);
    const joined = await host.query(
      `WITH q(p) AS (VALUES (${sql(quoted)}), (${sql(tampered)})) SELECT f.path, f.verdict, f.renamed, f.original_filename, f.signature_status FROM q JOIN file_signature_check AS f ON f.file = q.p ORDER BY f.path`,
    );
    assert.equal(joined.rows, want);
  } finally {
    host.close();
  }
});

test('processes JOIN process_signature_check USING (pid): one row per running process', async () => {
  // One sample feeds both sides, so processes that start or exit meanwhile cannot skew the count.
  const sample = await new ProcfsSource().sample({ sockets: false });
  const checker = new SignatureChecker({ trust: await loadTrustBundle(join(FIXTURES, 'test-ca.pem')) });
  const table = processSignatureCheckTable({ checker, source: { name: 'fixed', sample: async () => sample } });
  const processes: SnapshotTable = {
    name: 'processes',
    file: 'test:processes',
    columns: [
      { name: 'pid', type: 'BIGINT' },
      { name: 'name', type: 'TEXT' },
      { name: 'path', type: 'TEXT' },
    ],
    rows: sample.processes.map((p) => ({ pid: String(p.pid), name: p.name, path: p.path })),
  };
  const host = new EmbeddedHost({ tables: [table], snapshots: [processes] });
  try {
    const r = await host.query('SELECT p.pid, s.verdict FROM processes p JOIN process_signature_check s USING (pid)');
    assert.is(r.rows.length, sample.processes.length);
    assert.is(new Set(r.rows.map((row) => row[0])).size, sample.processes.length);
    // Several processes of one binary (this test's node and its siblings, kernel threads) all join.
    const perBinary = await host.query(
      'SELECT count(*) FROM processes p JOIN process_signature_check s USING (pid) WHERE s.path = p.path GROUP BY s.path HAVING count(*) > 1',
    );
    assert.ok(perBinary.rows.length > 0, 'some binary runs as more than one process');
  } finally {
    host.close();
  }
});

test.after(() => {
  for (const f of readdirSync(work)) rmSync(join(work, f), { force: true });
  rmSync(work, { recursive: true, force: true });
});

test.run();
