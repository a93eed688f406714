// Hints handed to generate never change an answer: every statement gives the
// same rows on a host that reads constraint hints from the statement (checked
// against SQLite's own compilation, src/host/statement.ts) and on one that
// passes generate only what SQLite forwards itself. Our tables narrow with
// SQLite's comparison rules (src/sdk/compare.ts), so a hint like
// `sample_time < '0x10'` (text, above every integer) must not narrow at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedHost } from '../../src/host/host.js';
import { HistoryStore } from '../../src/sampler/store.js';
import type { ProcessRecord } from '../../src/sampler/source.js';
import { processCpuHistoryTable } from '../../src/tables/process_cpu_history.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { ColumnOption, type QueryContext, type TablePlugin } from '../../src/sdk/table.js';
import { prng } from '../support/prng.js';

const T0 = 1_700_000_000;
const rec = (pid: number, ppid: number, name: string, cpuMs: number): ProcessRecord => ({
  pid,
  ppid,
  startTime: 1_699_000_000 + pid,
  name,
  path: `/opt/${name}`,
  cmdline: `${name} --x`,
  user: 'svc',
  userTimeMs: cpuMs,
  systemTimeMs: 0,
  residentBytes: 1 << 20,
  threads: 3,
});

// Five processes (one with pid 16, so '0x10' = 16 would be a visible mistake), 13 samples each.
function fixture(): HistoryStore {
  const store = new HistoryStore({ intervalMs: 10_000, logicalCpus: 2 });
  for (let t = 0; t <= 120; t += 10) {
    store.ingest({
      wallMs: (T0 + t) * 1000,
      monotonicMs: 1_000_000 + t * 1000,
      processes: [
        rec(1, 0, 'systemd', 0),
        rec(16, 1, 'cron', t * 10),
        rec(400, 16, 'sh', 0),
        rec(500, 400, 'xmrig', t * 900),
        rec(600, 1, 'idle', t),
      ],
      sockets: [
        {
          pid: 500,
          protocol: 'tcp',
          family: 4,
          localAddress: '10.0.0.9',
          localPort: 40000,
          remoteAddress: '198.51.100.1',
          remotePort: 14444,
          state: 'ESTABLISHED',
        },
        {
          pid: 16,
          protocol: 'tcp',
          family: 6,
          localAddress: '::1',
          localPort: 40001,
          remoteAddress: '2001:db8::1',
          remotePort: 443,
          state: 'ESTABLISHED',
        },
      ],
    });
  }
  return store;
}

const hiddenOf = (plugin: TablePlugin): Set<string> =>
  new Set(plugin.columns.filter((c) => ((c.options ?? 0) & ColumnOption.HIDDEN) !== 0).map((c) => c.name));

/** Counts generate calls that received at least one constraint on a visible column. */
function counted(plugin: TablePlugin, seen: { hinted: number }): TablePlugin {
  const hidden = hiddenOf(plugin);
  return {
    ...plugin,
    generate: (c: QueryContext) => {
      if ([...c.constraints.keys()].some((k) => !hidden.has(k))) seen.hinted++;
      return plugin.generate(c);
    },
  };
}

/** Hints disabled: generate sees only what SQLite forwards itself (`=` on hidden columns), all columns used. */
function unhinted(plugin: TablePlugin): TablePlugin {
  const hidden = hiddenOf(plugin);
  return {
    ...plugin,
    generate: (c: QueryContext) =>
      plugin.generate({ constraints: new Map([...c.constraints].filter(([k]) => hidden.has(k))), colsUsed: null }),
  };
}

const store = fixture();
const seen = { hinted: 0 };
const tables = (count: boolean): TablePlugin[] => {
  const t = [
    processCpuHistoryTable(store),
    processCpuSustainedTable(store),
    processConnectionHistoryTable(store, { persistentSeconds: 60 }),
  ];
  return count ? t.map((p) => counted(p, seen)) : t.map(unhinted);
};
const hinted = new EmbeddedHost({ tables: tables(true) });
const plain = new EmbeddedHost({ tables: tables(false) });

