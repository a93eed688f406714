// Certificate-chain verdicts on the committed chain fixtures
// (scripts/build-pe-fixtures.sh, section "Certificate chains"): one signed PE
// per way a chain can be wrong, each judged against chains/root.pem. Every
// verdict is compared with osslsigncode verify run here, plus the two
// Windows rules osslsigncode 2.9 does not apply (signer keyUsage must allow
// digitalSignature; an intermediate's EKU must allow code signing), judged
// from openssl's own reading of the certificates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePe } from '../../src/pe/pe.js';
import { parseTrustBundle, verifyAuthenticode, type SignatureInfo } from '../../src/pe/authenticode.js';
import { parseSignedData } from '../../src/pe/cms.js';
import { findSigner } from '../../src/pe/certificate.js';
import { MAX_SIGNATURE_CHECKS, MAX_STEPS, validateChain } from '../../src/pe/chain.js';
import { readTlv } from '../../src/pe/der.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pe', 'chains');
const ROOT = join(DIR, 'root.pem');
const trust = parseTrustBundle(readFileSync(ROOT, 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'an1489-chains-'));

function ours(file: string): SignatureInfo {
  const buf = readFileSync(join(DIR, file));
  const sigs = verifyAuthenticode(buf, parsePe(buf), trust);
  assert.is(sigs.length, 1, file);
  return sigs[0];
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout + stderr });
    });
  });
}

/** What each fixture is, what we must say, and the error osslsigncode must report. */
const CASES: Record<string, { trusted: boolean; ours?: RegExp; osslsigncode?: RegExp; windowsOnly?: boolean }> = {
  'good.exe': { trusted: true },
  'ca-false.exe': {
    trusted: false,
    ours: /intermediate "CN=tls\.an1489\.test.*" is not a CA \(basicConstraints\)/,
    osslsigncode: /invalid CA certificate/,
  },
  'tls-eku.exe': {
    trusted: false,
    ours: /signer .* is not for codeSigning \(extendedKeyUsage 1\.3\.6\.1\.5\.5\.7\.3\.1\)/,
    osslsigncode: /XKU_CODE_SIGN/,
  },
  'expired.exe': { trusted: false, ours: /signer .* has expired at /, osslsigncode: /certificate has expired/ },
  'expired-timestamped.exe': { trusted: true },
  'legacy-timestamped.exe': { trusted: true },
  'expired-stray-timestamp.exe': {
    trusted: false,
    ours: /has expired at .*; timestamp not believed: certificate chain does not reach/,
    osslsigncode: /Timestamp Server Signature verification: failed[\s\S]*certificate has expired/,
  },
  'wrong-issuer.exe': {
    trusted: false,
    ours: /does not reach the trust bundle/,
    osslsigncode: /unable to get local issuer certificate/,
  },
  'self-signed.exe': {
    trusted: false,
    ours: /does not reach the trust bundle/,
    osslsigncode: /self-signed certificate/,
  },
  'pathlen.exe': {
    trusted: false,
    ours: /allows 0 CA certificate\(s\) below it, the path has 1 \(pathLenConstraint\)/,
    osslsigncode: /path length constraint exceeded/,
  },
  'ku-issuer.exe': {
    trusted: false,
    ours: /may not sign certificates \(keyUsage lacks keyCertSign\)/,
    osslsigncode: /invalid CA certificate/,
  },
  'ku-signer.exe': {
    trusted: false,
    ours: /signer .* may not make signatures \(keyUsage lacks digitalSignature\)/,
    windowsOnly: true,
  },
  'eku-intermediate.exe': { trusted: false, ours: /intermediate .* is not for codeSigning/, windowsOnly: true },
  'lattice.exe': { trusted: false, ours: /path search gave up/, osslsigncode: /Signature verification: failed/ },
};

test('every chain fixture has a case, and the set covers each way a chain can be wrong', () => {
  assert.equal(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.exe'))
      .sort(),
    Object.keys(CASES).sort(),
  );
});

test('our verdicts and reasons', () => {
  for (const [file, c] of Object.entries(CASES)) {
    const s = ours(file);
    assert.is(s.status, c.trusted ? 'trusted' : 'untrusted', `${file}: ${s.detail}`);
    if (c.ours) assert.match(s.detail ?? '', c.ours, file);
  }
});

