// Table plugins as osqueryd sees them: route info at registration, then
// call('table', name, {action: 'columns' | 'generate', context}) per query.
//
// The shapes follow osquery/core/tables.cpp: route rows are
// {id:'column', name, type, op:<ColumnOptions as decimal>} per column plus an
// {id:'attributes', attributes} row; the generate context is the JSON that
// TablePlugin::setRequestFromContext writes:
//   {"constraints":[{"name":"pid","list":[{"op":2,"expr":"1"}],"affinity":"BIGINT"}],
//    "colsUsed":["pid"], "colsUsedBitset":1}
// and every cell of a result row is text, a NULL being an absent key.
import { z } from 'zod';
import { TType, type PluginRequest, type PluginResponse } from '../protocol/index.js';
import { encodedString, type BinaryWriter } from './writer.js';
import {
  ConstraintOpCode,
  type ColumnDeclaration,
  type ColumnType,
  type Constraint,
  type ConstraintOp,
  type QueryContext,
  type Row,
  type TablePlugin,
} from './table.js';
import type { CallResult, ExtensionHandler, WireRows } from './server.js';

const COLUMN_TYPES: readonly ColumnType[] = ['TEXT', 'INTEGER', 'BIGINT', 'UNSIGNED BIGINT', 'DOUBLE', 'BLOB'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OP_BY_CODE = new Map<number, ConstraintOp>(
  Object.entries(ConstraintOpCode).map(([op, code]) => [code, op as ConstraintOp]),
);

/** Problems with a table declaration; empty when osqueryd would accept it. */
export function declarationProblems(table: TablePlugin): string[] {
  const problems: string[] = [];
  if (!IDENTIFIER.test(table.name)) problems.push(`table name ${JSON.stringify(table.name)} is not an SQL identifier`);
  if (table.columns.length === 0)
    problems.push(`table ${table.name} declares no columns (osqueryd refuses empty route info)`);
  const seen = new Set<string>();
  for (const c of table.columns) {
    if (!IDENTIFIER.test(c.name)) problems.push(`${table.name}.${c.name}: column name is not an SQL identifier`);
    if (seen.has(c.name)) problems.push(`${table.name}.${c.name}: duplicate column`);
    seen.add(c.name);
    if (!COLUMN_TYPES.includes(c.type)) problems.push(`${table.name}.${c.name}: unknown type ${String(c.type)}`);
    const opts = c.options ?? 0;
    if (!Number.isInteger(opts) || opts < 0 || opts > 0xffff)
      problems.push(`${table.name}.${c.name}: bad options ${opts}`);
  }
  return problems;
}

/** The route rows osqueryd expects for a table (TablePlugin::routeInfo). */
export function routeInfo(table: TablePlugin): PluginResponse {
  const rows: PluginResponse = table.columns.map((c) => ({
    id: 'column',
    name: c.name,
    type: c.type,
    op: String(c.options ?? 0),
  }));
  rows.push({ id: 'attributes', attributes: '0' });
  return rows;
}

const ContextSchema = z.object({
  constraints: z
    .array(
      z.object({
        name: z.string(),
        list: z.array(z.object({ op: z.number().int().nonnegative(), expr: z.string() })).default([]),
        affinity: z.string().optional(),
      }),
    )
    .default([]),
  colsUsed: z.array(z.string()).optional(),
  colsUsedBitset: z.number().optional(),
});

export class ContextError extends Error {
  override name = 'ContextError';
}

/** Parses osquery's query-context JSON; unknown operators are dropped (the table then sees fewer constraints, never wrong ones). */
export function parseQueryContext(json: string | undefined): QueryContext {
  if (json === undefined || json === '') return { constraints: new Map(), colsUsed: null };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ContextError(`query context is not JSON: ${(err as Error).message}`);
  }
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success)
    throw new ContextError(
      `query context has an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const constraints = new Map<string, Constraint[]>();
  for (const entry of parsed.data.constraints) {
    const list = constraints.get(entry.name) ?? [];
    for (const c of entry.list) {
      const op = OP_BY_CODE.get(c.op);
      if (op !== undefined) list.push({ op, expr: c.expr });
    }
    constraints.set(entry.name, list);
  }
  return { constraints, colsUsed: parsed.data.colsUsed ? new Set(parsed.data.colsUsed) : null };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** One cell as osquery text; undefined means NULL (the key is omitted). */
export function encodeCell(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      if (Number.isInteger(value)) {
        // String() switches to exponent form at 1e21; osquery wants digits.
        return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
      }
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    case 'undefined':
      return undefined;
    default:
      if (value === null) return undefined;
      if (value instanceof Date) return String(Math.floor(value.getTime() / 1000));
      return String(value);
  }
}

/** True when an INTEGER cell holds a value that a 32-bit C long (Windows) cannot. */
function overflowsInt32(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && (value < INT32_MIN || value > INT32_MAX);
  if (typeof value === 'bigint') return value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX);
  return false;
}

/**
 * Rows as osqueryd takes them: only declared columns, every value text.
 * An INTEGER column given a value beyond 32 bits is still encoded exactly but
 * reported through `onOverflow` once per column: osquery's INTEGER is a C
 * long, 32-bit on Windows, so such a column must be declared BIGINT.
 */
export function encodeRows(
  columns: readonly ColumnDeclaration[],
  rows: Iterable<Row>,
  onOverflow?: (column: string, value: string) => void,
): PluginResponse {
  const names = columns.map((c) => c.name);
  const integer = columns.map((c) => c.type === 'INTEGER');
  const reported = new Set<string>();
  const out: PluginResponse = [];
  for (const row of rows) {
    const encoded: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = row[name];
      if (value === undefined || value === null) continue;
      const text = typeof value === 'string' ? value : encodeCell(value);
      if (text === undefined) continue;
      if (integer[i] && onOverflow && !reported.has(name) && overflowsInt32(value)) {
        reported.add(name);
        onOverflow(name, text);
      }
      encoded[name] = text;
    }
    out.push(encoded);
  }
  return out;
}

/**
 * A generate's output as it goes on the wire: each row a map of the declared
 * columns that are not NULL, every value text (the same encoding as
 * encodeRows), written without building the intermediate maps or strings.
 */
export class EncodedRows implements WireRows {
  private readonly names: string[];
  /** Each column name in wire form, encoded once and copied into every row. */
  private readonly keys: Buffer[];
  private readonly integer: boolean[];

  constructor(
    columns: readonly ColumnDeclaration[],
    readonly rows: readonly Row[],
    private readonly onOverflow?: (column: string, value: string) => void,
  ) {
    this.names = columns.map((c) => c.name);
    this.keys = this.names.map((n) => encodedString(n));
    this.integer = columns.map((c) => c.type === 'INTEGER');
  }

  get length(): number {
    return this.rows.length;
  }

  writeList(w: BinaryWriter): void {
    if (this.onOverflow) this.reportOverflows(this.onOverflow);
    w.writeStringMaps(this.rows, this.names, this.keys, encodeCell);
  }

  /** Tells of each INTEGER column holding a value beyond 32 bits, once, before the rows go out. */
  private reportOverflows(onOverflow: (column: string, value: string) => void): void {
    for (let i = 0; i < this.names.length; i++) {
      if (!this.integer[i]) continue;
      const name = this.names[i]!;
      for (const row of this.rows) {
        const value = row[name];
        if (!overflowsInt32(value)) continue;
        const text = encodeCell(value);
        if (text !== undefined) onOverflow(name, text);
        break;
      }
    }
  }
}

export interface RegistryOptions {
  /** Reports a generate failure or a declaration warning. */
  readonly log?: (level: 'warn' | 'error' | 'debug', message: string) => void;
}

/** The 'table' registry of an extension: route info for registration and the call() handler. */
export class TableRegistry {
  private readonly tables = new Map<string, TablePlugin>();

  constructor(
    tables: readonly TablePlugin[],
    private readonly options: RegistryOptions = {},
  ) {
    for (const t of tables) {
      const problems = declarationProblems(t);
      if (problems.length > 0) throw new Error(`invalid table declaration: ${problems.join('; ')}`);
      if (this.tables.has(t.name)) throw new Error(`table ${t.name} is declared twice`);
      this.tables.set(t.name, t);
    }
  }

  get names(): string[] {
    return [...this.tables.keys()];
  }

  /** The registry broadcast for registerExtension: {table: {name: route rows}}. */
  routes(): Record<string, Record<string, PluginResponse>> {
    const table: Record<string, PluginResponse> = {};
    for (const t of this.tables.values()) table[t.name] = routeInfo(t);
    return { table };
  }

  /** Answers call(); failures are statuses, never exceptions. */
  async call(registry: string, item: string, request: PluginRequest): Promise<CallResult> {
    if (registry !== 'table') return { code: 1, message: `Unknown registry: ${registry}`, response: [] };
    const table = this.tables.get(item);
    if (!table) return { code: 1, message: `Unknown registry plugin: ${item}`, response: [] };
    const action = request['action'];
    if (action === undefined) return { code: 1, message: 'Table plugins must include a request action', response: [] };
    if (action === 'columns') return { code: 0, message: 'OK', response: routeInfo(table) };
    if (action !== 'generate') return { code: 1, message: `Unknown table plugin action: ${action}`, response: [] };
    let context: QueryContext;
    try {
      context = parseQueryContext(request['context']);
    } catch (err) {
      return { code: 1, message: (err as Error).message, response: [] };
    }
    try {
      const produced = await table.generate(context);
      const rows = Array.isArray(produced) ? (produced as Row[]) : Array.from(produced);
      const response = new EncodedRows(table.columns, rows, (column, value) =>
        this.options.log?.(
          'warn',
          `${table.name}.${column} is INTEGER but produced ${value}, beyond 32 bits; declare it BIGINT`,
        ),
      );
      return { code: 0, message: 'OK', response };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.options.log?.('error', `generate ${table.name} failed: ${message}`);
      return { code: 1, message: `generate ${table.name} failed: ${message}`, response: [] };
    }
  }

  /** This registry as the extension server's handler. */
  handler(onShutdown: () => void): ExtensionHandler {
    return { call: (r, i, req) => this.call(r, i, req), shutdown: onShutdown };
  }
}
