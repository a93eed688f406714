// Reading a QueryContext's constraints into the narrowings the history
// tables use (a pid set, a numeric range), shared by all three tables.
import { equalities, type QueryContext } from '../sdk/table.js';
import { integerEqualities, integerRangeOfAll, sqliteNumeric, type IntegerRange } from '../sdk/compare.js';

/**
 * The pids asked for with = / IN, or null when any pid may match. Read with
 * SQLite's comparison rules (src/sdk/compare.ts): '0x10' or '' match no pid.
 */
export function pidFilter(context: QueryContext): Set<number> | null {
  const values = integerEqualities(context.constraints.get('pid') ?? []);
  if (values === null) return null;
  // A pid is a safe integer, so a larger value matches none.
  return new Set(
    [...values]
      .filter((v) => v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER))
      .map(Number),
  );
}

export type Range = IntegerRange;

/**
 * The integers an integer column may hold given its constraints: never
 * narrower than what SQLite keeps (`<`/`<=` do not narrow, see compare.ts).
 */
export function integerRange(context: QueryContext, column: string): Range {
  return integerRangeOfAll(context.constraints.get(column) ?? []);
}

/** The single `=` value given for a parameter column, or the default. */
export function numericParameter(
  context: QueryContext,
  column: string,
  fallback: number,
  check: (v: number) => string | null,
): number {
  const values = equalities(context, column);
  if (values.length === 0) return fallback;
  if (new Set(values).size > 1) throw new Error(`${column} takes one value, got ${values.length}`);
  // As SQLite reads a number ('0x32' and '' are not), so the parameter used is the value SQLite compares.
  const n = sqliteNumeric(values[0]);
  const v = n === null ? NaN : 'int' in n ? Number(n.int) : n.real;
  const problem = !Number.isFinite(v) ? 'must be a number' : check(v);
  if (problem !== null) throw new Error(`${column} ${problem} (got ${JSON.stringify(values[0].slice(0, 40))})`);
  return v;
}
