// The byte scan (src/intel/byte-strings.ts) against two oracles: the plain
// definition (a string is found iff its ASCII or UTF-16LE form occurs, ASCII
// case folded) on adversarial inputs, and the regular-expression scan it
// replaced on the PE fixtures and real files with strings planted in them, so
// it finds exactly what was found before. Inputs an attacker would write: many
// near-misses, dense pattern bytes, overlapping strings, strings across every
// chunk and lane boundary, and a stream far larger than memory would hold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByteStringMatcher } from '../../src/intel/byte-strings.js';
import { MINER_BINARY_STRINGS, minerStringMatcher } from '../../src/intel/miner.js';
import { SignatureChecker } from '../../src/signature/checker.js';
import { CHUNK_BYTES } from '../../src/signature/stream.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', '..', 'test', 'fixtures', 'pe');

/** The definition: ASCII case folding of the bytes (latin1 lower-casing never produces ASCII from non-ASCII), then substring search. */
function oracle(bytes: Buffer, strings: readonly string[] = MINER_BINARY_STRINGS): string[] {
  const text = bytes.toString('latin1').toLowerCase();
  return strings.filter((s) => text.includes(s) || text.includes([...s].join('\0'))).sort();
}

/** The scan this one replaced: one case-insensitive alternation over the latin1 view (non-overlapping matches). */
function regexScan(bytes: Buffer): string[] {
  const esc = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const alts = MINER_BINARY_STRINGS.flatMap((t) => [[...t].map(esc).join(''), [...t].map(esc).join('\\x00')]);
  const found = new Set<string>();
  for (const m of bytes.toString('latin1').matchAll(new RegExp(alts.join('|'), 'gi')))
    found.add(m[0].replace(/\0/g, '').toLowerCase());
  return [...found].sort();
}

function scan(bytes: Buffer, chunk = CHUNK_BYTES, m: ByteStringMatcher = minerStringMatcher()): string[] {
  const s = m.scan();
  for (let off = 0; off < bytes.length; off += chunk) s.feed(bytes.subarray(off, off + chunk));
  if (bytes.length === 0) s.feed(bytes);
  return s.results();
}

