// The embedded SQL host: osquery-style SQL over our TablePlugins and snapshot
// tables without osqueryd; how a statement runs in rounds is in docs/embedded-host.md.
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import type { ColumnDeclaration, ColumnType, Constraint, QueryContext, Row, TablePlugin } from '../sdk/table.js';
import { ColumnOption } from '../sdk/table.js';
import { MISSING_IN_OSQUERYD, registerOsqueryFunctions } from './functions.js';
import type { SnapshotTable } from './snapshot.js';
import { analyzeStatement, type StatementHints, type TableShape } from './statement.js';
import { declareVirtualTable, quoteIdent } from './vtab.js';
import { resultText, sqliteType, toSqlValue, type SqlValue } from './values.js';

/**
 * 'input': the statement or data given by the user is wrong (bad SQL, unknown
 * table, a forbidden statement). 'table': a table's generate failed.
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly kind: 'input' | 'table',
    message: string,
  ) {
    super(message);
  }
}

export interface HostColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly hidden: boolean;
}

export interface HostTable {
  readonly name: string;
  readonly kind: 'plugin' | 'snapshot';
  readonly description: string;
  readonly columns: readonly HostColumn[];
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** Cells as osqueryd prints them: text, or null for SQL NULL. */
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface HostOptions {
  readonly tables: readonly TablePlugin[];
  readonly snapshots?: readonly SnapshotTable[];
  /** Upper bound on generate rounds per statement (see above). */
  readonly maxRounds?: number;
}

interface PluginEntry {
  readonly plugin: TablePlugin;
  readonly params: readonly ColumnDeclaration[];
  readonly visible: readonly ColumnDeclaration[];
}

interface Miss {
  readonly entry: PluginEntry;
  readonly key: string;
  readonly args: readonly unknown[];
}

const isHidden = (c: ColumnDeclaration): boolean => ((c.options ?? 0) & ColumnOption.HIDDEN) !== 0;

function argKey(args: readonly unknown[]): string {
  return JSON.stringify(args.map((a) => (a === undefined ? null : [typeof a, resultText(a)])));
}

export class EmbeddedHost {
  private readonly db: DB;
  private readonly plugins = new Map<string, PluginEntry>();
  private readonly snapshots = new Map<string, SnapshotTable>();
  private readonly maxRounds: number;
  /** Rows per table per parameter tuple, for the statement being run. */
  private cache = new Map<string, Map<string, SqlValue[][]>>();
  private misses = new Map<string, Miss>();
  /** TEMP tables standing in for our tables during the statement being run. */
  private readonly shadows = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Prepared statements of a host serving snapshots only (no plugin tables,
   * so no shadow tables come and go): a caller running the same queries over
   * many data sets (replay, one host after another) prepares each once.
   */
  private readonly prepared = new Map<string, { stmt: Statement; hints: StatementHints }>();

