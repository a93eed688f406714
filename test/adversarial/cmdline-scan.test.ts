// scanCommandLine on command lines an attacker shapes (issue 10 item 1): what
// it finds in long runs and across its window edges, and the same hits on
// every attacker shape however long. That its cost grows linearly with length
// is timed by the benchmark (scripts/bench/cmdline-scan.bench.ts, 1 MB against
// 64 KB of each shape, median ratio <= 20x), not here: a unit test does not
// time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MINER_POOL_HOSTS, poolHostsIn, scanCommandLine } from '../../src/intel/miner.js';
import { prng } from '../support/prng.js';
import { CMDLINE_SHAPES } from '../support/cmdline-shapes.js';

test('the pool scan still finds pools in a long run, and as subdomains, and not as prefixes', () => {
  const junk = 'a.'.repeat(50_000);
  assert.equal(poolHostsIn(`${junk}pool.minexmr.com`), ['pool.minexmr.com']);
  assert.equal(poolHostsIn(`x ${'a'.repeat(100_000)} eu.pool.minexmr.com:4444`), ['pool.minexmr.com']);
  assert.equal(poolHostsIn('pool.minexmr.com..x pool.minexmr.com.evil'), ['pool.minexmr.com']);
  assert.equal(scanCommandLine(`${'a.'.repeat(32_768)} -o pool.minexmr.com:4444`), [
    'flag:-o pool.',
    'pool:pool.minexmr.com',
  ]);
});

test('windowed scan = one whole-text scan, wherever a pool name or flag falls against a window edge', () => {
  // Reference: the plain definition, run on the whole text at once.
  const hosts = new Set(MINER_POOL_HOSTS.map((h) => h.toLowerCase()));
  const reference = (lower: string): string[] => {
    const out = new Set<string>();
    for (const m of lower.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+/g)) {
      const labels = m[0].split('.');
      for (let i = 0; i < labels.length - 1; i++) {
        const suffix = labels.slice(i).join('.');
        if (hosts.has(suffix)) {
          out.add(suffix);
          break;
        }
      }
    }
    return [...out].sort();
  };
  const r = prng(7);
  const pieces = [
    'pool.minexmr.com',
    'eu.pool.minexmr.com',
    'minexmr.com',
    '.',
    '..',
    'x',
    '-',
    ' ',
    ':4444',
    'xmr.2miners.com',
    ' -o pool.',
    ' --donate-level=0',
    'LS1kb25hdGUtbGV2ZWw9',
  ];
  for (let n = 0; n < 150; n++) {
    const pad = 16 * 1024 - 40 + Math.floor(r() * 80);
    let text = 'a'.repeat(pad);
    while (text.length < pad + 120) text += pieces[Math.floor(r() * pieces.length)]!;
    text += 'b'.repeat(Math.floor(r() * 3));
    const lower = text.toLowerCase();
    assert.equal(poolHostsIn(lower), reference(lower), `case ${n}`);
    const hits = scanCommandLine(text);
    for (const f of [' -o pool.', '--donate-level'])
      assert.is(hits.includes(`flag:${f.trim()}`), lower.includes(f), `case ${n} ${f}`);
    assert.is(hits.includes('b64:LS1kb25hdGUtbGV2ZWw9'), text.includes('LS1kb25hdGUtbGV2ZWw9'), `case ${n} b64`);
  }
});

test('every attacker shape: the same hits at 64 KB and at 1 MB (random shapes aside), and a pool after 1 MB of it is found', () => {
  for (const shape of CMDLINE_SHAPES) {
    const small = scanCommandLine(shape.make(64 * 1024, 3));
    const large = scanCommandLine(shape.make(1024 * 1024, 3));
    if (!shape.name.startsWith('random')) assert.equal(large, small, shape.name);
    const tail = scanCommandLine(`${shape.make(1024 * 1024, 4)} -o pool.minexmr.com:4444`);
    assert.ok(tail.includes('pool:pool.minexmr.com'), `${shape.name}: ${tail.join(',')}`);
  }
});

test.run();
