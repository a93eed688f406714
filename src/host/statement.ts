// Reads from the statement text the constraints osqueryd would hand a generate
// (SQLite forwards only `=` on hidden columns here); a hint may be incomplete,
// never wrong, since SQLite must compile the hinted rewrite to the same program
// (docs/embedded-host.md).
import type { Constraint, ConstraintOp } from '../sdk/table.js';
import { isKw, isOp, matchParen, tokenize, topLevel, type Token } from './sql-tokens.js';
import { realText } from './values.js';
import { quoteIdent } from './vtab.js';

export interface TableShape {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly hidden: boolean }[];
}

/** Keywords that end a FROM clause or a table reference's alias position. */
const CLAUSE_END = [
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'WINDOW',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'RETURNING',
];
const JOIN_WORDS = [
  'JOIN',
  'NATURAL',
  'LEFT',
  'RIGHT',
  'FULL',
  'INNER',
  'CROSS',
  'OUTER',
  'ON',
  'USING',
  'INDEXED',
  'NOT',
];

interface FromEntry {
  /** Table name as written (null for a subquery). */
  readonly table: string | null;
  readonly alias: string;
  /** A subquery or table-valued function call: its columns are unknown to us. */
  readonly opaque: boolean;
}

/** Per-table hints read from one statement. */
export interface StatementHints {
  /** Constraints for a table's visible columns (empty when none are safe). */
  constraintsFor(table: string): Map<string, Constraint[]>;
}

