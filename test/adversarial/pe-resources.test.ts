// A PE whose resource tree points thousands of language leaves at one large
// VERSIONINFO (issue 10 item 2): one parse budget per file and each data
// range parsed once. What it costs against the same VERSIONINFO under one
// leaf is timed by scripts/bench/hostile-shapes.bench.ts; here, what it
// yields and that memory stays flat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePe } from '../../src/pe/pe.js';
import { hostileVersionPe, peWithVersionLeaves, versionInfo } from '../support/hostile-pe.js';

test('4,094 leaves over one 64 KB VERSIONINFO: one table, cost near one leaf, memory flat', () => {
  const hostile = hostileVersionPe();
  const single = peWithVersionLeaves(versionInfo(30, 1000, { OriginalFilename: 'hostile.exe' }), 1);
  assert.ok(hostile.length > 80_000 && hostile.length < 120_000, `hostile image is ${hostile.length} bytes`);
  const pe = parsePe(hostile);
  assert.is(pe.versionInfo.length, 1, 'the shared resource is reported once');
  assert.is(pe.versionInfo[0]!.strings['OriginalFilename'], 'hostile.exe');
  assert.is(Object.keys(pe.versionInfo[0]!.strings).length, 31);
  assert.equal(pe.warnings, []);

  assert.equal(parsePe(single).versionInfo[0]!.strings, pe.versionInfo[0]!.strings);
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 7; i++) parsePe(hostile);
  const grown = process.memoryUsage().rss - rss0;
  assert.ok(grown < 50 * 2 ** 20, `RSS grew ${grown} bytes`);
});

test('4,094 distinct data entries over the same bytes: parsed once; distinct resources beyond the cap are a warning, not a stall', () => {
  const pe = parsePe(hostileVersionPe(false));
  assert.is(pe.versionInfo.length, 1);
  // Distinct ranges (each leaf a different size): the 17th resource stops the walk.
  const v = versionInfo(30, 1000);
  const img = peWithVersionLeaves(v, 64, false);
  const base = img.readUInt32LE(0x44 + 20 + 224 + 20);
  for (let i = 0; i < 64; i++) {
    const entry = base + 48 + 16 + 64 * 8 + i * 16;
    img.writeUInt32LE(v.length + i, entry + 4);
  }
  const damaged = parsePe(img);
  assert.equal(damaged.versionInfo, []);
  assert.ok(
    damaged.warnings.some((w) => /version resources|version blocks/.test(w)),
    damaged.warnings.join('; '),
  );
});

test('one block budget across resources: many small blocks under every leaf stop at the budget', () => {
  const many = peWithVersionLeaves(versionInfo(1900, 1), 4094, false);
  const pe = parsePe(many);
  assert.is(pe.versionInfo.length, 1);
  assert.is(Object.keys(pe.versionInfo[0]!.strings).length, 1900);
});

test.run();
