// A cold signature check (read, SHA-256, miner scan, PE parse, Authenticode
// image digest, signer signature, chain) of a several-MB signed PE, against
// `osslsigncode verify` of the same file in the same run. osslsigncode's time
// includes its process start, which a check inside the extension does not
// pay; ours includes the hash and miner scan that osslsigncode does not do.
//
// The miner scan runs on a worker thread started once per process; the
// first round includes that start, the median does not depend on it.
//
// Peer: osslsigncode verify. Target: ours <= 1.2x osslsigncode (medians of
// interleaved rounds). Answer: both verify the signature (our 'trusted',
// osslsigncode's exit 0) and name the same signer.
import { statSync } from 'node:fs';
import { buildSignedPe, pickWinePe, run } from './pe-common.js';
import { median, report, reportCrash, rounds, time, x } from './bench.js';
import { SignatureChecker, loadTrustBundle } from '../../src/signature/checker.js';

const LIMIT = 1.2;
const ROUNDS = rounds(9, 5);

const source = pickWinePe();
if (!source) {
  reportCrash('pe-cold', new Error('no wine PE of 4-8 MB found to sign (apt-get install wine64)'));
  process.exit(1);
}
const pe = await buildSignedPe(source);
try {
  const trust = await loadTrustBundle(pe.ca);
  const ours: number[] = [];
  const theirs: number[] = [];
  let status = '';
  let ourSigner = '';
  let theirSigner = '';
  let theyVerified = true;
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh checker each round: nothing cached.
    const checker = new SignatureChecker({ maxFileBytes: 64 << 20, cacheBytes: 0, trust });
    const a = await time(() => checker.check({ readPath: pe.file }));
    ours.push(a.ms);
    status = a.value.signatureStatus ?? 'none';
    ourSigner = a.value.signerSubject ?? '';
    const b = await time(() => run('osslsigncode', ['verify', '-CAfile', pe.ca, '-in', pe.file]));
    theyVerified &&= b.value.code === 0;
    theirSigner = /Signer #0:\s*Subject:\s*(\S[^\n]*)/.exec(b.value.stdout)?.[1]?.trim() ?? '';
    theirs.push(b.ms);
  }
  const ratio = median(ours) / median(theirs);
  const mb = statSync(pe.file).size / 1024 / 1024;
  console.log(`file ${source} re-signed: ${mb.toFixed(1)} MiB, our status ${status}`);
  console.log(`cold check median ${median(ours).toFixed(1)} ms (runs ${ours.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`osslsigncode verify median ${median(theirs).toFixed(1)} ms (runs ${theirs.map((x) => x.toFixed(0)).join(' ')})`);
  // osslsigncode writes the subject as /CN=.../O=...; ours as CN=..., O=...
  const cn = (subject: string) => /CN=([^/,]+)/.exec(subject)?.[1]?.trim() ?? '';
  report('pe-cold', {
    against: 'peer',
    versus: 'osslsigncode verify',
    met: ratio <= LIMIT,
    figures: `median cold check ${median(ours).toFixed(1)} ms vs ${median(theirs).toFixed(1)} ms = ${x(ratio)} on ${mb.toFixed(1)} MiB (target <= ${LIMIT}x)`,
    sameAnswer: status === 'trusted' && theyVerified && cn(ourSigner) !== '' && cn(ourSigner) === cn(theirSigner),
    answer: `ours ${status} by ${JSON.stringify(ourSigner)}, osslsigncode ${theyVerified ? 'verified' : 'REJECTED'} ${JSON.stringify(theirSigner)}`,
  });
} finally {
  pe.cleanup();
}
