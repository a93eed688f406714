// A table is a declaration (name, typed columns with options, examples) plus a
// generate function. This module is the contract shared by the extension
// server (which answers osqueryd), the embedded SQL host (which answers the
// CLI) and every table under src/tables/. It knows nothing of Thrift or SQLite.

/** osquery's column types, spelled as osqueryd expects them in route info. */
export type ColumnType = 'TEXT' | 'INTEGER' | 'BIGINT' | 'UNSIGNED BIGINT' | 'DOUBLE' | 'BLOB';

/** osquery's ColumnOptions bit flags (osquery/core/sql/column.h). */
export const ColumnOption = {
  DEFAULT: 0,
  /** Treat this column as a primary key. */
  INDEX: 1,
  /** The column must be constrained in the WHERE clause. */
  REQUIRED: 2,
  /** Constraining this column changes the rows produced (a table parameter). */
  ADDITIONAL: 4,
  /** Constraints on this column make the generate cheaper. */
  OPTIMIZED: 8,
  /** Not part of SELECT *; must be named explicitly. */
  HIDDEN: 16,
} as const;

export interface ColumnDeclaration {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  /** OR of ColumnOption flags. */
  readonly options?: number;
}

/** Constraint operators that osqueryd forwards, by their op code. */
export const ConstraintOpCode = {
  '=': 2,
  '>': 4,
  '<=': 8,
  '<': 16,
  '>=': 32,
  LIKE: 65,
  GLOB: 66,
  REGEXP: 67,
} as const;
export type ConstraintOp = keyof typeof ConstraintOpCode;

export interface Constraint {
  readonly op: ConstraintOp;
  /** osquery passes every constraint value as its text form. */
  readonly expr: string;
}

/**
 * What a generate is asked for: the constraints on each column (an SQL `IN`
 * arrives as several `=` entries) and which columns the query uses (null when
 * unknown, meaning all of them).
 */
export interface QueryContext {
  readonly constraints: ReadonlyMap<string, readonly Constraint[]>;
  readonly colsUsed: ReadonlySet<string> | null;
}

/** A value as a generate returns it; null (or a missing key) is SQL NULL. */
export type CellValue = string | number | bigint | null | undefined;
export type Row = Record<string, CellValue>;

export interface TablePlugin {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDeclaration[];
  /** SQL examples, shown in docs and checked by tests. */
  readonly examples: readonly string[];
  /** Platforms where the table is meaningful (osquery spellings: windows, linux, darwin). */
  readonly platforms: readonly ('windows' | 'linux' | 'darwin')[];
  generate(context: QueryContext): Promise<Iterable<Row>> | Iterable<Row>;
}

/** Every `=` value given for a column (IN lists arrive as several). */
export function equalities(context: QueryContext, column: string): string[] {
  return (context.constraints.get(column) ?? []).filter((c) => c.op === '=').map((c) => c.expr);
}

/** A context with no constraints, as for `SELECT * FROM t`. */
export function emptyContext(): QueryContext {
  return { constraints: new Map(), colsUsed: null };
}
