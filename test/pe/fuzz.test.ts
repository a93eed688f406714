// Seeded mutations of the real PE fixtures through everything that reads
// bytes (PE reader, version resources, certificate table, DER/PKCS#7,
// Authenticode, hashing, miner scan): bit flips, truncations, header and
// directory fields overwritten with extreme values, and chunks spliced in from
// other fixtures. Nothing may throw (a non-PE is a PeError turned into a
// reason), hang, or grow memory. The slowest single check is reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parsePe } from '../../src/pe/pe.js';
import { parseTrustBundle } from '../../src/pe/authenticode.js';
import { factsFromBytes } from '../../src/signature/checker.js';
import { prng as rng } from '../support/prng.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pe');
const trust = parseTrustBundle(readFileSync(join(DIR, 'test-ca.pem'), 'utf8'));
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.exe'))
  .sort()
  .map((f) => ({ name: f, buf: readFileSync(join(DIR, f)) }));

const ITERATIONS = Number(process.env.AN1489_FUZZ_ITERATIONS ?? 20_000);
const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8];

/** Offsets of fields worth attacking in one fixture: header fields, data directories, section table, DER lengths. */
function interestingOffsets(buf: Buffer): number[] {
  const out: number[] = [0x3c];
  const pe = buf.readUInt32LE(0x3c);
  out.push(pe + 6, pe + 20); // NumberOfSections, SizeOfOptionalHeader
  const opt = pe + 24;
  const dd = opt + (buf.readUInt16LE(opt) === 0x10b ? 96 : 112);
  out.push(opt, opt + 60, dd - 4); // magic, SizeOfHeaders, NumberOfRvaAndSizes
  for (let i = 0; i < 16; i++) out.push(dd + i * 8, dd + i * 8 + 4);
  const image = parsePe(buf);
  const secTable = opt + buf.readUInt16LE(pe + 20);
  image.sections.forEach((_, i) =>
    out.push(secTable + i * 40 + 8, secTable + i * 40 + 12, secTable + i * 40 + 16, secTable + i * 40 + 20),
  );
  if (image.certTable) {
    const { offset, size } = image.certTable;
    out.push(offset, offset + 4);
    // Lengths inside the PKCS#7: every 0x30/0x31/0xa0/0x04 header within the first kilobyte and a sample after.
    for (let p = offset + 8; p < offset + size - 2; p++) {
      if (
        (buf[p] === 0x30 || buf[p] === 0x31 || buf[p] === 0xa0 || buf[p] === 0x04 || buf[p] === 0x02) &&
        (p < offset + 1024 || p % 7 === 0)
      )
        out.push(p + 1);
    }
  }
  return out;
}

const targets = fixtures.map((f) => ({ ...f, offsets: interestingOffsets(f.buf) }));

function mutate(r: () => number): { buf: Buffer; kind: string } {
  const base = targets[Math.floor(r() * targets.length)];
  const buf = Buffer.from(base.buf);
  const pick = r();
  if (pick < 0.3) {
    const flips = 1 + Math.floor(r() * 8);
    for (let i = 0; i < flips; i++) buf[Math.floor(r() * buf.length)] ^= 1 << Math.floor(r() * 8);
    return { buf, kind: 'bitflip' };
  }
  if (pick < 0.45) return { buf: buf.subarray(0, Math.floor(r() * buf.length)), kind: 'truncate' };
  if (pick < 0.85) {
    const at = base.offsets[Math.floor(r() * base.offsets.length)];
    const v = r() < 0.7 ? EXTREMES[Math.floor(r() * EXTREMES.length)] : Math.floor(r() * buf.length * 2);
    if (r() < 0.5 && at + 4 <= buf.length) buf.writeUInt32LE(v >>> 0, at);
    else if (at + 2 <= buf.length) buf.writeUInt16LE(v & 0xffff, at);
    else if (at < buf.length) buf[at] = v & 0xff;
    return { buf, kind: 'field' };
  }
  const donor = targets[Math.floor(r() * targets.length)].buf;
  const len = 1 + Math.floor(r() * 512);
  const from = Math.floor(r() * Math.max(1, donor.length - len));
  const to = Math.floor(r() * Math.max(1, buf.length - len));
  donor.copy(buf, to, from, from + len);
  return { buf, kind: 'splice' };
}

test(`${ITERATIONS} seeded mutations: no throw, no hang, memory flat`, async () => {
  const r = rng(0xa1489);
  let maxMs = 0;
  let maxKind = '';
  let total = 0;
  const outcomes = new Map<string, number>();
  let rssAfterWarmup = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const { buf, kind } = mutate(r);
    const t0 = performance.now();
    let facts;
    try {
      facts = await factsFromBytes(buf, trust);
    } catch (e) {
      assert.unreachable(`iteration ${i} (${kind}) threw: ${(e as Error).stack}`);
      return;
    }
    const ms = performance.now() - t0;
    total += ms;
    if (ms > maxMs) {
      maxMs = ms;
      maxKind = kind;
    }
    const status = facts.pe ? (facts.signatures[0]?.status ?? 'missing') : 'not_pe';
    outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
    if (i === Math.floor(ITERATIONS / 4)) rssAfterWarmup = process.memoryUsage().rss;
  }
  const rssEnd = process.memoryUsage().rss;
  const growthMb = (rssEnd - rssAfterWarmup) / 1024 / 1024;
  console.log(
    `fuzz: ${ITERATIONS} checks, mean ${(total / ITERATIONS).toFixed(3)} ms, max ${maxMs.toFixed(1)} ms (${maxKind}), rss growth after warm-up ${growthMb.toFixed(1)} MiB; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  // "No hang" only; the per-parse target lives in the benchmarks.
  assert.ok(maxMs < 1000, `slowest check took ${maxMs} ms`);
  assert.ok(growthMb < 64, `memory grew ${growthMb} MiB`);
  // The mutations must reach deep: some stay signed and verified, some become tampered or invalid, some stop being PE.
  for (const s of ['trusted', 'tampered', 'invalid', 'missing', 'not_pe'])
    assert.ok((outcomes.get(s) ?? 0) > 0, `no outcome ${s}`);
});

test('absurd sizes are refused before any allocation follows them', async () => {
  const base = Buffer.from(targets.find((t) => t.name === 'signed.exe')!.buf);
  const image = parsePe(base);
  const cert = image.certTable!;
  // A WIN_CERTIFICATE claiming 4 GiB, a DER length of 2^32-1, 65535 sections: each a clear result, quickly.
  const a = Buffer.from(base);
  a.writeUInt32LE(0xffffffff, cert.offset);
  assert.equal(parsePe(a).certificates, []);
  assert.ok(parsePe(a).warnings.some((w) => /certificate entry .* bad length/.test(w)));
  const b = Buffer.from(base);
  b.writeUInt8(0x84, cert.offset + 9);
  b.writeUInt32BE(0xffffffff, cert.offset + 10);
  const facts = await factsFromBytes(b, trust);
  assert.is(facts.signatures[0]?.status, 'invalid');
  const c = Buffer.from(base);
  c.writeUInt16LE(0xffff, c.readUInt32LE(0x3c) + 6);
  assert.throws(() => parsePe(c), /section count 65535/);
  assert.is((await factsFromBytes(c, trust)).reasons[0], 'not_pe');
});

test.run();
