// Typed eponymous virtual tables on better-sqlite3.
//
// better-sqlite3's public db.table() declares every column without a type
// (`CREATE TABLE x("pid", "name")`), so its columns have no affinity and
// `WHERE pid = '4'` would not match an integer 4, nor would a TEXT snapshot
// column join an integer one the way it does in osqueryd, whose virtual tables
// declare `pid BIGINT`. db.table() is a thin JS wrapper that builds that
// untyped declaration and hands it to the native layer; we call the native
// layer with a typed declaration instead. Its contract (pinned
// better-sqlite3@12.6.2, src/util/custom-table.cpp): the factory returns
// [declaration SQL, generator, parameter names, safeIntegers, directOnly]; the
// first N declared columns are the parameters, which SQLite may constrain
// only with `=` and which arrive as the generator's arguments (undefined when
// unconstrained); the generator yields one array per row covering every
// declared column in order. test/host/host.test.ts checks the affinity, so an
// upgrade that changes this contract fails loudly there.
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { SqlValue } from './values.js';

const require = createRequire(import.meta.url);

const nativeTable = z.object({
  table: z.custom<(factory: () => unknown[], name: string, eponymous: boolean) => void>((v) => typeof v === 'function'),
});

function native(db: Database): z.infer<typeof nativeTable> {
  const util: unknown = require('better-sqlite3/lib/util.js');
  const key = z.object({ cppdb: z.symbol() }).safeParse(util);
  if (!key.success)
    throw new Error('better-sqlite3 internals changed: lib/util.js has no cppdb symbol (pinned 12.6.2)');
  const handle: unknown = (db as unknown as Record<symbol, unknown>)[key.data.cppdb];
  const parsed = nativeTable.safeParse(handle);
  if (!parsed.success) throw new Error('better-sqlite3 internals changed: no native table() (pinned 12.6.2)');
  // Bind so the native method keeps its receiver.
  const table = parsed.data.table.bind(handle);
  return { table };
}

export interface VirtualColumn {
  readonly name: string;
  /** SQLite declared type (TEXT, INTEGER, REAL, BLOB). */
  readonly sqlType: string;
}

export interface VirtualTableSpec {
  readonly name: string;
  /** Hidden columns; SQLite forwards `=` on them to scan() as arguments. */
  readonly parameters: readonly VirtualColumn[];
  /** Visible columns, in SELECT * order. */
  readonly columns: readonly VirtualColumn[];
  /**
   * Called synchronously when SQLite starts a scan, with the parameter values
   * (undefined when unconstrained); returns rows covering parameters then
   * columns, in declaration order.
   */
  scan(args: readonly unknown[]): Iterable<SqlValue[]>;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function declareVirtualTable(db: Database, spec: VirtualTableSpec): void {
  if (spec.parameters.length > 32) throw new Error(`table ${spec.name}: more than 32 hidden columns`);
  const declaration = [
    ...spec.parameters.map((c) => `${quoteIdent(c.name)} ${c.sqlType} HIDDEN`),
    ...spec.columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`),
  ].join(', ');
  const sql = `CREATE TABLE x(${declaration});`;
  const generator = function* (...args: unknown[]): Generator<SqlValue[]> {
    yield* spec.scan(args);
  };
  const names = spec.parameters.map((c) => c.name);
  // safeIntegers 1: parameters arrive as bigint, so large values stay exact.
  native(db).table(() => [sql, generator, names, 1, false], spec.name, true);
}
