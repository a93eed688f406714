// Command-line shapes an attacker can give a process (long runs, many dots,
// unicode, near-miss pool names), shared by the linearity test and benchmark.
import { performance } from 'node:perf_hooks';
import { prng } from './prng.js';
import { scanCommandLine } from '../../src/intel/miner.js';

export interface CmdlineShape {
  readonly name: string;
  /** `length` characters of this shape; `salt` makes each string distinct (the scan caches). */
  make(length: number, salt: number): string;
}

function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

const randomCache = new Map<string, string>();
/** Seeded random text, generated once per (seed, length): the salt, not the body, makes strings distinct. */
function randomText(seed: number, alphabet: string, length: number): string {
  const key = `${seed}:${length}`;
  const hit = randomCache.get(key);
  if (hit !== undefined) return hit;
  const r = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(alphabet[Math.floor(r() * alphabet.length)]!);
  const text = out.join('');
  randomCache.set(key, text);
  return text;
}

// Decoded from UTF-8 bytes, as the extension gets every command line (Thrift strings, /proc files): a flat
// string. Built by repeat() and concatenation, it would be a rope whose flattening V8 does superlinearly.
const salted = (salt: number, body: string): string =>
  Buffer.from(`${salt.toString(36)} ${body}`, 'utf8').toString('utf8');

export const CMDLINE_SHAPES: readonly CmdlineShape[] = [
  { name: '"a." repeated', make: (n, s) => salted(s, repeatTo('a.', n)) },
  { name: 'one dotless run', make: (n, s) => salted(s, repeatTo('a', n)) },
  { name: 'dots only', make: (n, s) => salted(s, repeatTo('.', n)) },
  { name: 'labels and double dots', make: (n, s) => salted(s, repeatTo('ab-9.c..', n)) },
  { name: 'near-miss pool names', make: (n, s) => salted(s, repeatTo('pool.minexmr.co.', n)) },
  { name: 'upper case and flags', make: (n, s) => salted(s, repeatTo('POOL.MINEXMR.-O --DONATE-LEVEL= ', n)) },
  { name: 'unicode around dots', make: (n, s) => salted(s, repeatTo('é.ü.日本.😀a.', n)) },
  {
    name: 'random printable',
    make: (n, s) => salted(s, randomText(1, 'abcdefghijklmnopqrstuvwxyz0123456789.-. :/=ABCDEZ', n)),
  },
  { name: 'random with unicode', make: (n, s) => salted(s, randomText(2, 'ab.-.é日😀 x9.', n)) },
];

/**
 * Milliseconds of scanCommandLine over `small`- and `large`-character inputs,
 * runs interleaved: the median (what a benchmark judges) or the fastest run
 * (the intrinsic cost, least disturbed by a loaded machine).
 */
export function timeScan(
  shape: CmdlineShape,
  small: number,
  large: number,
  runs: number,
  stat: 'median' | 'min' = 'median',
): { small: number; large: number } {
  const ts: number[] = [];
  const tl: number[] = [];
  let salt = Math.floor(performance.now() * 1000);
  scanCommandLine(shape.make(small, salt++));
  for (let i = 0; i < runs; i++) {
    const a = shape.make(small, salt++);
    const b = shape.make(large, salt++);
    let t = performance.now();
    scanCommandLine(a);
    ts.push(performance.now() - t);
    t = performance.now();
    scanCommandLine(b);
    tl.push(performance.now() - t);
  }
  const pick = (xs: number[]) => xs.sort((x, y) => x - y)[stat === 'min' ? 0 : Math.floor(xs.length / 2)]!;
  return { small: pick(ts), large: pick(tl) };
}