/** A deterministic generator (xorshift), so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const utf16 = (s: string) => Buffer.from(s, 'utf16le').subarray(0, s.length * 2 - 1);
const flipCase = (s: string, r: () => number) => [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');

test('the PE fixtures: the same strings as the regular-expression scan, in one chunk and in odd chunks', () => {
  const files = readdirSync(FIXTURES, { recursive: true, withFileTypes: true }).filter(
    (d) => d.isFile() && d.name.endsWith('.exe'),
  );
  assert.ok(files.length >= 5, 'fixtures present');
  for (const d of files) {
    const bytes = readFileSync(join(d.parentPath, d.name));
    assert.equal(scan(bytes, bytes.length), regexScan(bytes), d.name);
    assert.equal(scan(bytes, 4093), regexScan(bytes), `${d.name} in 4093-byte chunks`);
  }
});

test('fixtures with every string planted (ASCII, UTF-16LE, mixed case) at random offsets: the same as before', () => {
  const r = rng(7);
  const base = readFileSync(join(FIXTURES, 'signed.exe'));
  for (let round = 0; round < 20; round++) {
    const bytes = Buffer.from(base);
    const planted = MINER_BINARY_STRINGS.filter(() => r() < 0.4);
    for (const s of planted) {
      const form = r() < 0.5 ? Buffer.from(flipCase(s, r), 'latin1') : utf16(flipCase(s, r));
      form.copy(bytes, Math.floor(r() * (bytes.length - form.length)));
    }
    const expected = regexScan(bytes);
    assert.equal(scan(bytes), expected, `round ${round}`);
    assert.equal(scan(bytes, 1 + Math.floor(r() * 5000)), expected, `round ${round}, odd chunks`);
    assert.equal(expected, oracle(bytes), `round ${round}: the regex scan and the definition agree`);
  }
});

test('a string at every offset around each lane and chunk boundary of a large chunk is found', () => {
  // Lanes split a chunk in quarters and warm up over `longest` bytes before each; a string may end anywhere in there.
  const size = 64 * 1024;
  const lane = size / 4;
  const w = minerStringMatcher().longest;
  for (const s of ['xmrig', 'stratum2+tcp://', 'mining.authorize']) {
    for (const form of [Buffer.from(s.toUpperCase(), 'latin1'), utf16(s)]) {
      for (const edge of [lane, 2 * lane, 3 * lane, size]) {
        for (let at = edge - 2 * w - form.length; at <= edge + w; at++) {
          const bytes = Buffer.alloc(2 * size, 0x20);
          form.copy(bytes, at);
          assert.equal(scan(bytes, size), [s], `${s} at ${at} (edge ${edge})`);
        }
      }
    }
  }
});

test('adversarial inputs: near-misses, dense pattern bytes and overlapping strings agree with the definition', () => {
  const r = rng(99);
  const near = MINER_BINARY_STRINGS.flatMap((s) => [s.slice(0, -1), s.slice(1), `${s.slice(0, -1)}_`]);
  const alphabet = [...new Set(MINER_BINARY_STRINGS.join('') + '\0')];
  const shapes: [string, () => Buffer][] = [
    ['every near-miss repeated, ASCII', () => Buffer.from(near.join('').repeat(200), 'latin1')],
    ['every near-miss repeated, UTF-16LE', () => Buffer.from(near.join('').repeat(100), 'utf16le')],
    [
      'prefixes of every string',
      () =>
        Buffer.from(
          MINER_BINARY_STRINGS.flatMap((s) => [...s].map((_, i) => s.slice(0, i)))
            .join('')
            .repeat(50),
          'latin1',
        ),
    ],
    [
      'random bytes from the strings alphabet',
      () =>
        Buffer.from(
          Array.from({ length: 200_000 }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''),
          'latin1',
        ),
    ],
    [
      'random near-misses and strings, mixed case and encodings',
      () =>
        Buffer.concat(
          Array.from({ length: 3000 }, () => {
            const s =
              r() < 0.02
                ? MINER_BINARY_STRINGS[Math.floor(r() * MINER_BINARY_STRINGS.length)]
                : near[Math.floor(r() * near.length)];
            return r() < 0.5 ? Buffer.from(flipCase(s, r), 'latin1') : utf16(flipCase(s, r));
          }),
        ),
    ],
    ['overlapping strings', () => Buffer.from('minexmrig nanopoolc3pool mining.subscribemining.authorize', 'latin1')],
    [
      'UTF-16LE with the NULs in the wrong place',
      () => Buffer.from('\0x\0m\0r\0i\0g xm\0r\0ig x\0\0m\0r\0i\0g', 'latin1'),
    ],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [name, make] of shapes) {
    const bytes = make();
    const expected = oracle(bytes);
    for (const chunk of [CHUNK_BYTES, 1 + Math.floor(r() * 300), 4096])
      assert.equal(scan(bytes, chunk), expected, `${name}, chunks of ${chunk}`);
  }
  // Overlapping occurrences are all found (the regex scan, matching left to right without overlap, missed xmrig here).
  assert.equal(scan(Buffer.from('minexmrig')), ['minexmr', 'xmrig']);
  assert.equal(
    scan(Buffer.from('\0x\0m\0r\0i\0g', 'latin1')),
    ['xmrig'],
    'a NUL before the first character is still UTF-16LE of xmrig',
  );
});

test('other string sets: duplicates, case, strings inside strings, and invalid sets refused', () => {
  const m = new ByteStringMatcher(['ABC', 'abc', 'b', 'abcd', 'cd+/']);
  assert.equal(m.strings, ['abc', 'b', 'abcd', 'cd+/']);
  assert.equal(scan(Buffer.from('xxaBcD+/'), 3, m), ['abc', 'abcd', 'b', 'cd+/']);
  assert.equal(scan(Buffer.from('a\0b\0c', 'latin1'), 1, m), ['abc', 'b']);
  assert.throws(() => new ByteStringMatcher([]));
  assert.throws(() => new ByteStringMatcher(['']));
  assert.throws(() => new ByteStringMatcher(['caf\u00e9']));
});

test('a 256 MiB stream of near-misses: found at the end, nothing held but the state', () => {
  const unit = Buffer.from(
    MINER_BINARY_STRINGS.map((s) => s.slice(0, -1))
      .join(' ')
      .repeat(8192)
      .slice(0, CHUNK_BYTES),
    'latin1',
  );
  assert.is(unit.length, CHUNK_BYTES);
  const s = minerStringMatcher().scan();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 256; i++) s.feed(unit);
  assert.equal(s.results(), []);
  // The scan keeps no bytes: memory outside the heap did not grow with the stream.
  assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024, 'no bytes retained');
  s.feed(Buffer.from('..XMRIG..'));
  assert.equal(s.results(), ['xmrig']);
  const all = minerStringMatcher().scan();
  all.feed(Buffer.from(MINER_BINARY_STRINGS.join(' ')));
  assert.ok(all.complete, 'every string found: later bytes are not read');
});

test('the checker reports strings planted in a real file across its 1 MiB chunks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-bytescan-'));
  try {
    const bytes = Buffer.concat([readFileSync(join(FIXTURES, 'signed.exe')), Buffer.alloc(3 * CHUNK_BYTES, 0x41)]);
    Buffer.from('XmRiG', 'latin1').copy(bytes, CHUNK_BYTES - 2);
    utf16('stratum+tcp://').copy(bytes, 2 * CHUNK_BYTES - 7);
    utf16('donate-level').copy(bytes, bytes.length - 23);
    const path = join(dir, 'planted.exe');
    writeFileSync(path, bytes);
    const result = await new SignatureChecker({ cacheBytes: 0 }).check({ readPath: path });
    assert.equal(result.minerIndicators, ['string:donate-level', 'string:stratum+tcp://', 'string:xmrig']);
    assert.equal(regexScan(bytes), ['donate-level', 'stratum+tcp://', 'xmrig']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
