// The pure verdict policy on the shapes of issue "Precision", fed both ways:
// facts from our PE reader (live) and facts from osquery's file/authenticode
// rows (replay, src/replay/binary-verdict.ts). One policy answers both.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeBinary, type FileFacts, type SignatureFact } from '../../src/signature/policy.js';
import { factsFromOsquery, judgeFromOsqueryFacts, type OsqueryBinaryFacts } from '../../src/replay/binary-verdict.js';

const sig = (status: SignatureFact['status'], signer = 'CN=Vendor'): SignatureFact => ({
  status,
  signerSubject: signer,
  signerIssuer: 'CN=CA',
  digestAlgorithm: 'sha256',
  timestamp: null,
});
const live = (original: string | null, signatures: SignatureFact[]): FileFacts => ({
  onDisk: true,
  size: 1000,
  sha256: 'ab'.repeat(32),
  pe: true,
  version: original === null ? null : { OriginalFilename: original },
  signatures,
  minerStrings: [],
  reasons: [],
});
const judge = (path: string, file: FileFacts) => judgeBinary({ path, file, cmdlines: [], image: null });
const osq = (o: Partial<OsqueryBinaryFacts> & { path: string }): OsqueryBinaryFacts => ({
  fileRow: true,
  originalFilename: '',
  size: 1000,
  authenticode: 'trusted',
  signerSubject: 'Vendor',
  signerIssuer: 'CA',
  sha256: 'cd'.repeat(32),
  cmdlines: [],
  ...o,
});

test('.NET apphost: OriginalFilename <name>.dll is no rename, live and replay alike; another program .dll is', () => {
  assert.is(judge('C:\\Program Files\\PowerShell\\7\\pwsh.exe', live('pwsh.dll', [sig('trusted')])).renamed, false);
  assert.is(
    judgeFromOsqueryFacts(osq({ path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', originalFilename: 'pwsh.dll' }))
      .renamed,
    false,
  );
  const miner = judge('C:\\Users\\a\\AppData\\Local\\svchelper.exe', live('NBMiner.dll', []));
  assert.is(miner.renamed, true);
  assert.is(miner.verdict, 'renamed');
});

test('vendor component name out of its folders: vendor_name_misplaced and suspicious; in its folder: nothing', () => {
  const out = judge(
    'C:\\Users\\Public\\Libraries\\GoogleUpdate.exe',
    live('GoogleUpdate.exe', [sig('trusted', 'CN=Google LLC')]),
  );
  assert.ok(out.reasons.includes('vendor_name_misplaced'));
  assert.is(out.verdict, 'suspicious');
  const home = judge(
    'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe',
    live('MsMpEng.exe', [sig('trusted')]),
  );
  assert.not.ok(home.reasons.includes('vendor_name_misplaced'));
  assert.is(home.verdict, 'ok');
  const replayed = judgeFromOsqueryFacts(
    osq({ path: 'C:\\ProgramData\\Microsoft OneDrive\\OneDriveStandaloneUpdater.exe', authenticode: 'missing' }),
  );
  assert.equal(
    [replayed.reasons.includes('vendor_name_misplaced'), replayed.reasons.includes('unsigned'), replayed.signed],
    [true, true, false],
  );
});

test('signatures are exactly as strong as checked: tampered is our reader only; osquery untrusted/distrusted stay untrusted; no row is unknown', () => {
  const tampered = judge(
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe',
    live('chrome_proxy.exe', [sig('tampered', 'CN=Google LLC')]),
  );
  assert.equal([tampered.signed, tampered.signatureStatus, tampered.verdict], [true, 'tampered', 'suspicious']);
  assert.ok(tampered.reasons.includes('signature_tampered'));
  for (const result of ['untrusted', 'distrusted']) {
    const j = judgeFromOsqueryFacts(
      osq({
        path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe',
        originalFilename: 'chrome_proxy.exe',
        authenticode: result,
      }),
    );
    assert.equal([j.signed, j.signatureStatus], [true, 'untrusted'], result);
    assert.not.ok(j.reasons.includes('signature_tampered'), result);
  }
  // No authenticode row: osquery drops it whenever it cannot read the signer's details, even for a
  // verified signature (osquery/tables/system/windows/authenticode.cpp, getOriginalProgramName).
  const unknown = judgeFromOsqueryFacts(osq({ path: 'C:\\Tools\\x.exe', authenticode: null }));
  assert.equal([unknown.signed, unknown.signatureStatus], [null, null]);
  assert.not.ok(unknown.reasons.includes('unsigned'));
  assert.is(factsFromOsquery(osq({ path: 'C:\\x.exe', authenticode: 'trusted' })).signatures[0].status, 'trusted');
  assert.is(factsFromOsquery(osq({ path: 'C:\\x.exe', authenticode: 'valid' })).signatures[0].status, 'valid');
  assert.equal(factsFromOsquery(osq({ path: 'C:\\x.exe', authenticode: 'missing' })).signatures, []);
});

test('the same facts give the same verdict through the live and the replay door', () => {
  const path = 'C:\\Users\\Public\\svchost.exe';
  const a = judge(path, live('xmrig.exe', []));
  const b = judgeFromOsqueryFacts(
    osq({ path, originalFilename: 'xmrig.exe', authenticode: 'missing', sha256: 'ab'.repeat(32) }),
  );
  assert.equal(
    [b.verdict, b.renamed, b.signed, b.expectedLocation, b.reasons],
    [a.verdict, a.renamed, a.signed, a.expectedLocation, a.reasons],
  );
  assert.is(a.verdict, 'masquerade');
});

test.run();
