// A cold signature check (read, SHA-256, miner scan, PE parse, Authenticode
// image digest, signer signature, chain) of a several-MB signed PE, against
// `osslsigncode verify` of the same file in the same run. osslsigncode's time
// includes its process start, which a check inside the extension does not
// pay; ours includes the hash and miner scan that osslsigncode does not do.
//
// The miner scan runs on a worker thread started once per process; the
// first round includes that start, the median does not depend on it.
//
// Target: ours <= 1.5x osslsigncode (medians of interleaved runs).
import { statSync } from 'node:fs';
import { buildSignedPe, median, pickWinePe, run, time } from './pe-common.js';
import { SignatureChecker, loadTrustBundle } from '../../src/signature/checker.js';

const LIMIT = 1.5;
const ROUNDS = 7;

const source = pickWinePe();
if (!source) {
  console.log('BENCH pe-cold: FAIL no wine PE of 4-8 MB found to sign');
  process.exit(1);
}
const pe = await buildSignedPe(source);
try {
  const trust = await loadTrustBundle(pe.ca);
  const ours: number[] = [];
  const theirs: number[] = [];
  let status = '';
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh checker each round: nothing cached.
    const checker = new SignatureChecker({ maxFileBytes: 64 << 20, cacheBytes: 0, trust });
    const a = await time(() => checker.check({ readPath: pe.file }));
    ours.push(a.ms);
    status = a.value.signatureStatus ?? 'none';
    const b = await time(() => run('osslsigncode', ['verify', '-CAfile', pe.ca, '-in', pe.file]));
    if (b.value.code !== 0) throw new Error('osslsigncode verify rejected the benchmark file');
    theirs.push(b.ms);
  }
  const ratio = median(ours) / median(theirs);
  const mb = statSync(pe.file).size / 1024 / 1024;
  console.log(`file ${source} re-signed: ${mb.toFixed(1)} MiB, our status ${status}`);
  console.log(`cold check median ${median(ours).toFixed(1)} ms (runs ${ours.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`osslsigncode verify median ${median(theirs).toFixed(1)} ms (runs ${theirs.map((x) => x.toFixed(0)).join(' ')})`);
  const ok = ratio <= LIMIT && status === 'trusted';
  console.log(`BENCH pe-cold: ${ok ? 'PASS' : 'FAIL'} cold check / osslsigncode verify = ${ratio.toFixed(2)} (limit ${LIMIT}) on ${mb.toFixed(1)} MiB, status ${status}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  pe.cleanup();
}
