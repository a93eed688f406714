// A PE whose resource tree points thousands of language leaves at one large
// VERSIONINFO (issue 10 item 2): one parse budget per file and each data
// range parsed once, so it costs about what a one-leaf file costs. The
// baseline is the same VERSIONINFO under one leaf, measured in this test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { performance } from 'node:perf_hooks';
import { parsePe } from '../../src/pe/pe.js';
import { hostileVersionPe, peWithVersionLeaves, versionInfo } from '../support/hostile-pe.js';

function medianMs(f: () => void, runs = 7): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    f();
    t.push(performance.now() - a);
  }
  return t.sort((x, y) => x - y)[runs >> 1]!;
}

test('4,094 leaves over one 64 KB VERSIONINFO: one table, cost near one leaf, memory flat', () => {
  const hostile = hostileVersionPe();
  const single = peWithVersionLeaves(versionInfo(30, 1000, { OriginalFilename: 'hostile.exe' }), 1);
  assert.ok(hostile.length > 80_000 && hostile.length < 120_000, `hostile image is ${hostile.length} bytes`);
  const pe = parsePe(hostile);
  assert.is(pe.versionInfo.length, 1, 'the shared resource is reported once');
  assert.is(pe.versionInfo[0]!.strings['OriginalFilename'], 'hostile.exe');
  assert.is(Object.keys(pe.versionInfo[0]!.strings).length, 31);
  assert.equal(pe.warnings, []);

  const base = medianMs(() => parsePe(single));
  const rss0 = process.memoryUsage().rss;
  const cost = medianMs(() => parsePe(hostile));
  const grown = process.memoryUsage().rss - rss0;
  console.log(
    `  one leaf ${base.toFixed(2)} ms; 4,094 leaves ${cost.toFixed(2)} ms (${(cost / base).toFixed(1)}x); RSS +${(grown / 2 ** 20).toFixed(1)} MB`,
  );
  // Parsing per leaf would be ~4,000x; walking 4,094 directory entries is a few x.
  assert.ok(cost <= 50 * base + 5, `4,094 leaves cost ${cost.toFixed(1)} ms against ${base.toFixed(2)} ms for one`);
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
  const t = performance.now();
  const pe = parsePe(many);
  const ms = performance.now() - t;
  assert.is(pe.versionInfo.length, 1);
  assert.is(Object.keys(pe.versionInfo[0]!.strings).length, 1900);
  console.log(`  1,900 blocks under 4,094 leaves: ${ms.toFixed(1)} ms`);
});

test.run();