test('a timestamp counts only when verified: time, trust and the fallback to now', () => {
  const t = ours('expired-timestamped.exe');
  assert.is(t.timestamp, '2020-06-01T00:00:00Z');
  assert.is(t.timestampTrusted, true);
  const stray = ours('expired-stray-timestamp.exe');
  assert.is(stray.timestamp, '2020-06-01T00:00:00Z'); // intact, so its claim is shown...
  assert.is(stray.timestampTrusted, false); // ...but its authority is not in the bundle
  const legacy = ours('legacy-timestamped.exe');
  assert.match(legacy.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.is(legacy.timestampTrusted, true, 'a PKCS#9 countersignature from the TSA under the root counts');
  const none = ours('expired.exe');
  assert.is(none.timestamp, null);
  assert.is(none.timestampTrusted, false);
  // Without a bundle nothing is judged: valid, and the timestamp is not trusted.
  const buf = readFileSync(join(DIR, 'expired-timestamped.exe'));
  const [v] = verifyAuthenticode(buf, parsePe(buf), null);
  assert.is(v.status, 'valid');
  assert.is(v.timestampTrusted, false);
});

test('a hostile pool (4^6 candidate paths, 84 CA certificates) costs at most the search budget', () => {
  const buf = readFileSync(join(DIR, 'lattice.exe'));
  const cms = parseSignedData(readTlv(parsePe(buf).certificates[0].data, 0), 'signature');
  assert.ok(cms.certificates.length > 80, `${cms.certificates.length} certificates carried`);
  const signer = findSigner(cms.signerInfo.sid, cms.certificates);
  assert.ok(signer);
  const r = validateChain(signer, cms.certificates, trust.certificates, Date.now(), 'codeSigning');
  assert.is(r.ok, false);
  assert.ok(r.cost.signatureChecks <= MAX_SIGNATURE_CHECKS, `${r.cost.signatureChecks} signature checks`);
  assert.ok(r.cost.steps <= MAX_STEPS, `${r.cost.steps} steps`);
  if (!r.ok) assert.match(r.reason, /gave up/);
});

/** openssl's reading of the signature's certificates: subject CN -> key usage and EKU text. */
async function certificateUsages(
  file: string,
): Promise<Map<string, { keyUsage: string | null; eku: string | null; ca: boolean }>> {
  const sig = join(work, `${file}.pem`);
  rmSync(sig, { force: true });
  const x = await run('osslsigncode', ['extract-signature', '-pem', '-in', join(DIR, file), '-out', sig]);
  assert.is(x.code, 0, x.out);
  const text = (await run('openssl', ['pkcs7', '-in', sig, '-print_certs', '-text', '-noout'])).out;
  const out = new Map<string, { keyUsage: string | null; eku: string | null; ca: boolean }>();
  for (const block of text.split(/^Certificate:$/m).slice(1)) {
    const cn = /Subject: CN ?= ?([^,\n]+)/.exec(block)?.[1].trim();
    if (!cn) continue;
    const keyUsage = /X509v3 Key Usage:.*\n\s*(.+)/.exec(block)?.[1].trim() ?? null;
    const eku = /X509v3 Extended Key Usage:.*\n\s*(.+)/.exec(block)?.[1].trim() ?? null;
    out.set(cn, { keyUsage, eku, ca: /CA:TRUE/.test(block) });
  }
  return out;
}

test('each verdict agrees with osslsigncode verify -CAfile (plus the Windows keyUsage/EKU rules)', async () => {
  for (const [file, c] of Object.entries(CASES)) {
    const res = await run('osslsigncode', ['verify', '-CAfile', ROOT, '-TSA-CAfile', ROOT, '-in', join(DIR, file)]);
    const osslOk = res.code === 0 && /Signature verification: ok/.test(res.out);
    if (c.osslsigncode) assert.match(res.out, c.osslsigncode, file);
    // The Windows rules, from openssl's parse: the signer may sign; every CA the signature carries allows code
    // signing (a timestamping authority's certificate rides along too, but it is no CA).
    const signerCn = /Signer #0:\s*\n\s*Subject: \/CN=([^/\n]+)/.exec(res.out)?.[1];
    assert.ok(signerCn, `${file}: osslsigncode names the signer`);
    const usages = await certificateUsages(file);
    const signer = usages.get(signerCn);
    assert.ok(signer, `${file}: openssl reads the signer ${signerCn}`);
    const signerMaySign = signer.keyUsage === null || signer.keyUsage.includes('Digital Signature');
    const chainAllowsCodeSigning = [...usages.values()].every(
      (u) => !u.ca || u.eku === null || u.eku.includes('Code Signing'),
    );
    const expected = osslOk && signerMaySign && chainAllowsCodeSigning;
    assert.is(
      expected,
      c.trusted,
      `${file}: the reference verdict is what the case says (osslsigncode ok=${osslOk}: ${res.out.slice(-300)})`,
    );
    assert.is(ours(file).status === 'trusted', expected, `${file}: our verdict agrees`);
    // The two Windows-only cases are the only ones where osslsigncode 2.9 alone says ok and we do not.
    assert.is(
      c.windowsOnly === true,
      osslOk && !expected,
      `${file}: windowsOnly marks exactly the cases osslsigncode accepts`,
    );
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
