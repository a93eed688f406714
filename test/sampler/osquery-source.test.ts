// The osquery source fed rows as osqueryd returns them (every value a string,
// '-1' for unknown), first through an injected query function, then through
// real Thrift bytes: the test manager answering the SDK's ManagerClient.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OsquerySource } from '../../src/sampler/osquery-source.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { emptyContext, type Row } from '../../src/sdk/table.js';
import { ManagerClient } from '../../src/sdk/client.js';
import { TestManager } from '../manager/manager.js';

/** A scripted Windows host as osqueryd would report it. */
function fakeOsqueryd() {
  let tick = 0;
  const sqls: string[] = [];
  const procs = () => [
    {
      pid: '600',
      parent: '500',
      name: 'services.exe',
      path: 'C:\\Windows\\System32\\services.exe',
      start_time: '1700000000',
      user_time: '100',
      system_time: '50',
      resident_size: '8000000',
      threads: '9',
      uid: '18',
      elapsed_time: '9000',
      cmdline: 'C:\\Windows\\system32\\services.exe',
    },
    {
      pid: '800',
      parent: '600',
      name: 'svchost.exe',
      path: 'C:\\Windows\\System32\\svchost.exe',
      start_time: '1700000010',
      user_time: '200',
      system_time: '10',
      resident_size: '9000000',
      threads: '12',
      uid: '18',
      elapsed_time: '8990',
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    },
    // Access denied: osqueryd reports -1 for what it could not read; start_time unknown but elapsed_time known.
    {
      pid: '4',
      parent: '0',
      name: 'System',
      path: '',
      start_time: '-1',
      user_time: '-1',
      system_time: '-1',
      resident_size: '-1',
      threads: '-1',
      uid: '-1',
      elapsed_time: '9999',
      cmdline: '',
    },
    {
      pid: '4321',
      parent: '800',
      name: 'svchost.exe',
      path: 'C:\\Users\\Public\\svchost.exe',
      start_time: '1700005000',
      user_time: String(10_000 * tick),
      system_time: String(500 * tick),
      resident_size: '300000000',
      threads: '8',
      uid: '1001',
      elapsed_time: '1000',
      cmdline: 'svchost.exe -o pool.example:3333',
    },
  ];
  const answer = (sql: string): Record<string, string>[] => {
    sqls.push(sql);
    if (sql.includes('FROM process_open_sockets')) {
      return [
        {
          pid: '4321',
          family: '2',
          protocol: '6',
          local_address: '10.0.0.5',
          local_port: '50000',
          remote_address: '198.51.100.20',
          remote_port: '3333',
          state: 'ESTABLISHED',
        },
        {
          pid: '800',
          family: '23',
          protocol: '6',
          local_address: '::',
          local_port: '135',
          remote_address: '::',
          remote_port: '0',
          state: 'LISTEN',
        },
      ];
    }
    const m = /WHERE p\.pid IN \(([^)]*)\)/.exec(sql);
    if (m) {
      const want = new Set(m[1].split(',').map((s) => s.trim()));
      return procs()
        .filter((p) => want.has(p.pid))
        .map((p) => ({
          pid: p.pid,
          start_time: p.start_time,
          cmdline: p.cmdline,
          username: p.uid === '1001' ? 'victim' : p.uid === '18' ? 'SYSTEM' : '',
        }));
    }
    tick++;
    return procs().map(({ cmdline: _c, ...rest }) => rest);
  };
  return { answer, sqls };
}

