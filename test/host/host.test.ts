// The embedded host over a test-local TablePlugin (the host must serve any
// plugin the same way), with real snapshot files on disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedHost, HostError } from '../../src/host/host.js';
import { loadSnapshotDir, SnapshotError } from '../../src/host/snapshot.js';
import { ColumnOption, type QueryContext, type Row, type TablePlugin } from '../../src/sdk/table.js';

/** A plugin that records every context it is asked for and serves fixed rows. */
function usageTable(rows: Row[], name = 'toy_usage') {
  const calls: QueryContext[] = [];
  const plugin: TablePlugin = {
    name,
    description: 'test table',
    examples: [],
    platforms: ['linux', 'windows'],
    columns: [
      { name: 'pid', type: 'BIGINT', description: 'process id' },
      { name: 'name', type: 'TEXT', description: 'process name' },
      { name: 'cpu_percent', type: 'DOUBLE', description: 'cpu' },
      {
        name: 'min_cpu_percent',
        type: 'INTEGER',
        description: 'parameter',
        options: ColumnOption.HIDDEN | ColumnOption.ADDITIONAL,
      },
    ],
    async generate(context) {
      calls.push(context);
      // Asynchronous on purpose: the host must await generate before SQLite reads rows.
      await new Promise((r) => setTimeout(r, 1));
      const min = context.constraints.get('min_cpu_percent')?.find((c) => c.op === '=');
      return rows.filter((r) => !min || Number(r.cpu_percent) >= Number(min.expr));
    },
  };
  return { plugin, calls };
}

const ROWS: Row[] = [
  { pid: 10, name: 'xmrig.exe', cpu_percent: 97.5 },
  { pid: '20', name: 'svchost.exe', cpu_percent: '3' },
  { pid: 30n, name: 'powershell.exe', cpu_percent: 55 },
];

const dirs: string[] = [];
function snapshotDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-snap-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PROCESSES = JSON.stringify([
  { pid: '10', name: 'xmrig.exe', path: 'C:\\Users\\bob\\AppData\\xmrig.exe', parent: '4', resident_size: '' },
  { pid: '20', name: 'svchost.exe', path: 'C:\\Windows\\System32\\svchost.exe', parent: '4', resident_size: '1024' },
  { pid: '4', name: 'System', path: '', parent: '0', resident_size: '' },
]);

async function rejects(p: Promise<unknown>, kind: 'input' | 'table', message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, HostError);
    assert.is((e as HostError).kind, kind);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable('should have failed');
}

test('a snapshot table joins one of our tables in one SELECT, typed by the osquery schema', async () => {
  const { plugin } = usageTable(ROWS);
  const host = new EmbeddedHost({
    tables: [plugin],
    snapshots: loadSnapshotDir(snapshotDir({ 'processes.json': PROCESSES })),
  });
  const r = await host.query(
    `SELECT p.pid, p.path, u.cpu_percent, typeof(p.pid) AS t, p.resident_size IS NULL AS rs_null
       FROM processes p JOIN toy_usage u ON u.pid = p.pid WHERE u.cpu_percent > 50 ORDER BY p.pid`,
  );
  assert.equal(r.columns, ['pid', 'path', 'cpu_percent', 't', 'rs_null']);
  assert.equal(r.rows, [['10', 'C:\\Users\\bob\\AppData\\xmrig.exe', '97.5', 'integer', '1']]);
  // '' in a TEXT column stays '' (osquery keeps it); in BIGINT it is NULL.
  const sys = await host.query(`SELECT path, resident_size FROM processes WHERE pid = 4`);
  assert.equal(sys.rows, [['', null]]);
  host.close();
});

test('column types give osquery affinity: text literals match integer columns; SELECT * hides hidden columns', async () => {
  const { plugin } = usageTable(ROWS);
  const host = new EmbeddedHost({ tables: [plugin] });
  const r = await host.query(`SELECT *, typeof(pid), typeof(cpu_percent) FROM toy_usage WHERE pid = '20'`);
  assert.equal(r.columns, ['pid', 'name', 'cpu_percent', 'typeof(pid)', 'typeof(cpu_percent)']);
  assert.equal(r.rows, [['20', 'svchost.exe', '3.0', 'integer', 'real']]);
  host.close();
});

