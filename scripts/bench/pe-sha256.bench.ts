// SHA-256 throughput of the checker's streaming read-and-hash path
// (sha256OfFile in src/signature/stream.ts) against coreutils `sha256sum` on the same 64 MiB file in the
// same run (page cache warm for both; sha256sum's time includes its start).
//
// Peer: sha256sum. Target: our throughput >= 0.9x sha256sum's (medians).
// Answer: the same digest.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './pe-common.js';
import { median, report, rounds, time, x } from './bench.js';
import { sha256OfFile } from '../../src/signature/stream.js';

const TARGET = 0.9;
const ROUNDS = rounds(7, 3);
const SIZE = 64 << 20;
const dir = mkdtempSync(join(tmpdir(), 'an1489-sha-'));
const file = join(dir, 'blob.bin');
writeFileSync(file, randomBytes(SIZE));
try {
  const ours: number[] = [];
  const theirs: number[] = [];
  let agree = true;
  for (let i = 0; i < ROUNDS; i++) {
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
  console.log(
    `ours ${oursRate.toFixed(0)} MiB/s (median ${median(ours).toFixed(1)} ms), sha256sum ${theirRate.toFixed(0)} MiB/s (median ${median(theirs).toFixed(1)} ms), digests agree: ${agree}`,
  );
  report('pe-sha256', {
    against: 'peer',
    versus: 'sha256sum',
    met: ratio >= TARGET,
    figures: `throughput ours/sha256sum = ${x(ratio)} (${oursRate.toFixed(0)} vs ${theirRate.toFixed(0)} MiB/s, medians of ${ROUNDS}; target >= ${TARGET}x)`,
    sameAnswer: agree,
    answer: `the same SHA-256 of ${mib} MiB in every round`,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