async function run(query: (sql: string) => Promise<Record<string, string>[]>, sqls: string[]) {
  const store = new HistoryStore({ intervalMs: 10_000, logicalCpus: 4 });
  const source = new OsquerySource(query, { windows: true });
  for (let t = 0; t < 4; t++) {
    const s = await source.sample({ needCmdline: (pid, start) => !store.hasCmdline(pid, start), sockets: true });
    // Recorded as if 10 s apart, so the figures are exact.
    store.ingest({ ...s, monotonicMs: 1_000_000 + t * 10_000, wallMs: 1_700_010_000_000 + t * 10_000 });
  }
  const rows = [
    ...(processCpuSustainedTable(store).generate({
      constraints: new Map([['min_duration', [{ op: '=', expr: '20' }]]]),
      colsUsed: null,
    }) as Iterable<Row>),
  ];
  const miner = rows.find((r) => r.pid === 4321)!;
  assert.is(miner.cmdline, 'svchost.exe -o pool.example:3333');
  assert.is(miner.user, 'victim');
  assert.is(miner.parent_name, 'svchost.exe');
  assert.is(miner.launch_vector, 'scheduled_task');
  assert.is(miner.avg_cpu_percent, 105, '(10 000 + 500) ms per 10 s');
  assert.is(miner.sustained, 1);
  const system = rows.find((r) => r.pid === 4)!;
  assert.is(system.avg_cpu_percent, null, '-1 values are unknown, not zero');
  assert.ok(
    Math.abs(Number(system.start_time) - (Math.floor(Date.now() / 1000) - 9999)) <= 5,
    'start time derived from elapsed_time',
  );
  assert.is(rows.filter((r) => r.pid === 4).length, 1, 'one identity despite deriving the start time every tick');
  // The expensive column is asked for once per identity, not every tick.
  const cmdlineQueries = sqls.filter((s) => s.includes('cmdline'));
  assert.is(cmdlineQueries.length, 1, sqls.join('\n'));
  assert.ok(sqls.filter((s) => s.startsWith('SELECT pid, parent')).every((s) => !s.includes('cmdline')));
  const conns = [
    ...(processConnectionHistoryTable(store, { persistentSeconds: 20 }).generate(emptyContext()) as Iterable<Row>),
  ];
  assert.is(conns.length, 1, 'listening socket skipped');
  assert.equal(
    [conns[0].remote_address, conns[0].external, conns[0].pool_port, conns[0].persistent],
    ['198.51.100.20', 1, 1, 1],
  );
}

test('rows through an injected query function', async () => {
  const fake = fakeOsqueryd();
  await run(async (sql) => fake.answer(sql), fake.sqls);
});

test('rows through real Thrift: the test manager answering ManagerClient.query', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-osq-'));
  const fake = fakeOsqueryd();
  const manager = new TestManager({ socketPath: join(dir, 'osquery.em'), query: (sql) => fake.answer(sql) });
  await manager.start();
  const client = new ManagerClient(join(dir, 'osquery.em'), { callTimeoutMs: 5000 });
  try {
    await client.connect(2000);
    await run((sql) => client.query(sql), fake.sqls);
  } finally {
    client.close();
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed rows and a failing manager: one warning, no crash, the schedule survives', async () => {
  const logs: string[] = [];
  let calls = 0;
  const store = new HistoryStore({ intervalMs: 1000 });
  const bad = new OsquerySource(async (sql) => {
    if (!sql.endsWith('FROM processes')) return [];
    calls++;
    if (calls === 1)
      return [
        {
          pid: '1',
          parent: '0',
          name: 'init',
          start_time: '1',
          user_time: '1',
          system_time: '1',
          resident_size: '1',
          threads: '1',
          uid: '0',
        },
      ];
    if (calls === 2) return [{ pid: 7 }] as unknown as Record<string, string>[];
    throw new Error('connection to /var/osquery/osquery.em closed');
  });
  const sampler = new Sampler(bad, store, {
    intervalSeconds: 60,
    stateDir: null,
    log: (level, m) => logs.push(`${level} ${m}`),
  });
  await sampler.start();
  await sampler.tick();
  await sampler.tick();
  await sampler.tick();
  await sampler.stop();
  assert.is(logs.length, 1, logs.join('\n'));
  assert.match(logs[0], /^warn sampler: osquery sample failed: osqueryd returned malformed rows/);
  assert.is(store.size, 1, 'history kept');
});

test.run();