test('constraints reach generate as osqueryd would hand them: =, >, LIKE, IN, hidden parameter echoed', async () => {
  const { plugin, calls } = usageTable(ROWS);
  const host = new EmbeddedHost({ tables: [plugin] });

  await host.query(`SELECT pid FROM toy_usage WHERE pid = 10`);
  assert.equal(calls.at(-1)!.constraints.get('pid'), [{ op: '=', expr: '10' }]);
  assert.is(calls.at(-1)!.colsUsed, null, 'all columns: no table narrows by them');

  await host.query(`SELECT name FROM toy_usage WHERE cpu_percent > 50 AND name LIKE '%.exe' AND 5 < pid`);
  let ctx = calls.at(-1)!;
  assert.equal(ctx.constraints.get('cpu_percent'), [{ op: '>', expr: '50' }]);
  assert.equal(ctx.constraints.get('name'), [{ op: 'LIKE', expr: '%.exe' }]);
  assert.equal(ctx.constraints.get('pid'), [{ op: '>', expr: '5' }], 'literal OP column is flipped');

  await host.query(`SELECT pid FROM toy_usage u WHERE u.pid IN (10, 30) AND name GLOB 'x*'`);
  ctx = calls.at(-1)!;
  assert.equal(ctx.constraints.get('pid'), [
    { op: '=', expr: '10' },
    { op: '=', expr: '30' },
  ]);
  assert.equal(ctx.constraints.get('name'), [{ op: 'GLOB', expr: 'x*' }]);

  const before = calls.length;
  const inList = await host.query(
    `SELECT DISTINCT min_cpu_percent FROM toy_usage WHERE min_cpu_percent IN (60, 90) ORDER BY 1`,
  );
  assert.equal(inList.rows, [['60'], ['90']]);
  assert.equal(
    calls.slice(before).map((c) => c.constraints.get('min_cpu_percent')),
    [[{ op: '=', expr: '60' }], [{ op: '=', expr: '90' }]],
    'IN on a hidden column: one generate per value',
  );

  const r = await host.query(`SELECT pid, min_cpu_percent FROM toy_usage WHERE min_cpu_percent = 50 ORDER BY pid`);
  assert.equal(calls.at(-1)!.constraints.get('min_cpu_percent'), [{ op: '=', expr: '50' }]);
  assert.equal(
    r.rows,
    [
      ['10', '50'],
      ['30', '50'],
    ],
    'parameter applied by generate and echoed in rows',
  );
  host.close();
});

test('hints are never wrong: none under OR, from another table, or for a table read twice', async () => {
  const { plugin, calls } = usageTable(ROWS);
  const other = usageTable(ROWS, 'toy_other');
  const host = new EmbeddedHost({ tables: [plugin, other.plugin] });

  const r = await host.query(`SELECT pid FROM toy_usage WHERE pid = 10 OR name = 'svchost.exe' ORDER BY pid`);
  assert.equal(calls.at(-1)!.constraints.size, 0);
  assert.equal(r.rows, [['10'], ['20']]);

  await host.query(`SELECT u.pid FROM toy_usage u JOIN toy_other o ON o.pid = u.pid WHERE o.name = 'xmrig.exe'`);
  assert.equal(calls.at(-1)!.constraints.size, 0, "toy_usage gets no hint from toy_other's predicate");
  assert.equal(other.calls.at(-1)!.constraints.get('name'), [{ op: '=', expr: 'xmrig.exe' }]);

  // Unqualified column present in both tables: ambiguous for us, so no hint (SQLite itself rejects it).
  const self = await host.query(`SELECT a.pid FROM toy_usage a JOIN toy_usage b ON a.pid = b.pid WHERE a.pid = 10`);
  assert.equal(self.rows, [['10']]);
  assert.ok(
    calls.slice(-2).every((c) => c.constraints.size === 0),
    'a self-join gets no static hints',
  );

  await host.query(`SELECT pid FROM toy_usage WHERE pid IN (SELECT pid FROM toy_other WHERE name = 'x')`);
  assert.ok(calls.at(-1)!.constraints.size === 0);
  host.close();
});

