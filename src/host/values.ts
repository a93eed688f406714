// How values cross into and out of the embedded SQLite, done the way osqueryd
// does it so that a query behaves the same here as on a fleet host. Our
// tables' rows and snapshot rows both pass through toSqlValue, so a snapshot
// `processes.pid` and one of our BIGINT pids are the same kind of value and
// join.
import type { CellValue, ColumnType } from '../sdk/table.js';

export type SqlValue = string | number | bigint | null;

/**
 * The SQLite declared type for an osquery column type. The declared type is
 * what gives a column its affinity, which decides whether `pid = '4'` matches
 * an integer 4 (it does in osqueryd, whose virtual tables declare types).
 */
export function sqliteType(type: ColumnType): 'TEXT' | 'INTEGER' | 'REAL' | 'BLOB' {
  switch (type) {
    case 'TEXT':
      return 'TEXT';
    case 'INTEGER':
    case 'BIGINT':
    case 'UNSIGNED BIGINT':
      return 'INTEGER';
    case 'DOUBLE':
      return 'REAL';
    case 'BLOB':
      return 'BLOB';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses an integer the way osquery's tryTo<long long>(value, 0) does
 * (strtoll with base 0: optional sign, 0x hex, leading-0 octal, decimal; the
 * whole string must be consumed). Returns null where osquery would log
 * "Error casting" and yield NULL.
 */
export function parseOsqueryInteger(text: string): bigint | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return null;
  const digits = m[2];
  let magnitude: bigint;
  if (/^0[xX]/.test(digits)) magnitude = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) magnitude = BigInt(`0o${digits.slice(1)}`);
  else magnitude = BigInt(digits);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value < INT64_MIN || value > INT64_MAX) return null;
  return value;
}

/**
 * A generate's (or snapshot's) cell as the SQLite value osqueryd would hand
 * over for a column of this type: text columns get text, numeric columns get
 * numbers, and '' or unparseable text in a numeric column becomes NULL, as in
 * osquery's DynamicTableRow column conversion.
 */
export function toSqlValue(type: ColumnType, value: CellValue): SqlValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'TEXT':
    case 'BLOB':
      return typeof value === 'string' ? value : String(value);
    case 'INTEGER':
    case 'BIGINT':
    case 'UNSIGNED BIGINT': {
      // Always a bigint: better-sqlite3 hands any JS number to SQLite as a
      // REAL, which would make typeof(pid) 'real' and print 4 as "4.0".
      if (typeof value === 'bigint') return BigInt.asIntN(64, value);
      if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
      return parseOsqueryInteger(value);
    }
    case 'DOUBLE': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (typeof value === 'bigint') return Number(value);
      if (value.trim() === '') return null;
      // strtod accepts leading blanks but nothing after the number.
      if (/\s$/.test(value)) return null;
      const n = Number(value);
      return Number.isFinite(n) ? n : null;
    }
  }
}

/**
 * SQLite's own text rendering of a REAL ("%!.15g": 2.0 prints as "2.0"),
 * which is what osqueryd prints since it reads every result column as text.
 */
export function realText(x: number): string {
  if (Number.isNaN(x)) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  const p = x.toPrecision(15);
  const e = p.indexOf('e');
  if (e >= 0) {
    let mant = p.slice(0, e);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '.0');
    else mant = `${mant}.0`;
    const exp = Number(p.slice(e + 1));
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (!p.includes('.')) return `${p}.0`;
  return p.replace(/0+$/, '').replace(/\.$/, '.0');
}

/**
 * A result cell as osqueryd prints it: text, or null for SQL NULL. Statements
 * are read with safe integers on, so every SQLite INTEGER arrives as a bigint
 * and every JS number here is a REAL (2.0 must print as "2.0", not "2").
 */
export function resultText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return realText(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}
