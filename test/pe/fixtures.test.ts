// The committed PE fixtures (scripts/build-pe-fixtures.sh: mingw-w64 +
// windres, osslsigncode, a test CA) through the PE reader, Authenticode and
// the checker; and our digest and trust verdicts against osslsigncode's on every fixture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePe } from '../../src/pe/pe.js';
import { parseTrustBundle, verifyAuthenticode, type SignatureInfo } from '../../src/pe/authenticode.js';
import { SignatureChecker, loadTrustBundle, type CheckResult } from '../../src/signature/checker.js';
import { OSSLSIGNCODE, testNeeding } from '../support/tools.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pe');
const CA = join(DIR, 'test-ca.pem');
const trust = parseTrustBundle(readFileSync(CA, 'utf8'));
/** Judged where an installed program would live, so only the bytes decide. */
const PROGRAM = 'C:\\Program Files\\AN1489\\fixture.exe';

function signatures(file: string): SignatureInfo[] {
  const buf = readFileSync(join(DIR, file));
  return verifyAuthenticode(buf, parsePe(buf), trust);
}

let checker: SignatureChecker;
async function check(file: string, windowsPath: string | null = PROGRAM): Promise<CheckResult> {
  checker ??= new SignatureChecker({ maxFileBytes: 1 << 20, cacheBytes: 1 << 20, trust: await loadTrustBundle(CA) });
  return checker.check({ readPath: join(DIR, file), path: windowsPath ?? undefined });
}

test('headers, sections and version strings in every language', () => {
  const pe = parsePe(readFileSync(join(DIR, 'unsigned.exe')));
  assert.is(pe.format, 'PE32+');
  assert.is(pe.machine, 0x8664);
  assert.is(pe.subsystem, 3); // console
  assert.ok(pe.sections.some((s) => s.name === '.text'));
  assert.ok(pe.sections.some((s) => s.name === '.rsrc'));
  assert.equal(
    pe.versionInfo.map((v) => v.language),
    ['040904b0', '040704b0'],
  );
  assert.is(pe.versionInfo[0].strings.OriginalFilename, 'fixture.exe');
  assert.is(pe.versionInfo[0].strings.CompanyName, 'AN1489 Test');
  assert.is(pe.versionInfo[1].strings.CompanyName, 'AN1489 Test GmbH');
  assert.is(pe.certificates.length, 0);
  assert.equal(pe.warnings, []);
});

test('unsigned: missing signature, verdict ok', async () => {
  assert.equal(signatures('unsigned.exe'), []);
  const r = await check('unsigned.exe');
  assert.is(r.signatureStatus, 'missing');
  assert.is(r.signed, false);
  assert.is(r.verdict, 'ok');
  assert.equal(r.reasons, ['unsigned']);
  assert.is(r.originalFilename, 'fixture.exe');
  assert.is(r.renamed, false);
});