test('a hidden parameter bound from another table is generated per value across rounds', async () => {
  const { plugin, calls } = usageTable(ROWS);
  const other = usageTable(
    [
      { pid: 1, name: 'threshold', cpu_percent: 50 },
      { pid: 2, name: 'threshold', cpu_percent: 90 },
    ],
    'toy_limits',
  );
  const host = new EmbeddedHost({ tables: [plugin, other.plugin] });
  const r = await host.query(
    `SELECT l.cpu_percent AS lim, u.pid FROM toy_limits l JOIN toy_usage u ON u.min_cpu_percent = l.cpu_percent ORDER BY lim, u.pid`,
  );
  assert.equal(r.rows, [
    ['50.0', '10'],
    ['50.0', '30'],
    ['90.0', '10'],
  ]);
  const exprs = calls.map((c) => c.constraints.get('min_cpu_percent')?.[0]?.expr).sort();
  assert.equal(exprs, ['50.0', '90.0']);
  host.close();
});

test('hidden parameters are what SQLite forwards: OR of equalities, function arguments, joins; a mixed OR leaves them unset', async () => {
  const { plugin, calls } = usageTable(ROWS);
  const limits = usageTable(
    [
      { pid: 1, name: 'a', cpu_percent: 50 },
      { pid: 2, name: 'b', cpu_percent: 90 },
    ],
    'toy_limits',
  );
  const host = new EmbeddedHost({ tables: [plugin, limits.plugin] });
  const params = (from: number) =>
    calls.slice(from).map((c) => c.constraints.get('min_cpu_percent')?.map((x) => x.expr) ?? null);
  let n = calls.length;
  const or = await host.query(
    `SELECT min_cpu_percent, pid FROM toy_usage WHERE min_cpu_percent = 60 OR min_cpu_percent = 90 ORDER BY 1, 2`,
  );
  assert.equal(or.rows, [
    ['60', '10'],
    ['90', '10'],
  ]);
  assert.equal(params(n).sort(), [['60'], ['90']]);
  n = calls.length;
  const tvf = await host.query(`SELECT pid, min_cpu_percent FROM toy_usage(50) ORDER BY pid`);
  assert.equal(
    tvf.rows,
    [
      ['10', '50'],
      ['30', '50'],
    ],
    'a table-valued-function argument binds the hidden column',
  );
  assert.equal(params(n), [['50']]);
  n = calls.length;
  const join = await host.query(
    `SELECT l.name, u.pid FROM toy_limits l JOIN toy_usage u ON u.min_cpu_percent IN (l.cpu_percent, l.pid * 45) ORDER BY 1, 2`,
  );
  assert.equal(
    join.rows,
    [
      ['a', '10'],
      ['a', '10'],
      ['a', '30'],
      ['a', '30'],
      ['b', '10'],
    ],
    'one row per matching value (50 and 45 for a)',
  );
  assert.equal(
    [...new Set(params(n).flat())].sort(),
    ['45', '50', '90'],
    'each value SQLite forwards (with the column affinity IN applies) is one generate',
  );
  n = calls.length;
  // An OR of join equalities with different right-hand sides is not forwarded (SQLite makes no IN of it).
  const orJoin = await host.query(
    `SELECT u.pid FROM toy_limits l JOIN toy_usage u ON u.min_cpu_percent = l.cpu_percent OR u.min_cpu_percent = l.pid * 45`,
  );
  assert.equal(orJoin.rows, []);
  assert.equal(params(n), [null]);
  n = calls.length;
  const mixed = await host.query(
    `SELECT pid, min_cpu_percent FROM toy_usage WHERE min_cpu_percent = 60 OR name = 'svchost.exe'`,
  );
  assert.equal(params(n), [null], 'not forwarded under an OR with another column');
  assert.equal(mixed.rows, [['20', null]], 'so rows carry no parameter and only the other branch matches');
  host.close();
});

