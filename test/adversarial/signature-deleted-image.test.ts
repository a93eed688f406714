// Attack: a miner hides by swapping its file. It runs, deletes its own file
// and puts a clean binary at the same path. Reading the path judged the clean
// file. Now, on Linux, the real CLI reads the running image through
// /proc/<pid>/exe: it reports the miner's bytes, the path with ' (deleted)'
// (as procfs gives it) and the reasons image_deleted and image_replaced.
// Where the OS gives only a path (as osquery's processes.path on Windows),
// the check says the file may not be the running image and will not vouch
// for it: the file's mtime/ctime are after the process started.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { an1489, sqlText } from './signature-support.js';
import { processSignatureCheckTable } from '../../src/tables/process_signature_check.js';
import { SignatureChecker } from '../../src/signature/checker.js';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { START_SLACK_SECONDS } from '../../src/signature/image.js';

const dir = mkdtempSync(join(tmpdir(), 'an1489-adv-swap-'));
const children: ChildProcess[] = [];

function readlinkOr(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

/** Starts `exe` (idle, clean command line) and waits until the kernel shows it running that file. */
async function startFrom(exe: string): Promise<ChildProcess> {
  const child = spawn(exe, ['-f', '/dev/null'], { stdio: 'ignore' });
  children.push(child);
  while (!readlinkOr(`/proc/${child.pid}/exe`).startsWith(exe)) {
    if (child.exitCode !== null) throw new Error(`${exe} exited`);
    await new Promise((r) => setImmediate(r));
  }
  return child;
}

/** A "miner": a real ELF (tail) with miner strings appended, which still runs. */
function minerBytes(): Buffer {
  return Buffer.concat([readFileSync('/usr/bin/tail'), Buffer.from('\0xmrig stratum+tcp:// donate-level\0')]);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('Linux: the running image is judged, not the clean file swapped in at its path (real CLI)', async () => {
  const exe = join(dir, 'worker');
  const miner = minerBytes();
  writeFileSync(exe, miner, { mode: 0o755 });
  const child = await startFrom(exe);
  // The swap: delete the running file, put a clean binary at the same path.
  unlinkSync(exe);
  copyFileSync('/usr/bin/tail', exe);
  const run = await an1489(dir, [
    'query',
    '--json',
    `SELECT pid, path, sha256, verdict, reasons, miner_indicators FROM process_signature_check WHERE pid = ${child.pid}`,
  ]);
  assert.is(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Record<string, string>[];
  assert.is(rows.length, 1);
  const row = rows[0];
  assert.is(row.path, `${exe} (deleted)`);
  assert.is(row.sha256, sha(miner), 'the bytes judged are the running image');
  assert.is(row.verdict, 'suspicious');
  assert.equal(row.reasons.split(','), ['image_deleted', 'image_replaced', 'miner_strings', 'not_pe']);
  assert.match(row.miner_indicators, /string:xmrig/);
  // The file now at the path is the clean one, and is reported as such when named.
  const named = await an1489(dir, [
    'query',
    '--json',
    `SELECT sha256, verdict, reasons FROM file_signature_check WHERE file = ${sqlText(exe)}`,
  ]);
  const f = (JSON.parse(named.stdout) as Record<string, string>[])[0];
  assert.is(f.sha256, sha(readFileSync('/usr/bin/tail')));
  assert.is(f.verdict, 'ok');
});

test('Linux: a running file renamed, then deleted: the path procfs follows, image_deleted, the same verdict', async () => {
  const exe = join(dir, 'moved');
  writeFileSync(exe, minerBytes(), { mode: 0o755 });
  const child = await startFrom(exe);
  renameSync(exe, join(dir, 'elsewhere'));
  unlinkSync(join(dir, 'elsewhere'));
  const run = await an1489(dir, [
    'query',
    '--json',
    `SELECT path, verdict, reasons FROM process_signature_check WHERE pid = ${child.pid}`,
  ]);
  const row = (JSON.parse(run.stdout) as Record<string, string>[])[0];
  // The kernel follows the rename: the last name the image had.
  assert.is(row.path, `${join(dir, 'elsewhere')} (deleted)`);
  assert.equal(row.reasons.split(','), ['image_deleted', 'miner_strings', 'not_pe']);
  assert.is(row.verdict, 'suspicious');
});

test('path only (as on Windows): a file replaced after the start is not vouched for', async () => {
  // The same real process source, but no procfs image: judged through the path, as under osquery on Windows.
  const table = processSignatureCheckTable({
    checker: new SignatureChecker(),
    source: new ProcfsSource(),
    image: { procRoot: null },
  });
  const exe = join(dir, 'pathonly');
  copyFileSync('/usr/bin/tail', exe);
  const child = await startFrom(exe);
  const rowOf = async () =>
    [...(await table.generate({ constraints: new Map(), colsUsed: null }))].find((r) => r.pid === child.pid)!;
  const before = await rowOf();
  assert.is(before.verdict, 'ok', String(before.reasons));
  assert.is(before.reasons, 'not_pe');
  // Wait until the clock is surely past the process's start, then swap the file (rename over it: a new inode).
  const startSec = (await new ProcfsSource().sample({ sockets: false })).processes.find(
    (p) => p.pid === child.pid,
  )!.startTime;
  while (Date.now() < (startSec + START_SLACK_SECONDS) * 1000 + 50) await new Promise((r) => setTimeout(r, 20));
  writeFileSync(join(dir, 'swap'), readFileSync('/usr/bin/tail'), { mode: 0o755 });
  renameSync(join(dir, 'swap'), exe);
  const after = await rowOf();
  assert.is(after.verdict, 'unknown', 'never ok for bytes that may not be the running image');
  assert.equal(String(after.reasons).split(','), ['image_changed_after_start', 'not_pe']);
  // And a running file that is gone from its path.
  unlinkSync(exe);
  const gone = await rowOf();
  assert.is(gone.verdict, 'unknown');
  assert.equal(String(gone.reasons).split(','), ['image_deleted', 'not_on_disk']);
});

test.after(() => {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
