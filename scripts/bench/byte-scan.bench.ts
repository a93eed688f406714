// The miner-string byte scan on inputs an attacker would write, against the
// same scan of a real PE's bytes: every shape must cost about what a benign
// file costs per byte (the automaton takes one table step per byte whatever
// the bytes hold), and 32 MiB of a shape about 16x what 2 MiB costs (linear).
//
// Floor: the benign PE's per-byte cost, and 16x the 2 MiB time, measured in the
// same run, as this thread's CPU time (the scan is one synchronous loop, so a
// loaded machine stretches its wall time far more than its CPU time). Target:
// every shape <= 2x the benign per-byte cost and its 32 MiB / 2 MiB ratio
// <= 24x (medians of interleaved rounds): room for a loaded host's cache
// misses, while a scan that backtracks or grows faster than linearly shows
// many times over (quadratic is 256x). Answer: each
// shape's strings at 32 MiB equal those at 2 MiB and the plain definition
// (ASCII case folding, then substring search) of its 2 MiB unit.
import { readFileSync } from 'node:fs';
import { pickWinePe } from './pe-common.js';
import { median, report, reportCrash, rounds, x } from './bench.js';
import { MINER_BINARY_STRINGS, minerStringMatcher } from '../../src/intel/miner.js';
import { CHUNK_BYTES } from '../../src/signature/stream.js';

const PER_BYTE_LIMIT = 2;
const GROWTH_LIMIT = 24;
const ROUNDS = rounds(7, 3);
const SMALL = 2 << 20;
const LARGE = 32 << 20;

const source = pickWinePe();
if (!source) {
  reportCrash('byte-scan', new Error('no wine PE of 4-8 MB found (apt-get install wine64)'));
  process.exit(1);
}

/** `unit` repeated to `size` bytes. */
function fill(unit: Buffer, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += unit.length) unit.copy(out, off, 0, Math.min(unit.length, size - off));
  return out;
}

const near = MINER_BINARY_STRINGS.flatMap((s) => [s.slice(0, -1), s.slice(1)]).join(' ');
const alphabet = [...new Set(MINER_BINARY_STRINGS.join('') + '\0')].join('');
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
const shapes: [string, Buffer][] = [
  ['benign PE', readFileSync(source)],
  ['near-misses ASCII', Buffer.from(near, 'latin1')],
  ['near-misses UTF-16LE', Buffer.from(near, 'utf16le')],
  [
    'pattern alphabet at random',
    Buffer.from(
      Array.from({ length: 1 << 16 }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
      'latin1',
    ),
  ],
  // One string everywhere, so the scan never has them all and stops early: a match every few bytes.
  [
    'one string everywhere, both encodings',
    Buffer.concat([Buffer.from('xmrigXmRiG', 'latin1'), Buffer.from('XMRIG', 'utf16le')]),
  ],
];

function scan(bytes: Buffer): string[] {
  const s = minerStringMatcher().scan();
  for (let off = 0; off < bytes.length; off += CHUNK_BYTES) s.feed(bytes.subarray(off, off + CHUNK_BYTES));
  return s.results();
}

/** CPU milliseconds of a synchronous call. */
function cpuMs(f: () => unknown): number {
  const before = process.cpuUsage();
  f();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

/** The definition, for the answer check (latin1 lower-casing never turns a non-ASCII byte into ASCII). */
function definition(bytes: Buffer): string[] {
  const text = bytes.toString('latin1').toLowerCase();
  return MINER_BINARY_STRINGS.filter((s) => text.includes(s) || text.includes([...s].join('\0'))).sort();
}

try {
  const inputs = shapes.map(([name, unit]) => ({
    name,
    small: fill(unit, SMALL),
    large: fill(unit, LARGE),
    ms: { small: [] as number[], large: [] as number[] },
  }));
  let sameAnswers = true;
  const answers: string[] = [];
  for (const input of inputs) {
    const expected = definition(input.small).join(',');
    const a = scan(input.small).join(',');
    const b = scan(input.large).join(',');
    if (a !== expected || b !== expected) sameAnswers = false;
    answers.push(`${input.name}: ${b || '(none)'}${a !== expected || b !== expected ? ' DIFFERS' : ''}`);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const input of inputs) {
      input.ms.small.push(cpuMs(() => scan(input.small)));
      input.ms.large.push(cpuMs(() => scan(input.large)));
    }
  }
  const nsPerByte = (ms: number) => (ms * 1e6) / LARGE;
  const benign = nsPerByte(median(inputs[0].ms.large));
  let worstPerByte = 0;
  let worstGrowth = 0;
  for (const input of inputs) {
    const perByte = nsPerByte(median(input.ms.large));
    const growth = median(input.ms.large) / median(input.ms.small);
    worstPerByte = Math.max(worstPerByte, perByte / benign);
    worstGrowth = Math.max(worstGrowth, growth);
    console.log(
      `${input.name}: 32 MiB ${median(input.ms.large).toFixed(1)} ms CPU (${perByte.toFixed(2)} ns/byte, ${x(perByte / benign)} benign), 2 MiB ${median(input.ms.small).toFixed(1)} ms, growth ${growth.toFixed(1)}x`,
    );
  }
  report('byte-scan', {
    against: 'floor',
    versus: `the scan of a benign PE (${benign.toFixed(2)} ns/byte) and 16x the 2 MiB scan`,
    met: worstPerByte <= PER_BYTE_LIMIT && worstGrowth <= GROWTH_LIMIT,
    figures: `worst shape ${x(worstPerByte)} the benign cost per byte (target <= ${PER_BYTE_LIMIT}x), worst 32 MiB / 2 MiB ${worstGrowth.toFixed(1)}x (target <= ${GROWTH_LIMIT}x, linear 16x)`,
    sameAnswer: sameAnswers,
    answer: answers.join('; '),
  });
} catch (e) {
  reportCrash('byte-scan', e);
}
