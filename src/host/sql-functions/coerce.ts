// SQLite value coercions as osquery's C++ reads arguments (sqlite3_value_text,
// _int, _double), and the shape every function here is written in.
import { realText } from '../values.js';
/** A function argument as better-sqlite3 passes it with safe integers on. */
export type Arg = string | number | bigint | Buffer | null;
export type Result = string | number | bigint | null;

export interface FunctionDef {
  readonly name: string;
  /** Argument count, or -1 for any number. */
  readonly arity: number;
  readonly fn: (...args: Arg[]) => Result;
}

// --- SQLite value coercions (sqlite3_value_text / _int / _double) ---------

export function text(v: Arg): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return realText(v);
  return v.toString('utf8');
}

/** C strings end at the first NUL; osquery reads sqlite3_value_text as one. */
export function cText(v: Arg): string {
  const s = text(v);
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** sqlite3_value_bytes-long bytes of sqlite3_value_text (NULs included). */
export function bytes(v: Arg): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(text(v), 'utf8');
}

/** The bytes a C string (up to the first NUL) reads from sqlite3_value_text. */
export function cBytes(v: Arg): Buffer {
  const b = bytes(v);
  const nul = b.indexOf(0);
  return nul >= 0 ? b.subarray(0, nul) : b;
}

export function leadingNumber(s: string): number {
  // sqlite3AtoF skips ASCII blanks only.
  const m = /^[ \t\n\v\f\r]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/.exec(s);
  return m ? Number(m[0]) : 0;
}

export function double(v: Arg): number {
  if (v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return leadingNumber(text(v));
}

/** sqlite3_value_int: a 32-bit integer, text read by its leading digits. */
export function int32(v: Arg): number {
  if (v === null) return 0;
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  const d = typeof v === 'number' ? v : leadingNumber(text(v));
  return Number.isFinite(d) ? Math.trunc(d) | 0 : 0;
}

/** static_cast<size_t>(int): a negative index can never be in range. */
export function index(v: Arg): number {
  const i = int32(v);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

export const isText = (v: Arg): v is string => typeof v === 'string';
export const isInteger = (v: Arg): v is bigint => typeof v === 'bigint';
