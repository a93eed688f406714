// The one-pass reader on files bigger than its first chunk: a PE with a
// 3 MiB overlay, signed by osslsigncode, so the certificate table lies far
// past the first 1 MiB chunk and the Authenticode image digest spans many
// chunks. Our verdict must match `osslsigncode verify` for the intact file
// and for a copy with one byte flipped deep in the overlay. A header whose
// certificate table claims 200 MB of a sparse file is damage, not a 200 MB
// read. And the pure policy takes plain, validated facts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrustBundle, SignatureChecker } from '../../src/signature/checker.js';
import { CHUNK_BYTES } from '../../src/signature/stream.js';
import { BinaryFactsSchema, judgeBinary } from '../../src/signature/policy.js';
import { parsePe } from '../../src/pe/pe.js';
import { makeSigningChain, run, signPe } from '../support/code-signing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', '..', 'test', 'fixtures', 'pe');
const dir = mkdtempSync(join(tmpdir(), 'an1489-stream-'));
const p = (n: string) => join(dir, n);

test('a signed PE with a 3 MiB overlay: the streamed digests agree with osslsigncode, intact and tampered', async () => {
  await makeSigningChain(dir, 'Stream');
  writeFileSync(
    p('in.exe'),
    Buffer.concat([readFileSync(join(FIXTURES, 'unsigned.exe')), randomBytes(3 * 1024 * 1024)]),
  );
  assert.is(await signPe(dir, p('in.exe'), p('big.exe')), 0);
  const signed = readFileSync(p('big.exe'));
  assert.ok(parsePe(signed).certTable!.offset > 2 * CHUNK_BYTES, 'the certificate table is past the first chunks');
  const bad = Buffer.from(signed);
  bad[Math.floor(2.5 * CHUNK_BYTES)] ^= 0xff;
  writeFileSync(p('bad.exe'), bad);

  const checker = new SignatureChecker({ cacheBytes: 0, trust: await loadTrustBundle(p('ca.pem')) });
  const good = await checker.check({ readPath: p('big.exe') });
  assert.is((await run('osslsigncode', ['verify', '-CAfile', p('ca.pem'), '-in', p('big.exe')])).code, 0);
  assert.is(good.signatureStatus, 'trusted');
  assert.is(good.sha256, createHash('sha256').update(signed).digest('hex'));
  assert.is(good.size, signed.length);
  const tampered = await checker.check({ readPath: p('bad.exe') });
  assert.is.not((await run('osslsigncode', ['verify', '-CAfile', p('ca.pem'), '-in', p('bad.exe')])).code, 0);
  assert.is(tampered.signatureStatus, 'tampered');
});

test('a certificate table claiming 200 MB of a sparse file is damage, read within the view budget', async () => {
  const pe = Buffer.from(readFileSync(join(FIXTURES, 'unsigned.exe')));
  const image = parsePe(pe);
  assert.ok(image.certDirectoryOffset !== null);
  pe.writeUInt32LE(pe.length, image.certDirectoryOffset!); // table starts right after the image...
  pe.writeUInt32LE(200_000_000, image.certDirectoryOffset! + 4); // ...and claims 200 MB
  writeFileSync(p('claims.exe'), pe);
  truncateSync(p('claims.exe'), pe.length + 200_000_000);
  const before = process.memoryUsage().rss;
  const r = await new SignatureChecker({ cacheBytes: 0 }).check({ readPath: p('claims.exe') });
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'the table is not buffered');
  assert.is(r.pe, true);
  assert.ok(r.reasons.includes('pe_damaged'), r.reasons.join(','));
});

test('the policy is a pure function of plain facts, validated at the boundary', () => {
  const facts = BinaryFactsSchema.parse({
    path: 'C:\\Users\\Public\\svchost.exe',
    file: {
      onDisk: true,
      size: 1000,
      sha256: 'a'.repeat(64),
      pe: true,
      version: { OriginalFilename: 'xmrig.exe' },
      signatures: [],
      minerStrings: [],
      reasons: [],
    },
    cmdlines: ['svchost.exe -o pool.minexmr.com:4444'],
    image: null,
  });
  const a = judgeBinary(facts);
  assert.equal(judgeBinary(structuredClone(facts)), a);
  assert.is(a.verdict, 'masquerade');
  assert.equal(a.reasons, ['miner_cmdline', 'miner_pool', 'renamed_system_name', 'unexpected_location', 'unsigned']);
  assert.not.ok(
    BinaryFactsSchema.safeParse({ ...facts, file: { ...facts.file, reasons: ['no_such_reason'] } }).success,
  );
  assert.not.ok(BinaryFactsSchema.safeParse({ ...facts, file: { ...facts.file, sha256: 'xyz' } }).success);
  // Bytes that may not be the running image are never vouched for.
  const clean = {
    ...facts,
    path: 'C:\\Windows\\System32\\svchost.exe',
    cmdlines: [],
    file: { ...facts.file, version: { OriginalFilename: 'svchost.exe' } },
  };
  assert.is(judgeBinary(clean).verdict, 'ok');
  assert.is(
    judgeBinary({ ...clean, image: { bytesFrom: 'path', deleted: false, replaced: false, changedAfterStart: true } })
      .verdict,
    'unknown',
  );
  assert.is(
    judgeBinary({
      ...clean,
      image: { bytesFrom: 'running_image', deleted: true, replaced: true, changedAfterStart: false },
    }).verdict,
    'ok',
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