function parseFrom(tokens: Token[], from: number, to: number): FromEntry[] | null {
  const entries: FromEntry[] = [];
  let i = from;
  const expectTable = (): boolean => {
    if (isOp(tokens[i], '(')) {
      i = matchParen(tokens, i) + 1;
      entries.push({ table: null, alias: readAlias() ?? '', opaque: true });
      return true;
    }
    const t = tokens[i];
    if (!t || t.kind !== 'ident') return false;
    let name = t.value;
    i++;
    if (isOp(tokens[i], '.') && tokens[i + 1]?.kind === 'ident') {
      name = tokens[i + 1].value;
      i += 2;
    }
    let opaque = false;
    if (isOp(tokens[i], '(')) {
      // A table-valued function call: its arguments bind hidden columns.
      i = matchParen(tokens, i) + 1;
      opaque = true;
    }
    entries.push({ table: name, alias: readAlias() ?? name, opaque });
    return true;
  };
  const readAlias = (): string | undefined => {
    if (isKw(tokens[i], 'AS')) i++;
    const t = tokens[i];
    if (
      t &&
      t.kind === 'ident' &&
      !(t.bare && (JOIN_WORDS.includes(t.value.toUpperCase()) || CLAUSE_END.includes(t.value.toUpperCase())))
    ) {
      i++;
      return t.value;
    }
    return undefined;
  };
  if (!expectTable()) return null;
  while (i < to) {
    const t = tokens[i];
    if (isOp(t, ',')) {
      i++;
      if (!expectTable()) return null;
    } else if (isKw(t, 'JOIN')) {
      i++;
      if (!expectTable()) return null;
    } else if (isKw(t, 'ON')) {
      // Skip the join condition up to the next join operator.
      i++;
      while (
        i < to &&
        !isOp(tokens[i], ',') &&
        !isKw(tokens[i], 'JOIN', 'NATURAL', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS')
      ) {
        i = isOp(tokens[i], '(') ? matchParen(tokens, i) + 1 : i + 1;
      }
    } else if (isKw(t, 'USING') && isOp(tokens[i + 1], '(')) {
      i = matchParen(tokens, i + 1) + 1;
    } else if (isKw(t, 'INDEXED') && isKw(tokens[i + 1], 'BY')) {
      i += 3;
    } else if (isKw(t, 'NOT') && isKw(tokens[i + 1], 'INDEXED')) {
      i += 2;
    } else if (isKw(t, 'NATURAL', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'OUTER')) {
      i++;
    } else {
      return null;
    }
  }
  return entries;
}

interface Literal {
  /** The value's text, as osqueryd passes a constraint. */
  readonly text: string;
  /** The literal written back as SQL from what we read (for the check against SQLite). */
  readonly sql: string;
}

const sqlString = (v: string): string => `'${v.replace(/'/g, "''")}'`;

function literalAt(tokens: Token[], i: number): { lit: Literal; next: number } | null {
  const t = tokens[i];
  if (!t) return null;
  if (t.kind === 'string') return { lit: { text: t.value, sql: sqlString(t.value) }, next: i + 1 };
  let sign = '';
  let j = i;
  if (isOp(t, '-', '+')) {
    sign = t.value === '-' ? '-' : '';
    j++;
  }
  const num = tokens[j];
  if (!num || num.kind !== 'number') return null;
  const text = numberText(sign, num.value);
  return { lit: { text, sql: text }, next: j + 1 };
}

/** The text SQLite would give for a numeric literal (osquery passes constraint values as text). */
function numberText(sign: string, literal: string): string {
  if (/^0[xX]/.test(literal)) return BigInt.asIntN(64, BigInt(sign === '-' ? `-${literal}` : literal)).toString();
  if (/^[0-9]+$/.test(literal)) {
    const v = BigInt(`${sign}${literal}`);
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return v.toString();
  }
  return realText(Number(`${sign}${literal}`));
}

interface ColumnRef {
  readonly qualifier: string | null;
  readonly column: string;
}

function refAt(tokens: Token[], i: number): { ref: ColumnRef; next: number } | null {
  const a = tokens[i];
  if (!a || a.kind !== 'ident' || (a.bare && KEYWORD_LIKE.has(a.value.toUpperCase()))) return null;
  if (isOp(tokens[i + 1], '.')) {
    const b = tokens[i + 2];
    if (!b || b.kind !== 'ident') return null;
    if (isOp(tokens[i + 3], '.')) return null; // schema.table.column: not worth the risk
    return { ref: { qualifier: a.value, column: b.value }, next: i + 3 };
  }
  return { ref: { qualifier: null, column: a.value }, next: i + 1 };
}

const KEYWORD_LIKE = new Set([
  'NOT',
  'NULL',
  'CASE',
  'EXISTS',
  'SELECT',
  'TRUE',
  'FALSE',
  'CAST',
  'CURRENT_TIME',
  'CURRENT_DATE',
  'CURRENT_TIMESTAMP',
]);

const FLIP: Record<string, ConstraintOp> = { '=': '=', '==': '=', '>': '<', '<': '>', '>=': '<=', '<=': '>=' };
const DIRECT: Record<string, ConstraintOp> = { '=': '=', '==': '=', '>': '>', '<': '<', '>=': '>=', '<=': '<=' };

interface Conjunct {
  readonly ref: ColumnRef;
  readonly constraints: Constraint[];
  /** The conjunct as SQL with the column written as `col` (fully qualified by the caller). */
  render(col: string): string;
}

/** Reads one WHERE conjunct as `ref OP literal` constraints, or null. */
function conjunct(tokens: Token[], from: number, to: number): Conjunct | null {
  const r = refAt(tokens, from);
  if (r) {
    const op = tokens[r.next];
    if (op?.kind === 'op' && DIRECT[op.value]) {
      const l = literalAt(tokens, r.next + 1);
      const cop = DIRECT[op.value];
      if (l && l.next === to)
        return { ref: r.ref, constraints: [{ op: cop, expr: l.lit.text }], render: (c) => `${c} ${cop} ${l.lit.sql}` };
    }
    if (isKw(op, 'LIKE', 'GLOB', 'REGEXP')) {
      const l = literalAt(tokens, r.next + 1);
      const cop = op!.value.toUpperCase() as ConstraintOp;
      if (l && l.next === to)
        return { ref: r.ref, constraints: [{ op: cop, expr: l.lit.text }], render: (c) => `${c} ${cop} ${l.lit.sql}` };
    }
    if (isKw(op, 'IN') && isOp(tokens[r.next + 1], '(')) {
      const close = matchParen(tokens, r.next + 1);
      if (close !== to - 1) return null;
      const values: Literal[] = [];
      let j = r.next + 2;
      while (j < close) {
        const l = literalAt(tokens, j);
        if (!l) return null;
        values.push(l.lit);
        j = l.next;
        if (isOp(tokens[j], ',')) j++;
        else if (j !== close) return null;
      }
      if (values.length === 0) return null;
      return {
        ref: r.ref,
        constraints: values.map((v) => ({ op: '=', expr: v.text })),
        render: (c) => `${c} IN (${values.map((v) => v.sql).join(', ')})`,
      };
    }
  }
  // literal OP ref, as SQLite normalises `5 < pid` to `pid > 5`.
  const l = literalAt(tokens, from);
  if (l) {
    const op = tokens[l.next];
    if (op?.kind === 'op' && FLIP[op.value]) {
      const r2 = refAt(tokens, l.next + 1);
      const sqlOp = op.value;
      if (r2 && r2.next === to)
        return {
          ref: r2.ref,
          constraints: [{ op: FLIP[op.value], expr: l.lit.text }],
          render: (c) => `${l.lit.sql} ${sqlOp} ${c}`,
        };
    }
  }
  return null;
}

/**
 * Reads the hints for every table of the statement. `shape` describes the
 * tables the host knows (ours and snapshots); names are case-insensitive.
 * `sameProgram(rewritten)` must answer whether SQLite compiles `rewritten`
 * to the same program as `sql`: hints are kept only when the statement with
 * its WHERE clause written back as `(hint) AND (hint) AND (other conjunct)…`,
 * each hint from what we read, compiles identically, so a misreading of the
 * text (a split inside CASE, a column bound elsewhere, a literal read wrong)
 * costs the hints, never an answer.
 */
export function analyzeStatement(
  sql: string,
  shape: (table: string) => TableShape | undefined,
  sameProgram: (rewritten: string) => boolean,
): StatementHints {
  const tokens = tokenize(sql);
  const constraints = new Map<string, Map<string, Constraint[]>>();
  const nameCount = new Map<string, number>();
  for (const t of tokens)
    if (t.kind === 'ident') nameCount.set(t.value.toLowerCase(), (nameCount.get(t.value.toLowerCase()) ?? 0) + 1);

  extract: {
    if (!isKw(tokens[0], 'SELECT')) break extract;
    const top = topLevel(tokens, 0, tokens.length);
    if (top.some((i) => isKw(tokens[i], 'UNION', 'INTERSECT', 'EXCEPT', 'VALUES'))) break extract;
    const fromAt = top.find((i) => isKw(tokens[i], 'FROM'));
    if (fromAt === undefined) break extract;
    const fromEnd =
      top.find((i) => i > fromAt && (isKw(tokens[i], ...CLAUSE_END) || isOp(tokens[i], ';'))) ?? tokens.length;
    if (!isKw(tokens[fromEnd], 'WHERE')) break extract;
    const entries = parseFrom(tokens, fromAt + 1, fromEnd);
    if (!entries) break extract;
    const whereEnd =
      top.find((i) => i > fromEnd && (isKw(tokens[i], ...CLAUSE_END) || isOp(tokens[i], ';'))) ?? tokens.length;

    // Split at AND outside parentheses and CASE … END, keeping BETWEEN's own
    // AND inside its conjunct; any OR there means no conjunct binds every row.
    const parts: [number, number][] = [];
    let start = fromEnd + 1;
    let between = false;
    let depth = 0;
    let cases = 0;
    let ends = 0;
    for (let i = fromEnd + 1; i < whereEnd; i++) {
      const t = tokens[i];
      if (isOp(t, '(')) {
        i = matchParen(tokens, i);
        continue;
      }
      if (isKw(t, 'CASE')) {
        depth++;
        cases++;
      } else if (isKw(t, 'END')) {
        depth--;
        ends++;
      } else if (depth > 0) {
      } else if (isKw(t, 'OR')) {
        break extract;
      } else if (isKw(t, 'BETWEEN')) {
        between = true;
      } else if (isKw(t, 'AND')) {
        if (between) between = false;
        else {
          parts.push([start, i]);
          start = i + 1;
        }
      }
    }
    // END may also be a column name; then the nesting read above is not SQLite's.
    if (depth !== 0 || cases !== ends) break extract;
    parts.push([start, whereEnd]);
    if (parts.some(([a, b]) => a >= b)) break extract;

    const known = entries.map((e) => ({ entry: e, table: e.table && !e.opaque ? shape(e.table) : undefined }));
    const anyOpaque = known.some((k) => k.table === undefined);
    const pieces: string[] = [];
    for (const [a, b] of parts) {
      const verbatim = sql.slice(tokens[a].start, tokens[b - 1].end);
      pieces.push(verbatim);
      const c = conjunct(tokens, a, b);
      if (!c) continue;
      const col = c.ref.column.toLowerCase();
      let owners = known.filter(
        (k) => k.table !== undefined && k.table.columns.some((x) => x.name.toLowerCase() === col),
      );
      if (c.ref.qualifier !== null) {
        const q = c.ref.qualifier.toLowerCase();
        owners = owners.filter((k) => k.entry.alias.toLowerCase() === q);
      } else if (anyOpaque) {
        continue;
      }
      if (owners.length !== 1) continue;
      const table = owners[0].table!;
      const column = table.columns.find((x) => x.name.toLowerCase() === col)!;
      // Hidden columns reach generate through SQLite itself (as parameters).
      if (column.hidden) continue;
      if ((nameCount.get(table.name.toLowerCase()) ?? 0) !== 1) continue;
      pieces[pieces.length - 1] = c.render(`${quoteIdent(owners[0].entry.alias)}.${quoteIdent(column.name)}`);
      const forTable = constraints.get(table.name.toLowerCase()) ?? new Map<string, Constraint[]>();
      forTable.set(column.name, [...(forTable.get(column.name) ?? []), ...c.constraints]);
      constraints.set(table.name.toLowerCase(), forTable);
    }
    if (constraints.size === 0) break extract;
    const tail = whereEnd < tokens.length ? ` ${sql.slice(tokens[whereEnd].start)}` : '';
    const rewritten = `${sql.slice(0, tokens[fromEnd].end)} ${pieces.map((p) => `(${p})`).join(' AND ')}${tail}`;
    if (!sameProgram(rewritten)) constraints.clear();
  }

  return { constraintsFor: (table) => new Map(constraints.get(table.toLowerCase()) ?? []) };
}