  constructor(options: HostOptions) {
    this.maxRounds = options.maxRounds ?? 16;
    this.db = new Database(':memory:');
    try {
      registerOsqueryFunctions(this.db);
      for (const plugin of options.tables) this.addPlugin(plugin);
      for (const snap of options.snapshots ?? []) this.addSnapshot(snap);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  private addPlugin(plugin: TablePlugin): void {
    const key = plugin.name.toLowerCase();
    if (this.plugins.has(key)) throw new Error(`table ${plugin.name} is registered twice`);
    const names = new Set<string>();
    for (const c of plugin.columns) {
      if (names.has(c.name.toLowerCase())) throw new Error(`table ${plugin.name}: column ${c.name} is declared twice`);
      names.add(c.name.toLowerCase());
    }
    const entry: PluginEntry = {
      plugin,
      params: plugin.columns.filter(isHidden),
      visible: plugin.columns.filter((c) => !isHidden(c)),
    };
    declareVirtualTable(this.db, {
      name: plugin.name,
      parameters: entry.params.map((c) => ({ name: c.name, sqlType: sqliteType(c.type) })),
      columns: entry.visible.map((c) => ({ name: c.name, sqlType: sqliteType(c.type) })),
      scan: (args) => this.scan(entry, args),
    });
    this.plugins.set(key, entry);
  }

  private addSnapshot(snap: SnapshotTable): void {
    const key = snap.name.toLowerCase();
    // A snapshot may not stand in for one of our tables: a query would then
    // silently read stale captured rows where the user expects live ones.
    if (this.plugins.has(key)) {
      throw new HostError(
        'input',
        `snapshot ${snap.file}: table ${snap.name} is one of this extension's tables and cannot be replaced by a snapshot`,
      );
    }
    if (this.snapshots.has(key))
      throw new HostError('input', `snapshot ${snap.file}: table ${snap.name} is loaded twice`);
    this.writeTempTable(
      snap.name,
      snap.columns,
      snap.rows.map((row) => {
        const lower = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
        return snap.columns.map((c) => toSqlValue(c.type, lower.get(c.name.toLowerCase())));
      }),
    );
    this.snapshots.set(key, snap);
  }

  /**
   * Replaces a loaded snapshot table's rows, keeping its columns (and so every
   * prepared statement): the next data set for the same queries.
   */
  replaceSnapshotRows(name: string, rows: SnapshotTable['rows']): void {
    const snap = this.snapshots.get(name.toLowerCase());
    if (!snap) throw new HostError('input', `no snapshot table ${name} to replace`);
    this.db.exec(`DELETE FROM temp.${quoteIdent(snap.name)}`);
    const insert = this.db.prepare(
      `INSERT INTO temp.${quoteIdent(snap.name)} VALUES (${snap.columns.map(() => '?').join(', ')})`,
    );
    this.db.transaction(() => {
      for (const row of rows) insert.run(snap.columns.map((c) => toSqlValue(c.type, row[c.name])));
    })();
  }

  /** A typed TEMP table holding rows already converted with toSqlValue. */
  private writeTempTable(
    name: string,
    columns: readonly { name: string; type: ColumnType }[],
    rows: Iterable<SqlValue[]>,
  ): void {
    const cols = columns.map((c) => `${quoteIdent(c.name)} ${sqliteType(c.type)}`).join(', ');
    this.db.exec(`CREATE TEMP TABLE ${quoteIdent(name)} (${cols})`);
    const insert = this.db.prepare(
      `INSERT INTO temp.${quoteIdent(name)} VALUES (${columns.map(() => '?').join(', ')})`,
    );
    this.db.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
  }

  /** Called by SQLite (synchronously) when it starts scanning one of our tables. */
  private *scan(entry: PluginEntry, args: readonly unknown[]): Generator<SqlValue[]> {
    const key = argKey(args);
    const rows = this.cache.get(entry.plugin.name)?.get(key);
    if (rows) {
      yield* rows;
      return;
    }
    this.misses.set(`${entry.plugin.name}\u0000${key}`, { entry, key, args: [...args] });
  }

  private shape = (name: string): TableShape | undefined => {
    const key = name.toLowerCase();
    const p = this.plugins.get(key);
    if (p)
      return { name: p.plugin.name, columns: p.plugin.columns.map((c) => ({ name: c.name, hidden: isHidden(c) })) };
    const s = this.snapshots.get(key);
    if (s) return { name: s.name, columns: s.columns.map((c) => ({ name: c.name, hidden: false })) };
    return undefined;
  };

  private async materialize(miss: Miss, hints: StatementHints): Promise<void> {
    const { entry, args } = miss;
    const constraints = new Map<string, Constraint[]>(hints.constraintsFor(entry.plugin.name));
    entry.params.forEach((c, i) => {
      const v = args[i];
      if (v !== undefined && v !== null) constraints.set(c.name, [{ op: '=', expr: resultText(v) ?? '' }]);
    });
    // colsUsed stays null (all columns): no table of ours narrows its work by the columns a query reads.
    const context: QueryContext = { constraints, colsUsed: null };
    let produced: Iterable<Row>;
    try {
      produced = await entry.plugin.generate(context);
    } catch (e) {
      throw new HostError('table', `table ${entry.plugin.name}: ${(e as Error).message ?? String(e)}`);
    }
    const rows: SqlValue[][] = [];
    for (const row of produced) {
      const out: SqlValue[] = [];
      entry.params.forEach((c, i) => {
        const own = row[c.name];
        // Echo the constraint into the hidden column when generate did not.
        out.push(own === undefined || own === null ? ((args[i] ?? null) as SqlValue) : toSqlValue(c.type, own));
      });
      for (const c of entry.visible) out.push(toSqlValue(c.type, row[c.name]));
      rows.push(out);
    }
    const perTable = this.cache.get(entry.plugin.name) ?? new Map<string, SqlValue[][]>();
    perTable.set(miss.key, rows);
    this.cache.set(entry.plugin.name, perTable);
    if (entry.params.length === 0) {
      // Virtual tables have no indexes, so a join between two of them is a
      // nested loop through JS (quadratic). A table without hidden columns
      // has one row set per statement, so it is also written to a TEMP table
      // of the same name, which shadows the virtual table when the statement
      // re-prepares; SQLite then builds automatic indexes for joins. Tables
      // with hidden columns stay virtual: a TEMP table cannot hide columns.
      this.writeTempTable(entry.plugin.name, entry.visible, rows);
      this.shadows.add(entry.plugin.name);
    }
  }

  /** Whether SQLite compiles both statements to the same program (EXPLAIN listing). */
  private sameProgram(a: string, b: string): boolean {
    try {
      const program = (s: string): string => JSON.stringify(this.db.prepare(`EXPLAIN ${s}`).raw(true).all());
      return program(a) === program(b);
    } catch {
      return false;
    }
  }

  private prepare(sql: string): Statement {
    let stmt: Statement;
    try {
      stmt = this.db.prepare(sql);
    } catch (e) {
      throw new HostError('input', (e as Error).message);
    }
    // SQLite's own compiled program says what the statement does, whatever
    // text leads up to it: ATTACH and DETACH report themselves read-only
    // (they change no database file), so they are found by the calls they compile to.
    let program: { opcode: string; p4: unknown }[];
    try {
      program = this.db.prepare(`EXPLAIN ${sql}`).all() as { opcode: string; p4: unknown }[];
    } catch {
      throw new HostError('input', 'the statement cannot be examined (does it begin with an empty statement, ";"?)');
    }
    if (!stmt.readonly) throw new HostError('input', 'only read-only statements (SELECT) are allowed');
    if (program.some((op) => typeof op.p4 === 'string' && /^sqlite_(attach|detach)\(/.test(op.p4))) {
      throw new HostError('input', 'ATTACH and DETACH are not allowed: the host only reads its own tables');
    }
    return stmt;
  }

  /** Runs one statement. Statements on one host run one at a time. */
  query(sql: string): Promise<QueryResult> {
    const run = this.queue.then(() => this.run(sql));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(sql: string): Promise<QueryResult> {
    let entry = this.plugins.size === 0 ? this.prepared.get(sql) : undefined;
    if (entry === undefined) {
      entry = {
        stmt: this.prepare(sql),
        hints: analyzeStatement(sql, this.shape, (rewritten) => this.sameProgram(sql, rewritten)),
      };
      if (this.plugins.size === 0 && this.prepared.size < 256) this.prepared.set(sql, entry);
    }
    const { stmt, hints } = entry;
    this.cache = new Map();
    try {
      for (let round = 0; ; round++) {
        this.misses = new Map();
        let raw: unknown[][];
        try {
          if (stmt.reader) raw = stmt.raw(true).safeIntegers(true).all() as unknown[][];
          else {
            stmt.run();
            raw = [];
          }
        } catch (e) {
          throw new HostError('input', (e as Error).message);
        }
        if (this.misses.size === 0) {
          const columns = stmt.reader ? stmt.columns().map((c) => c.name) : [];
          return { columns, rows: raw.map((r) => r.map(resultText)) };
        }
        if (round + 1 >= this.maxRounds) {
          throw new HostError(
            'input',
            `statement still needed new table rows after ${this.maxRounds} rounds of generate; simplify its joins`,
          );
        }
        for (const miss of this.misses.values()) await this.materialize(miss, hints);
      }
    } finally {
      this.cache = new Map();
      this.misses = new Map();
      for (const name of this.shadows) this.db.exec(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
      this.shadows.clear();
    }
  }

  tables(): HostTable[] {
    const out: HostTable[] = [];
    for (const e of this.plugins.values()) {
      out.push({
        name: e.plugin.name,
        kind: 'plugin',
        description: e.plugin.description,
        columns: e.plugin.columns.map((c) => ({ name: c.name, type: c.type, hidden: isHidden(c) })),
      });
    }
    for (const s of this.snapshots.values()) {
      out.push({
        name: s.name,
        kind: 'snapshot',
        description: `snapshot from ${s.file}`,
        columns: s.columns.map((c) => ({ ...c, hidden: false })),
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The table's declaration as osqueryi's .schema prints it, or undefined. */
  schema(name: string): string | undefined {
    const t = this.tables().find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!t) return undefined;
    const cols = t.columns.map((c) => `\`${c.name}\` ${c.type}${c.hidden ? ' HIDDEN' : ''}`);
    return `CREATE TABLE ${t.name}(${cols.join(', ')});`;
  }

  close(): void {
    this.db.close();
  }
}

/** Every SQL function a statement on the host may call: SQLite's and osquery's. */
export function sqlFunctionNames(): string[] {
  const db = new Database(':memory:');
  try {
    registerOsqueryFunctions(db);
    const rows = db.prepare('SELECT DISTINCT name FROM pragma_function_list ORDER BY name').pluck().all() as string[];
    const missing = new Set(MISSING_IN_OSQUERYD.map((f) => f.name));
    return rows.filter((name) => !missing.has(name));
  } finally {
    db.close();
  }
}