test('validly signed: trusted against the test CA, untrusted without it, valid with no bundle', async () => {
  const [s] = signatures('signed.exe');
  assert.is(s.status, 'trusted');
  assert.is(s.digestAlgorithm, 'sha256');
  assert.is(s.signedDigest, s.imageDigest);
  assert.is(s.signerSubject, 'CN=AN1489 Test Code Signing, O=AN1489 Tests');
  assert.is(s.signerIssuer, 'CN=AN1489 Test Root CA, O=AN1489 Tests');
  assert.match(s.signerSerial ?? '', /^[0-9A-F]+$/);
  const buf = readFileSync(join(DIR, 'signed.exe'));
  // The public roots this machine trusts for TLS know nothing of our test CA.
  const publicRoots = parseTrustBundle(readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8'));
  assert.is(verifyAuthenticode(buf, parsePe(buf), publicRoots)[0].status, 'untrusted');
  assert.is(verifyAuthenticode(buf, parsePe(buf), null)[0].status, 'valid');
  const r = await check('signed.exe');
  assert.is(r.verdict, 'ok');
  assert.equal(r.reasons, []);
  assert.is(r.signerSubject, 'CN=AN1489 Test Code Signing, O=AN1489 Tests');
});

test('signed then tampered: digest mismatch is "tampered", verdict suspicious', async () => {
  const [s] = signatures('tampered.exe');
  assert.is(s.status, 'tampered');
  assert.is.not(s.signedDigest, s.imageDigest);
  const r = await check('tampered.exe');
  assert.is(r.verdict, 'suspicious');
  assert.ok(r.reasons.includes('signature_tampered'));
});

test('renamed: OriginalFilename xmrig.exe saved as svchost.exe is a masquerade with miner strings', async () => {
  const anywhere = await check('svchost.exe', null);
  assert.is(anywhere.renamed, true);
  assert.is(anywhere.verdict, 'masquerade'); // a system name, even before we know where it lives
  assert.ok(anywhere.reasons.includes('renamed_system_name'));
  const inSystem32 = await check('svchost.exe', 'C:\\Windows\\System32\\svchost.exe');
  assert.is(inSystem32.expectedLocation, true);
  assert.is(inSystem32.verdict, 'masquerade');
  assert.equal(inSystem32.minerIndicators, [
    'string:donate-level',
    'string:minexmr',
    'string:stratum+tcp://',
    'string:xmrig',
  ]);
  const asOther = await check('svchost.exe', 'C:\\Tools\\miner.exe');
  assert.is(asOther.verdict, 'renamed');
  assert.equal(asOther.reasons, ['miner_strings', 'renamed', 'unsigned']);
});

test('a signed, correctly named binary away from its catalogued home is a masquerade', async () => {
  const r = await check('signed.exe', 'C:\\Users\\Public\\fixture.exe');
  assert.is(r.verdict, 'ok'); // fixture.exe is not a catalogued name
  const sys = await check('signed.exe', 'C:\\Windows\\Temp\\svchost.exe');
  assert.is(sys.expectedLocation, false);
  assert.is(sys.verdict, 'masquerade');
  assert.equal(sys.reasons, ['renamed_system_name', 'unexpected_location']);
});

test('two signatures: nested (osslsigncode -nest) and two WIN_CERTIFICATE entries', async () => {
  const nested = signatures('nested.exe');
  assert.equal(
    nested.map((s) => [s.status, s.nested, s.digestAlgorithm]),
    [
      ['trusted', false, 'sha256'],
      ['untrusted', true, 'sha1'],
    ],
  );
  assert.is(nested[1].signerSubject, 'CN=AN1489 Stray Signer');
  const two = signatures('two-entries.exe');
  assert.equal(
    two.map((s) => [s.status, s.nested, s.digestAlgorithm]),
    [
      ['trusted', false, 'sha256'],
      ['untrusted', false, 'sha256'],
    ],
  );
  const r = await check('nested.exe');
  assert.is(r.signatureCount, 2);
  assert.is(r.signatureStatus, 'trusted');
  assert.is(r.verdict, 'ok');
});

function osslsigncode(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile('osslsigncode', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err); // did not run (ENOENT...)
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

testNeeding(
  test,
  [OSSLSIGNCODE],
  'our digest and trust verdicts agree with osslsigncode verify on every fixture',
  async () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.exe'))
      .sort();
    assert.ok(files.length >= 6);
    let compared = 0;
    for (const f of files) {
      const res = await osslsigncode(['verify', '-CAfile', CA, '-in', join(DIR, f)]);
      const ours = signatures(f);
      if (/No signature found/.test(res.out)) {
        assert.equal(ours, [], f);
        compared++;
        continue;
      }
      // osslsigncode prints "Calculated message digest : <hex>" per signature and MISMATCH when it differs.
      const calculated = [...res.out.matchAll(/Calculated message digest\s*:\s*([0-9A-F]+)/g)].map((m) =>
        m[1].toLowerCase(),
      );
      const current = [...res.out.matchAll(/Current message digest\s*:\s*([0-9A-F]+)/g)].map((m) => m[1].toLowerCase());
      if (calculated.length === 0) {
        // two-entries.exe: osslsigncode reads one WIN_CERTIFICATE only and gives up; we read both.
        assert.is(f, 'two-entries.exe', `osslsigncode could not read ${f}: ${res.out}`);
        continue;
      }
      assert.is(calculated.length, ours.length, `${f}: signature count`);
      for (let i = 0; i < ours.length; i++) {
        assert.is(ours[i].imageDigest, calculated[i], `${f}#${i}: computed digest`);
        assert.is(ours[i].signedDigest, current[i], `${f}#${i}: signed digest`);
        assert.is(ours[i].status === 'tampered', calculated[i] !== current[i], `${f}#${i}: tampered verdict`);
      }
      // osslsigncode prints one "Signature verification: ok|failed" per signature: its trust verdict.
      const verdicts = [...res.out.matchAll(/^Signature verification: (ok|failed)$/gm)].map((m) => m[1]);
      assert.equal(
        ours.map((s) => (s.status === 'trusted' ? 'ok' : 'failed')),
        verdicts,
        `${f}: trust verdicts`,
      );
      assert.is(
        res.code !== 0,
        ours.some((s) => s.status === 'tampered' || s.status === 'invalid'),
        `${f}: overall`,
      );
      compared++;
    }
    assert.ok(compared >= 5);
  },
);

test.run();
