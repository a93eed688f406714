// How SQLite compares an integer column with a constraint value, so that a
// table narrows its rows only as far as SQLite itself would. osqueryd hands a
// generate each constraint as text (sqlite3_value_text of the right-hand
// side) and SQLite re-checks every returned row, so a narrowing may keep rows
// SQLite then drops, but must never drop one it would keep. The rules
// (https://sqlite.org/datatype3.html, "Comparison Expressions"):
//   - the column has INTEGER affinity, so a TEXT right-hand side that reads as
//     a number (optional blanks and sign, digits, a fraction, an exponent;
//     never hex) is compared as that number, other text stays text;
//   - every number sorts before every text, and every text before every BLOB;
//   - a BLOB arrives as its bytes, so the text "16" may have been x'3136',
//     which is greater than every integer.
// Hence: `=` narrows to the number (or to nothing: no integer equals text or
// a BLOB); `>`/`>=` narrow to above the number (or to nothing); `<`/`<=`
// never narrow (text and BLOBs are above every integer, so any text could
// mean "all rows").
import type { Constraint } from './table.js';

export type SqliteNumber = { readonly int: bigint } | { readonly real: number };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// sqlite3Isspace: space, \t, \n, \v, \f, \r (not Unicode blanks, which Number() accepts).
const NUMERIC = /^[ \t\n\v\f\r]*([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\v\f\r]*$/;

/**
 * The number SQLite's numeric affinity reads from text (sqlite3AtoF), or null
 * when the text stays text: '0x10', '', ' ', 'Infinity', '1e' all do.
 * Integers that fit 64 bits are exact; anything with a fraction or exponent,
 * or too large, is a REAL.
 */
export function sqliteNumeric(text: string): SqliteNumber | null {
  const m = NUMERIC.exec(text);
  if (!m) return null;
  const body = `${m[1]}${m[2]}${m[3] ?? ''}`;
  if (m[3] === undefined && !m[2].includes('.')) {
    const v = BigInt(body);
    if (v >= INT64_MIN && v <= INT64_MAX) return { int: v };
  }
  return { real: Number(body) };
}

/** An inclusive range of integers; empty when min > max. Bounds may be bigint or ±Infinity. */
export interface IntegerRange {
  readonly min: number | bigint;
  readonly max: number | bigint;
}

export const ALL_INTEGERS: IntegerRange = { min: -Infinity, max: Infinity };
const NONE: IntegerRange = { min: Infinity, max: -Infinity };

// A REAL reaches a table as SQLite prints it (15 significant digits), and the
// host's and SQLite's decimal parsers may differ in the last bit, so a REAL
// bound is widened by a relative margin far above both errors.
const REAL_SLACK = 2 ** -40;

/**
 * Every integer column value v for which SQLite could find `v op expr` true,
 * as a range that may be wider than needed but never narrower.
 */
export function integerRangeOf(c: Constraint): IntegerRange {
  if (c.op !== '=' && c.op !== '>' && c.op !== '>=') return ALL_INTEGERS;
  // SQLite prints an infinite REAL as Inf / -Inf, which read back as text.
  const n = /^[+-]?Inf$/.test(c.expr) ? { real: c.expr.startsWith('-') ? -Infinity : Infinity } : sqliteNumeric(c.expr);
  // Text (or a BLOB) is never equal to, nor below, an integer.
  if (n === null) return NONE;
  if ('int' in n) {
    if (c.op === '=') return { min: n.int, max: n.int };
    return { min: c.op === '>' ? n.int + 1n : n.int, max: Infinity };
  }
  const r = n.real;
  // No integer equals or exceeds +Inf; every one exceeds -Inf.
  if (!Number.isFinite(r)) return c.op === '=' || r > 0 ? NONE : ALL_INTEGERS;
  const slack = Math.abs(r) * REAL_SLACK + Number.MIN_VALUE;
  const low = Math.floor(r - slack);
  if (c.op === '=') return { min: Math.ceil(r - slack), max: Math.floor(r + slack) };
  return { min: low, max: Infinity };
}

const lower = (a: number | bigint, b: number | bigint): number | bigint => (a < b ? a : b);
const higher = (a: number | bigint, b: number | bigint): number | bigint => (a > b ? a : b);

/**
 * The integers a column's constraints leave possible. `=` entries are united
 * (osqueryd sends an IN list as several `=` on one column), the range
 * operators intersected with them (they are separate conjuncts).
 */
export function integerRangeOfAll(constraints: readonly Constraint[]): IntegerRange {
  let eq: IntegerRange | null = null;
  let hasEq = false;
  let min: number | bigint = -Infinity;
  for (const c of constraints) {
    const r = integerRangeOf(c);
    if (c.op === '=') {
      hasEq = true;
      if (r.min <= r.max) eq = eq === null ? r : { min: lower(eq.min, r.min), max: higher(eq.max, r.max) };
    } else {
      if (r.min > r.max) return NONE;
      min = higher(min, r.min);
    }
  }
  if (hasEq && eq === null) return NONE;
  const base = eq ?? ALL_INTEGERS;
  return { min: higher(base.min, min), max: base.max };
}

/**
 * The integers `=` (or IN) allows, or null when there is no `=` or the set is
 * too wide to list: SQLite then filters on its own.
 */
export function integerEqualities(constraints: readonly Constraint[], limit = 1024): Set<bigint> | null {
  const out = new Set<bigint>();
  let any = false;
  for (const c of constraints) {
    if (c.op !== '=') continue;
    any = true;
    const r = integerRangeOf(c);
    if (r.min > r.max) continue;
    const lo = BigInt(r.min as number | bigint);
    const hi = BigInt(r.max as number | bigint);
    if (hi - lo > BigInt(limit)) return null;
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return any ? out : null;
}
