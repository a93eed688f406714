// Reading a QueryContext's constraints into the narrowings the history
// tables use (a pid set, a numeric range), shared by all three tables.
import { equalities, type QueryContext } from '../sdk/table.js';

/** The pids asked for with = / IN, or null when any pid may match. */
export function pidFilter(context: QueryContext): Set<number> | null {
  const values = equalities(context, 'pid');
  if (values.length === 0) return null;
  // A value that is not an integer can match no pid; it narrows to nothing.
  return new Set(values.map(Number).filter((n) => Number.isSafeInteger(n)));
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * The range of a numeric column implied by its constraints (inclusive bounds
 * on integers). Values that are not numbers are ignored: SQLite re-checks
 * every returned row, so ignoring a constraint is safe, dropping rows is not.
 */
export function integerRange(context: QueryContext, column: string): Range {
  let min = -Infinity;
  let max = Infinity;
  for (const c of context.constraints.get(column) ?? []) {
    const v = Number(c.expr);
    if (c.expr.trim() === '' || !Number.isFinite(v)) continue;
    switch (c.op) {
      case '=':
        min = Math.max(min, Math.ceil(v));
        max = Math.min(max, Math.floor(v));
        break;
      case '>':
        min = Math.max(min, Math.floor(v) + 1);
        break;
      case '>=':
        min = Math.max(min, Math.ceil(v));
        break;
      case '<':
        max = Math.min(max, Math.ceil(v) - 1);
        break;
      case '<=':
        max = Math.min(max, Math.floor(v));
        break;
      default:
        break;
    }
  }
  return { min, max };
}

/** The single `=` value given for a parameter column, or the default. */
export function numericParameter(context: QueryContext, column: string, fallback: number, check: (v: number) => string | null): number {
  const values = equalities(context, column);
  if (values.length === 0) return fallback;
  if (new Set(values).size > 1) throw new Error(`${column} takes one value, got ${values.length}`);
  const v = Number(values[0]);
  const problem = values[0].trim() === '' || !Number.isFinite(v) ? 'must be a number' : check(v);
  if (problem !== null) throw new Error(`${column} ${problem} (got ${JSON.stringify(values[0].slice(0, 40))})`);
  return v;
}
