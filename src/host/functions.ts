// osquery's SQL functions with osquery's semantics, surprises and errors
// included, so the embedded host answers as osqueryd would (docs/embedded-host.md).
// Only better-sqlite3's types are imported: the pack validator reads
// OSQUERY_FUNCTIONS without loading the native module.
import type { Database } from 'better-sqlite3';
import type { Arg, FunctionDef, Result } from './sql-functions/coerce.js';
import { ENCODING } from './sql-functions/encoding.js';
import { MATH } from './sql-functions/math.js';
import { NETWORK } from './sql-functions/network.js';
import { STRINGS } from './sql-functions/strings.js';
import { VERSION } from './sql-functions/version.js';

// --- what osqueryd's SQLite does not have --------------------------------
// osquery builds SQLite without SQLITE_ENABLE_MATH_FUNCTIONS
// (libraries/cmake/source/sqlite/CMakeLists.txt), better-sqlite3 with it. So
// SQLite's own math functions that osquery does not register itself fail in
// osqueryd ("no such function", at prepare) and would silently work here.
// They are replaced by ones that fail the same way when called.
export const MISSING_IN_OSQUERYD: readonly { readonly name: string; readonly arity: number }[] = [
  ...['acosh', 'asinh', 'atanh', 'cosh', 'sinh', 'tanh', 'ln', 'log2', 'trunc', 'ceiling'].map((name) => ({
    name,
    arity: 1,
  })),
  ...['atan2', 'mod', 'pow'].map((name) => ({ name, arity: 2 })),
];

const MISSING: FunctionDef[] = [
  ...MISSING_IN_OSQUERYD.map(({ name, arity }) => ({
    name,
    arity,
    fn: (): Result => {
      throw new Error(`no such function: ${name} (osqueryd's SQLite has no math extension)`);
    },
  })),
  // SQLite's two-argument log(B, X); osquery registers log with one argument only.
  {
    name: 'log',
    arity: 2,
    fn: (): Result => {
      throw new Error('wrong number of arguments to function log()');
    },
  },
];

const ALL: readonly FunctionDef[] = [...MATH, ...STRINGS, ...ENCODING, ...NETWORK, ...VERSION];

/** Names of osquery's SQL functions that the embedded host implements. */
export const OSQUERY_FUNCTIONS: readonly string[] = [...new Set(ALL.map((f) => f.name))].sort();

/** Registers every osquery function on a connection, overriding SQLite built-ins of the same name. */
export function registerOsqueryFunctions(db: Database): void {
  for (const def of [...ALL, ...MISSING]) {
    const fn = def.fn;
    if (def.arity < 0) {
      db.function(def.name, { deterministic: true, safeIntegers: true, varargs: true }, fn);
    } else {
      // better-sqlite3 takes the SQL arity from fn.length.
      const fixed = (...args: Arg[]): Result => fn(...args);
      Object.defineProperty(fixed, 'length', { value: def.arity });
      db.function(def.name, { deterministic: true, safeIntegers: true }, fixed);
    }
  }
}
