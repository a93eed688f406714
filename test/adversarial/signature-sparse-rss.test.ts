// Attack: big sparse files named in one query. Four 255 MB sparse files
// (cheap for the attacker to make, under the 256 MiB default read cap) once
// took the extension's RSS to 1.2 GB, because each was buffered whole. Now the
// checker streams them: the real CLI, checking the four in one statement, must
// grow its peak RSS by at most 50 MB over the same statement on four small
// files, and the growth must not depend on the files' size (checked again
// with four 64 MB files). Time is bounded as a multiple of the 64 MB run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { an1489, sqlText, type CliRun } from './signature-support.js';

const MB = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'an1489-adv-sparse-'));

function sparseFiles(tag: string, bytes: number): string[] {
  return [0, 1, 2, 3].map((i) => {
    const p = join(dir, `${tag}-${i}.exe`);
    writeFileSync(p, 'MZ'); // a first byte pair that starts the PE path, then holes
    truncateSync(p, bytes);
    return p;
  });
}

async function checkAll(files: readonly string[]): Promise<CliRun> {
  const run = await an1489(dir, [
    'query',
    '--json',
    `SELECT path, size, sha256, verdict, reasons FROM file_signature_check WHERE file IN (${files.map(sqlText).join(', ')})`,
  ]);
  assert.is(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as unknown[];
  assert.is(rows.length, files.length);
  return run;
}

test('four 255 MB sparse files: peak RSS grows <= 50 MB over four small files, whatever the size', async () => {
  const small = await checkAll(sparseFiles('small', 4096));
  const mid = await checkAll(sparseFiles('mid', 64 * MB));
  const big = await checkAll(sparseFiles('big', 255 * MB));
  const rows = JSON.parse(big.stdout) as { size: string; sha256: string | null; reasons: string }[];
  // Really read and hashed (not skipped as too large): the digest of 255 MB of one 'MZ' then zeros.
  for (const r of rows) {
    assert.is(Number(r.size), 255 * MB);
    assert.match(r.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.is(r.reasons, 'not_pe');
  }
  const growBig = big.maxRssBytes - small.maxRssBytes;
  const growMid = mid.maxRssBytes - small.maxRssBytes;
  console.log(
    `peak RSS: small ${(small.maxRssBytes / MB).toFixed(0)} MB, 4x64 MB ${(mid.maxRssBytes / MB).toFixed(0)} MB, 4x255 MB ${(big.maxRssBytes / MB).toFixed(0)} MB; time ${small.ms.toFixed(0)} / ${mid.ms.toFixed(0)} / ${big.ms.toFixed(0)} ms`,
  );
  assert.ok(growBig <= 50 * MB, `RSS grew ${(growBig / MB).toFixed(1)} MB checking 4 x 255 MB`);
  // Independent of size: four times the bytes, not (meaningfully) more memory.
  assert.ok(
    growBig - growMid <= 20 * MB,
    `RSS at 4x255 MB exceeds 4x64 MB by ${((growBig - growMid) / MB).toFixed(1)} MB`,
  );
  // Linear time: 4x the bytes, at most 4x4 the time of the 64 MB run (plus the CLI start, paid by both).
  assert.ok(
    big.ms <= 16 * mid.ms + 5_000,
    `4x255 MB took ${big.ms.toFixed(0)} ms against ${mid.ms.toFixed(0)} ms for 4x64 MB`,
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
