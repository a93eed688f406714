// The three history tables as declared (types, options, descriptions) and as
// hunters use them: their examples and the pid/sample_time narrowing run
// through the embedded SQL host (real SQLite) over a store fed recorded
// samples, with a processes snapshot for the joins.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedHost } from '../../src/host/host.js';
import { HistoryStore } from '../../src/sampler/store.js';
import type { ProcessRecord } from '../../src/sampler/source.js';
import { processCpuHistoryTable } from '../../src/tables/process_cpu_history.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { ColumnOption, type QueryContext, type TablePlugin } from '../../src/sdk/table.js';

const T0 = 1_700_000_000_000;
const rec = (pid: number, ppid: number, name: string, cpuMs: number, cmdline = `${name} --x`): ProcessRecord => ({
  pid,
  ppid,
  startTime: 1_699_000_000 + pid,
  name,
  path: `/opt/${name}`,
  cmdline,
  user: 'svc',
  userTimeMs: cpuMs,
  systemTimeMs: 0,
  residentBytes: 1 << 20,
  threads: 3,
});

function fixture() {
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
        rec(600, 1, 'idle', 0),
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
      ],
    });
  }
  return store;
}

function calls(plugin: TablePlugin): { plugin: TablePlugin; seen: QueryContext[] } {
  const seen: QueryContext[] = [];
  return { seen, plugin: { ...plugin, generate: (c: QueryContext) => (seen.push(c), plugin.generate(c)) } };
}

test('declarations: descriptions everywhere, BIGINT times and sizes, index/optimized/hidden options', () => {
  const store = new HistoryStore();
  const tables = [processCpuHistoryTable(store), processCpuSustainedTable(store), processConnectionHistoryTable(store)];
  for (const t of tables) {
    for (const c of t.columns) {
      assert.ok(c.description.length >= 10, `${t.name}.${c.name} has a description`);
      if (
        /time|seen|_seconds|size|^min_duration$/.test(c.name) &&
        c.name !== 'system_time_ms' &&
        c.name !== 'user_time_ms'
      )
        assert.is(c.type, 'BIGINT', `${t.name}.${c.name}`);
    }
    assert.is(t.columns.find((c) => c.name === 'pid')!.options, ColumnOption.INDEX | ColumnOption.OPTIMIZED);
    assert.ok(t.examples.length >= 2);
  }
  assert.is(tables[0].columns.find((c) => c.name === 'sample_time')!.options, ColumnOption.OPTIMIZED);
  for (const p of ['min_cpu_percent', 'min_duration'])
    assert.is(tables[1].columns.find((c) => c.name === p)!.options, ColumnOption.HIDDEN | ColumnOption.ADDITIONAL);
});

test('through SQLite: examples run; pid IN and sample_time ranges reach generate and narrow rows', async () => {
  const store = fixture();
  const history = calls(processCpuHistoryTable(store));
  const snapshot = {
    name: 'processes',
    file: '(test)',
    columns: [
      { name: 'pid', type: 'BIGINT' as const },
      { name: 'path', type: 'TEXT' as const },
    ],
    rows: [{ pid: '500', path: '/opt/xmrig' }],
  };
  const time = {
    name: 'time',
    file: '(test)',
    columns: [{ name: 'unix_time', type: 'BIGINT' as const }],
    rows: [{ unix_time: String(T0 / 1000 + 120) }],
  };
  const host = new EmbeddedHost({
    tables: [
      history.plugin,
      processCpuSustainedTable(store),
      processConnectionHistoryTable(store, { persistentSeconds: 60 }),
    ],
    snapshots: [snapshot, time],
  });
  try {
    const r = await host.query(
      `SELECT pid, sample_time, cpu_percent FROM process_cpu_history WHERE pid IN (500, 600) AND sample_time >= ${T0 / 1000 + 100} AND sample_time < ${T0 / 1000 + 120}`,
    );
    assert.equal(
      r.rows.map((row) => row.map(Number)),
      [
        [500, T0 / 1000 + 100, 90],
        [500, T0 / 1000 + 110, 90],
        [600, T0 / 1000 + 100, 0],
        [600, T0 / 1000 + 110, 0],
      ],
    );
    const last = history.seen[history.seen.length - 1];
    assert.equal(
      last.constraints
        .get('pid')
        ?.map((c) => c.expr)
        .sort(),
      ['500', '600'],
    );
    assert.ok(
      last.constraints.get('sample_time')?.some((c) => c.op === '>='),
      'sample_time range handed to generate',
    );

    const s = await host.query(
      'SELECT name, launch_vector, sustained, parent_name, ancestry FROM process_cpu_sustained WHERE min_cpu_percent = 50 AND min_duration = 60 AND sustained = 1',
    );
    assert.equal(s.rows, [['xmrig', 'scheduled_task', '1', 'sh', 'xmrig(500) <- sh(400) <- cron(300) <- systemd(1)']]);
    const c = await host.query(
      'SELECT name, remote_port, external, pool_port, persistent FROM process_connection_history WHERE persistent = 1 AND external = 1',
    );
    assert.equal(c.rows, [['xmrig', '14444', '1', '1', '1']]);
    for (const t of [
      processCpuHistoryTable(store),
      processCpuSustainedTable(store),
      processConnectionHistoryTable(store),
    ]) {
      for (const sql of t.examples) await host.query(sql);
    }
  } finally {
    host.close();
  }
});

test.run();