async function answer(host: EmbeddedHost, sql: string): Promise<string> {
  try {
    const r = await host.query(sql);
    return JSON.stringify(r.rows.map((row) => JSON.stringify(row)).sort());
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

async function same(sql: string): Promise<string> {
  const a = await answer(hinted, sql);
  const b = await answer(plain, sql);
  assert.is(a, b, sql);
  return a;
}

test('issue 11 reproduction: an AND inside CASE … END is not a top-level conjunct', async () => {
  const sql = 'SELECT count(*) FROM process_cpu_history WHERE CASE WHEN 1 AND pid = 5 AND 1 THEN 0 ELSE 1 END';
  // No process has pid 5, so CASE is 1 for every one of the 5 x 13 rows.
  assert.is(await same(sql), JSON.stringify([JSON.stringify(['65'])]));
});

test("issue 11 reproduction: sample_time < '0x10' compares with text, which is above every integer", async () => {
  assert.is(
    await same("SELECT count(*) FROM process_cpu_history WHERE sample_time < '0x10'"),
    JSON.stringify([JSON.stringify(['65'])]),
  );
  // ... and pid = '0x10' is text too, so it matches nothing (not pid 16).
  assert.is(
    await same("SELECT count(*) FROM process_cpu_history WHERE pid = '0x10'"),
    JSON.stringify([JSON.stringify(['0'])]),
  );
  // A hex integer literal is the number 16.
  assert.is(
    await same('SELECT count(*) FROM process_cpu_history WHERE pid = 0x10'),
    JSON.stringify([JSON.stringify(['13'])]),
  );
});

test('a misread statement costs the hints, not the answer: WINDOW as a column name ends no clause', async () => {
  // The text reading stops the WHERE clause at `window`; SQLite's compilation of the rewritten clause disagrees, so no hint.
  const sql =
    'SELECT count(*) FROM process_cpu_history h, (SELECT 1 AS window) w WHERE h.pid = 500 AND w.window = 1 OR 1';
  const before = seen.hinted;
  assert.is(await same(sql), JSON.stringify([JSON.stringify(['65'])]));
  assert.is(seen.hinted, before, 'no hint reached generate');
});

test('IN on an optimized column is a union of values, not contradictory equalities', async () => {
  assert.is(
    await same(`SELECT count(*) FROM process_cpu_history WHERE sample_time IN (${T0}, ${T0 + 10})`),
    JSON.stringify([JSON.stringify(['10'])]),
  );
});

// --- the property test ---------------------------------------------------

type Kind = 'int' | 'real' | 'text';
interface Col {
  readonly sql: string;
  readonly kind: Kind;
}

const INT_LITS = [
  '1',
  '16',
  '400',
  '500',
  '600',
  '0',
  '-1',
  '0x10',
  '0x1F4',
  '500.0',
  '499.5',
  '1e400',
  '-1e400',
  '9223372036854775807',
  String(T0),
  String(T0 + 60),
  `${T0 + 59}.5`,
  `${T0}.0`,
  'NULL',
];
const TEXT_LITS = [
  "'500'",
  "' 500 '",
  "'0x10'",
  "'16'",
  "'1e1'",
  "''",
  "' '",
  "'abc'",
  "'xmrig'",
  "'sh'",
  "'/opt/xmrig'",
  `'${T0 + 60}'`,
  `'${T0}.0'`,
  "x'353030'",
  "x''",
  "'x%'",
  "'%i%'",
  "'500abc'",
  "'+16'",
  "'.5e3'",
];

function generator(seed: number) {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const lit = (k: Kind): string =>
    r() < 0.65 ? (k === 'text' ? pick(TEXT_LITS) : pick(INT_LITS)) : pick(r() < 0.5 ? TEXT_LITS : INT_LITS);
  const lits = (k: Kind): string => Array.from({ length: 1 + Math.floor(r() * 3) }, () => lit(k)).join(', ');
  const cond = (cols: readonly Col[], depth: number): string => {
    const c = pick(cols);
    const choice = depth <= 0 ? Math.floor(r() * 6) : Math.floor(r() * 14);
    switch (choice) {
      case 0:
      case 1:
        return `${c.sql} ${pick(['=', '==', '!=', '<>', '<', '<=', '>', '>='])} ${lit(c.kind)}`;
      case 2:
        return `${lit(c.kind)} ${pick(['=', '<', '<=', '>', '>='])} ${c.sql}`;
      case 3:
        return `${c.sql} ${r() < 0.8 ? 'IN' : 'NOT IN'} (${lits(c.kind)})`;
      case 4:
        return c.kind === 'text'
          ? `${c.sql} ${pick(['LIKE', 'GLOB', 'NOT LIKE'])} ${pick(TEXT_LITS)}`
          : `${c.sql} ${r() < 0.8 ? 'BETWEEN' : 'NOT BETWEEN'} ${lit(c.kind)} AND ${lit(c.kind)}`;
      case 5:
        return pick([`${c.sql} IS NULL`, `${c.sql} IS NOT NULL`, '1', '0', 'NULL', `${c.sql} IS ${lit(c.kind)}`]);
      case 6:
      case 7:
        return `${cond(cols, depth - 1)} AND ${cond(cols, depth - 1)}`;
      case 8:
        return `${cond(cols, depth - 1)} OR ${cond(cols, depth - 1)}`;
      case 9:
        return `NOT ${cond(cols, depth - 1)}`;
      case 10:
        return `(${cond(cols, depth - 1)})`;
      case 11:
        return `CASE WHEN ${cond(cols, depth - 1)} THEN ${pick(['0', '1', lit(c.kind)])} ELSE ${pick(['0', '1', 'NULL'])} END${r() < 0.3 ? ` = ${pick(['0', '1'])}` : ''}`;
      case 12:
        return `CASE ${c.sql} WHEN ${lit(c.kind)} THEN 1 ELSE 0 END AND ${cond(cols, depth - 1)}`;
      default:
        return r() < 0.5
          ? `pid IN (SELECT pid FROM process_connection_history WHERE remote_port ${pick(['=', '>', '<'])} ${pick(['443', "'443'", '14444', "'0x1BB'"])})`
          : `EXISTS (SELECT 1 FROM process_cpu_sustained s WHERE s.pid = ${pick(['500', '16', "'16'", '0x10'])} AND s.sustained ${pick(['=', '>='])} ${pick(['1', "'1'", '0'])})`;
    }
  };
  return { r, pick, cond };
}

const kindOf = (type: string): Kind => (type === 'TEXT' ? 'text' : type === 'DOUBLE' ? 'real' : 'int');
const visible = (t: TablePlugin, prefix = ''): Col[] =>
  t.columns
    .filter((c) => ((c.options ?? 0) & ColumnOption.HIDDEN) === 0)
    .map((c) => ({ sql: `${prefix}${c.name}`, kind: kindOf(c.type) }));

test('property: 5,000 random WHERE clauses answer the same with and without hints', async () => {
  const g = generator(0x11b);
  const plugins = tables(false);
  const statements: string[] = [];
  for (const t of plugins) {
    for (let i = 0; i < 1400; i++) {
      const alias = g.r() < 0.3 ? ' AS x' : '';
      const cols = visible(t, alias ? (g.r() < 0.5 ? 'x.' : '') : '');
      statements.push(`SELECT * FROM ${t.name}${alias} WHERE ${g.cond(cols, 1 + Math.floor(g.r() * 3))}`);
    }
  }
  // Joins: hints must stay with the table whose column they name.
  const [history, sustained, connections] = plugins;
  const joinCols = [
    ...visible(history, 'h.'),
    ...visible(connections, 'c.'),
    { sql: 's.sustained', kind: 'int' as const },
    { sql: 's.avg_cpu_percent', kind: 'real' as const },
  ];
  for (let i = 0; i < 800; i++) {
    const from = g.pick([
      `${history.name} h JOIN ${connections.name} c USING (pid)`,
      `${history.name} h LEFT JOIN ${connections.name} c ON c.pid = h.pid AND c.remote_port > 400`,
      `${history.name} h, ${sustained.name} s, ${connections.name} c`,
    ]);
    const cols = from.includes(sustained.name) ? joinCols : joinCols.filter((c) => !c.sql.startsWith('s.'));
    statements.push(
      `SELECT h.pid, h.sample_time, c.remote_port FROM ${from} WHERE ${g.cond(cols, 1 + Math.floor(g.r() * 3))}${from.includes(', ') ? ' AND s.pid = h.pid AND c.pid = h.pid' : ''}`,
    );
  }
  assert.ok(statements.length >= 5000, `${statements.length} statements`);
  let errors = 0;
  let rows = 0;
  const before = seen.hinted;
  for (const sql of statements) {
    const a = await same(sql);
    if (a.startsWith('error')) errors++;
    else rows += (JSON.parse(a) as unknown[]).length;
  }
  const hintedCalls = seen.hinted - before;
  console.log(
    `hints property: ${statements.length} statements, ${hintedCalls} generate calls with hints, ${errors} errors on both hosts, ${rows} rows compared`,
  );
  // The test means something only if hints were given and rows came back.
  assert.ok(hintedCalls > 1000, `hints reached generate ${hintedCalls} times`);
  assert.ok(rows > 20_000, `${rows} rows`);
  assert.ok(errors < statements.length / 10, `${errors} errors`);
});

test.after(() => {
  hinted.close();
  plain.close();
});

test.run();
