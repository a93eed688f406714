// The table specs are the one declaration of our tables: the runtime serves
// exactly them, docs/tables.md is rendered from them (and fails here when
// stale), malformed specs are refused, and every column's declared type
// matches what the real generate returns over a fed store, real PE files and
// this machine's real processes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '../../src/runtime.js';
import { TABLE_SPECS } from '../../src/tables/specs/index.js';
import { columnDeclarations, defineTable, type TableSpec } from '../../src/tables/spec.js';
import { renderTablesDoc } from '../../src/tables/doc.js';
import { extensionDeclarations } from '../../src/pack/declarations.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import type { ProcessRecord, ProcessSource } from '../../src/sampler/source.js';
import { SignatureChecker, loadTrustBundle } from '../../src/signature/checker.js';
import { processCpuHistoryTable } from '../../src/tables/process_cpu_history.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { processSignatureCheckTable } from '../../src/tables/process_signature_check.js';
import { fileSignatureCheckTable } from '../../src/tables/file_signature_check.js';
import {
  emptyContext,
  type CellValue,
  type ColumnType,
  type QueryContext,
  type Row,
  type TablePlugin,
} from '../../src/sdk/table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'pe');

test('docs/tables.md is rendered from the specs (run node scripts/gen-tables-doc.mjs when this fails)', () => {
  assert.fixture(readFileSync(join(ROOT, 'docs', 'tables.md'), 'utf8'), renderTablesDoc(TABLE_SPECS));
});

test("the runtime serves exactly the specs, in order, with the specs' columns and options", async () => {
  const runtime = await createRuntime({ mode: 'standalone', persistState: false });
  assert.equal(
    runtime.tables.map((t) => t.name),
    TABLE_SPECS.map((s) => s.name),
  );
  for (const [i, t] of runtime.tables.entries()) {
    const s = TABLE_SPECS[i];
    assert.equal(t.columns, columnDeclarations(s), t.name);
    assert.equal([t.description, t.platforms, t.examples], [s.description, s.platforms, s.examples], t.name);
  }
});

test('the pack reads its declarations from the specs', () => {
  assert.equal(
    extensionDeclarations().map((d) => [d.name, d.columns.filter((c) => c.hidden).map((c) => c.name)]),
    TABLE_SPECS.map((s) => [s.name, s.columns.filter((c) => c.hidden).map((c) => c.name)]),
  );
});

test('a malformed spec is refused when it is defined', () => {
  const good: TableSpec = {
    name: 'x_table',
    description: 'A table for this test only.',
    platforms: ['linux'],
    columns: [{ name: 'a', type: 'TEXT', description: 'a column here' }],
    examples: ['SELECT a FROM x_table'],
  };
  assert.is(defineTable(good), good);
  const bad: [string, TableSpec, RegExp][] = [
    ['duplicate column', { ...good, columns: [...good.columns, ...good.columns] }, /duplicate column/],
    [
      'required but neither hidden nor index',
      { ...good, columns: [{ ...good.columns[0], required: true }] },
      /required needs/,
    ],
    ['example not naming the table', { ...good, examples: ['SELECT 1'] }, /does not name the table/],
    ['unknown type', { ...good, columns: [{ ...good.columns[0], type: 'STRING' as ColumnType }] }, /x_table/],
    ['not an identifier', { ...good, name: 'x-table', examples: ['SELECT a FROM x-table'] }, /x-table/],
    ['no platform', { ...good, platforms: [] }, /x_table/],
  ];
  for (const [why, spec, message] of bad) assert.throws(() => defineTable(spec), message, why);
});

/** osquery's column types as a generate may return them (NULL always allowed). */
function typeProblem(type: ColumnType, v: CellValue): string | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'TEXT':
    case 'BLOB':
      return typeof v === 'string' ? null : `${typeof v} for ${type}`;
    case 'INTEGER':
    case 'BIGINT':
      return typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))
        ? null
        : `${String(v)} (${typeof v}) for ${type}`;
    case 'UNSIGNED BIGINT':
      return (typeof v === 'bigint' && v >= 0n) || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
        ? null
        : `${String(v)} for ${type}`;
    case 'DOUBLE':
      return typeof v === 'number' && Number.isFinite(v) ? null : `${String(v)} (${typeof v}) for DOUBLE`;
  }
}

/** Every row carries every declared column (a missing key would hide a misspelt one) and no other, each of its type. */
function conformance(table: TablePlugin, rows: readonly Row[], seen: Map<string, Set<string>>): void {
  const spec = TABLE_SPECS.find((s) => s.name === table.name)!;
  const names = spec.columns.map((c) => c.name).sort();
  for (const row of rows) {
    assert.equal(Object.keys(row).sort(), names, `${table.name}: row keys`);
    for (const c of spec.columns) {
      const problem = typeProblem(c.type, row[c.name]);
      assert.is(problem, null, `${table.name}.${c.name}: ${problem}`);
      if (row[c.name] !== null && row[c.name] !== undefined) {
        const s = seen.get(table.name) ?? new Set<string>();
        s.add(c.name);
        seen.set(table.name, s);
      }
    }
  }
}

