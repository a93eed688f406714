// Validation answers "will osqueryd accept this query on every platform it
// is declared for?" before Fleet pushes it to thousands of hosts. Each
// rendered query is prepared (parsed and bound, never run) by SQLite against
// an empty schema database holding exactly the tables and columns that exist
// on that platform: osquery 5.23.1's, per-column platforms included, plus the
// extension's own declarations unless the query says `requires: core`. Every
// function it calls must be SQLite core or one of osquery's functions that the
// embedded host implements, so results seen offline match osqueryd's.
import Database from 'better-sqlite3';
import { allOsqueryTables, columnsOn, type Platform } from '../intel/osquery-schema.js';
import { OSQUERY_FUNCTIONS, registerOsqueryFunctions } from '../host/functions.js';
import { tokenize } from '../host/sql-tokens.js';
import { quoteIdent } from '../host/vtab.js';
import { sqliteType } from '../host/values.js';
import type { TableDeclaration } from './declarations.js';
import type { PackQuery } from './query-file.js';
import { leftoverMarkers } from './render.js';

/** Functions every SQLite build that osquery ships has (core, date/time, aggregates, JSON). */
const SQLITE_CORE = new Set([
  'abs',
  'char',
  'coalesce',
  'format',
  'glob',
  'hex',
  'ifnull',
  'iif',
  'instr',
  'length',
  'like',
  'likelihood',
  'likely',
  'lower',
  'ltrim',
  'max',
  'min',
  'nullif',
  'printf',
  'quote',
  'random',
  'randomblob',
  'replace',
  'round',
  'rtrim',
  'sign',
  'substr',
  'substring',
  'trim',
  'typeof',
  'unicode',
  'unlikely',
  'upper',
  'zeroblob',
  'date',
  'time',
  'datetime',
  'julianday',
  'strftime',
  'unixepoch',
  'avg',
  'count',
  'group_concat',
  'sum',
  'total',
  'json',
  'json_extract',
  'json_array',
  'json_object',
  'json_each',
  'json_group_array',
  'json_group_object',
  'json_array_length',
  'json_type',
  'json_valid',
]);

const KEYWORDS = new Set([
  'in',
  'exists',
  'as',
  'values',
  'using',
  'over',
  'not',
  'and',
  'or',
  'on',
  'where',
  'then',
  'else',
  'when',
  'select',
  'from',
  'join',
  'case',
  'is',
  'between',
  'like',
  'glob',
  'union',
  'all',
  'distinct',
  'having',
  'by',
  'cast',
  'with',
  'recursive',
  'end',
  'filter',
  'except',
  'intersect',
  'limit',
  'offset',
  'match',
  'regexp',
  'escape',
  'null',
  'into',
  'set',
  'returning',
  'window',
  'partition',
  'materialized',
]);

/** Names called as functions in a statement (CTE definitions `name(cols) AS (` excluded). */
export function calledFunctions(sql: string): string[] {
  const toks = tokenize(sql);
  const out = new Set<string>();
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i];
    if (t.kind !== 'ident' || !t.bare || toks[i + 1].value !== '(') continue;
    const name = t.value.toLowerCase();
    if (KEYWORDS.has(name)) continue;
    let depth = 0;
    let j = i + 1;
    for (; j < toks.length; j++) {
      if (toks[j].value === '(') depth++;
      else if (toks[j].value === ')' && --depth === 0) break;
    }
    if (toks[j + 1]?.value.toLowerCase() === 'as' && toks[j + 2]?.value === '(') continue;
    out.add(name);
  }
  return [...out].sort();
}

export interface ValidationIssue {
  readonly query: string;
  readonly platform: Platform | null;
  readonly message: string;
}

class SchemaDatabases {
  private readonly dbs = new Map<string, Database.Database>();
  constructor(private readonly extension: readonly TableDeclaration[]) {}

  get(platform: Platform, withExtension: boolean): Database.Database {
    const key = `${platform}/${withExtension}`;
    let db = this.dbs.get(key);
    if (db) return db;
    db = new Database(':memory:');
    registerOsqueryFunctions(db);
    const ddl: string[] = [];
    for (const t of allOsqueryTables()) {
      if (!t.platforms.includes(platform)) continue;
      const cols = columnsOn(t, platform);
      if (cols.length === 0) continue;
      ddl.push(
        `CREATE TABLE ${quoteIdent(t.name)} (${cols.map((c) => `${quoteIdent(c.name)} ${sqliteType(c.type)}`).join(', ')});`,
      );
    }
    if (withExtension) {
      for (const t of this.extension) {
        if (!t.platforms.includes(platform)) continue;
        ddl.push(
          `CREATE TABLE ${quoteIdent(t.name)} (${t.columns.map((c) => `${quoteIdent(c.name)} ${sqliteType(c.type)}`).join(', ')});`,
        );
      }
    }
    db.exec(ddl.join('\n'));
    this.dbs.set(key, db);
    return db;
  }

  close(): void {
    for (const db of this.dbs.values()) db.close();
  }
}

/**
 * Checks rendered queries; returns every problem found (empty when all is
 * well). `render` turns a query into the SQL osqueryd will get.
 */
export function validateQueries(
  queries: readonly PackQuery[],
  render: (q: PackQuery) => string,
  extension: readonly TableDeclaration[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const dbs = new SchemaDatabases(extension);
  const implemented = new Set(OSQUERY_FUNCTIONS);
  const extensionNames = new Set(extension.map((t) => t.name));
  try {
    for (const q of queries) {
      const name = q.metadata.name;
      let sql: string;
      try {
        sql = render(q);
      } catch (e) {
        issues.push({ query: name, platform: null, message: `cannot render: ${(e as Error).message}` });
        continue;
      }
      for (const m of leftoverMarkers(sql))
        issues.push({ query: name, platform: null, message: `marker not rendered: ${m}` });
      for (const f of calledFunctions(sql)) {
        if (!SQLITE_CORE.has(f) && !implemented.has(f)) {
          issues.push({
            query: name,
            platform: null,
            message: `function ${f}() is neither SQLite core nor an osquery function the embedded host implements`,
          });
        }
      }
      if (q.metadata.requires === 'core') {
        const used = tokenize(sql).filter((t) => t.kind === 'ident' && extensionNames.has(t.value.toLowerCase()));
        for (const t of new Set(used.map((u) => u.value))) {
          issues.push({
            query: name,
            platform: null,
            message: `says "requires: core" but uses the extension table ${t}`,
          });
        }
      }
      for (const platform of q.metadata.platform) {
        try {
          dbs.get(platform, q.metadata.requires === 'extension').prepare(sql);
        } catch (e) {
          issues.push({ query: name, platform, message: (e as Error).message });
        }
      }
    }
  } finally {
    dbs.close();
  }
  return issues;
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.query}${i.platform ? ` [${i.platform}]` : ''}: ${i.message}`).join('\n');
}