test('a join of two of our tables is correct and every statement generates afresh', async () => {
  const a = usageTable(ROWS, 'toy_a');
  const b = usageTable(ROWS, 'toy_b');
  const host = new EmbeddedHost({ tables: [a.plugin, b.plugin] });
  const sql = `SELECT x.name, y.pid FROM toy_a x JOIN toy_b y ON y.pid = x.pid WHERE y.cpu_percent > 50 ORDER BY y.pid`;
  const expected = [
    ['xmrig.exe', '10'],
    ['powershell.exe', '30'],
  ];
  assert.equal((await host.query(sql)).rows, expected);
  assert.equal((await host.query(sql)).rows, expected);
  assert.is(a.calls.length, 2);
  assert.is(b.calls.length, 2);
  // The stand-in tables used during a statement are gone afterwards.
  assert.equal((await host.query(`SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'toy_%'`)).rows, [['0']]);
  host.close();
});

test('bad statements, unknown tables, writes and failing generates are clear errors', async () => {
  const failing: TablePlugin = {
    ...usageTable(ROWS).plugin,
    name: 'toy_broken',
    generate: async () => {
      throw new Error('sampler unavailable');
    },
  };
  const host = new EmbeddedHost({ tables: [failing] });
  await rejects(host.query('SELEC 1'), 'input', /syntax error/);
  await rejects(host.query('SELECT * FROM no_such_table'), 'input', /no such table: no_such_table/);
  await rejects(host.query('CREATE TABLE t(x)'), 'input', /read-only/);
  await rejects(host.query(`ATTACH '/tmp/x.db' AS x`), 'input', /ATTACH/);
  await rejects(host.query('SELECT 1; SELECT 2'), 'input', /more than one statement/);
  await rejects(host.query('SELECT * FROM toy_broken'), 'table', /toy_broken: sampler unavailable/);
  await rejects(
    host.query('SELECT * FROM toy_broken WHERE min_cpu_percent > 3'),
    'input',
    /can only be constrained by the '=' operator/,
  );
  // The host is still usable after errors.
  assert.equal((await host.query('SELECT 1 AS one')).rows, [['1']]);
  host.close();
});

test('snapshots: bad files are errors naming the file; snapshots may not shadow our tables', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ 'processes.json': '[{"pid": "1",' }, /processes\.json: not valid JSON/],
    [{ 'processes.json': '[{"pid": 1}]' }, /processes\.json: row 0, column "pid": expected a string/],
    [{ 'processes.json': '{"pid": "1"}' }, /processes\.json: expected a JSON array/],
    [{ 'bad name.json': '[]' }, /bad name\.json: "bad name" is not a usable table name/],
    [{ 'sqlite_master.json': '[]' }, /sqlite_master\.json/],
    [{ 'mystery.json': '[]' }, /mystery\.json: no rows and not an osquery table/],
  ];
  for (const [files, message] of bad) {
    assert.throws(
      () => loadSnapshotDir(snapshotDir(files)),
      (e: Error) => e instanceof SnapshotError && message.test(e.message),
    );
  }
  assert.throws(
    () => loadSnapshotDir('/nonexistent/an1489'),
    /snapshot directory \/nonexistent\/an1489: does not exist/,
  );

  const { plugin } = usageTable(ROWS);
  const shadow = loadSnapshotDir(snapshotDir({ 'toy_usage.json': '[{"pid":"1"}]' }));
  assert.throws(
    () => new EmbeddedHost({ tables: [plugin], snapshots: shadow }),
    /toy_usage is one of this extension's tables/,
  );

  // osqueryi output redirected by Windows PowerShell 5 is UTF-16LE with a BOM.
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"pid":"7","name":"a.exe"}]', 'utf16le')]);
  const dir16 = snapshotDir({});
  writeFileSync(join(dir16, 'processes.json'), utf16);
  assert.equal(loadSnapshotDir(dir16)[0].rows, [{ pid: '7', name: 'a.exe' }]);

  // Unknown tables get TEXT columns from the union of keys; known empty tables get the schema's columns.
  const ok = loadSnapshotDir(
    snapshotDir({
      'notes.json': '[{"a":"1"},{"b":"x","a":null}]',
      'listening_ports.json': '[]',
      'README.txt': 'ignored',
    }),
  );
  const notes = ok.find((t) => t.name === 'notes')!;
  assert.equal(notes.columns, [
    { name: 'a', type: 'TEXT' },
    { name: 'b', type: 'TEXT' },
  ]);
  assert.ok(
    ok.find((t) => t.name === 'listening_ports')!.columns.some((c) => c.name === 'port' && c.type === 'INTEGER'),
  );
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