async function rowsOf(table: TablePlugin, context: QueryContext = emptyContext()): Promise<Row[]> {
  return [...(await table.generate(context))];
}

const T0 = 1_700_000_000_000;
const rec = (pid: number, ppid: number, name: string, cpuMs: number): ProcessRecord => ({
  pid,
  ppid,
  startTime: 1_699_000_000 + pid,
  name,
  path: `/opt/${name}`,
  cmdline: `${name} --x`,
  user: 'svc',
  userTimeMs: cpuMs,
  systemTimeMs: cpuMs / 10,
  residentBytes: 1 << 20,
  threads: 3,
});

test('column types: every generate returns what its spec declares', async () => {
  const seen = new Map<string, Set<string>>();
  const store = new HistoryStore({ intervalMs: 10_000, logicalCpus: 2 });
  for (let t = 0; t <= 120; t += 10) {
    store.ingest({
      wallMs: T0 + t * 1000,
      monotonicMs: 1_000_000 + t * 1000,
      processes: [
        rec(1, 0, 'systemd', 0),
        rec(300, 1, 'cron', 0),
        rec(400, 300, 'sh', 0),
        rec(500, 400, 'xmrig', t * 900),
        ...(t < 60 ? [rec(600, 1, 'short', t * 10)] : []),
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
          pid: 500,
          protocol: 'udp',
          family: 6,
          localAddress: '::',
          localPort: 5353,
          remoteAddress: '2001:db8::1',
          remotePort: 53,
          state: '',
        },
      ],
    });
  }
  const ctx: QueryContext = {
    constraints: new Map([
      ['min_cpu_percent', [{ op: '=', expr: '50' }]],
      ['min_duration', [{ op: '=', expr: '60' }]],
    ]),
    colsUsed: null,
  };
  conformance(processCpuHistoryTable(store), await rowsOf(processCpuHistoryTable(store)), seen);
  conformance(
    processCpuSustainedTable(store, { isApproved: (p) => p.name === 'cron' }),
    await rowsOf(processCpuSustainedTable(store, { isApproved: (p) => p.name === 'cron' }), ctx),
    seen,
  );
  conformance(
    processConnectionHistoryTable(store, { persistentSeconds: 60 }),
    await rowsOf(processConnectionHistoryTable(store, { persistentSeconds: 60 })),
    seen,
  );

  const checker = new SignatureChecker({
    maxFileBytes: 1 << 20,
    cacheBytes: 1 << 20,
    trust: await loadTrustBundle(join(FIXTURES, 'test-ca.pem')),
  });
  const files = [
    'chains/expired-timestamped.exe',
    'signed.exe',
    'nested.exe',
    'svchost.exe',
    'tampered.exe',
    'unsigned.exe',
    'missing.exe',
  ].map((f) => join(FIXTURES, f));
  files.push('C:\\Windows\\System32\\svchost.exe'); // a Windows name: judged for location even where it cannot be read
  const fileTable = fileSignatureCheckTable({ checker });
  const fileRows = await rowsOf(fileTable, {
    constraints: new Map([['file', files.map((expr) => ({ op: '=' as const, expr }))]]),
    colsUsed: null,
  });
  assert.is(fileRows.length, files.length);
  conformance(fileTable, fileRows, seen);
  const procTable = processSignatureCheckTable({ checker, source: new ProcfsSource() });
  const procRows = await rowsOf(procTable);
  assert.ok(
    procRows.some((r) => r.pid === process.pid),
    'this test process is among the rows',
  );
  conformance(procTable, procRows, seen);

  // Windows-shaped processes (the machine has none): a catalogued name at its Windows path, and a
  // timestamped PE running from a file, read at its path as on Windows (no procfs).
  const windowsLike: ProcessSource = {
    name: 'windows-like',
    sample: async () => ({
      wallMs: Date.now(),
      monotonicMs: performance.now(),
      processes: [
        {
          ...rec(4, 0, 'svchost.exe', 0),
          path: 'C:\\Windows\\System32\\svchost.exe',
          cmdline: 'svchost.exe -k netsvcs',
        },
        { ...rec(8, 4, 'expired-timestamped.exe', 0), path: join(FIXTURES, 'chains', 'expired-timestamped.exe') },
      ],
      sockets: [],
    }),
  };
  conformance(
    procTable,
    await rowsOf(processSignatureCheckTable({ checker, source: windowsLike, image: { procRoot: null } })),
    seen,
  );

  // The fixtures give every column a value at least once, so no type went unchecked.
  for (const s of TABLE_SPECS) {
    const unseen = s.columns.map((c) => c.name).filter((c) => !seen.get(s.name)?.has(c));
    assert.equal(unseen, [], `${s.name}: columns never non-NULL in the fixtures`);
  }
});

test.run();
