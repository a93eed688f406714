// SHA-256 throughput of the checker's streaming read-and-hash path
// (sha256OfFile in src/signature/stream.ts) against coreutils `sha256sum` on the same 64 MiB file in the
// same run (page cache warm for both; sha256sum's time includes its start).
//
// Target: our throughput >= 0.8x sha256sum's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, run, time } from './pe-common.js';
import { sha256OfFile } from '../../src/signature/stream.js';

const FLOOR = 0.8;
const SIZE = 64 << 20;
const dir = mkdtempSync(join(tmpdir(), 'an1489-sha-'));
const file = join(dir, 'blob.bin');
writeFileSync(file, randomBytes(SIZE));
try {
  const ours: number[] = [];
  const theirs: number[] = [];
  let agree = true;
  for (let i = 0; i < 5; i++) {
    const a = await time(async () => {
      const digest = await sha256OfFile(file, SIZE);
      if (digest === null) throw new Error('not read');
      return digest;
    });
    const b = await time(() => run('sha256sum', [file]));
    agree &&= b.value.stdout.startsWith(a.value);
    ours.push(a.ms);
    theirs.push(b.ms);
  }
  const mib = SIZE / 1024 / 1024;
  const oursRate = mib / (median(ours) / 1000);
  const theirRate = mib / (median(theirs) / 1000);
  const ratio = oursRate / theirRate;
  console.log(`ours ${oursRate.toFixed(0)} MiB/s (median ${median(ours).toFixed(1)} ms), sha256sum ${theirRate.toFixed(0)} MiB/s (median ${median(theirs).toFixed(1)} ms), digests agree: ${agree}`);
  const ok = ratio >= FLOOR && agree;
  console.log(`BENCH pe-sha256: ${ok ? 'PASS' : 'FAIL'} throughput ours/sha256sum = ${ratio.toFixed(2)} (floor ${FLOOR})`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
