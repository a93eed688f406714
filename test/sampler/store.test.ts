// The store on recorded sample sequences: synthetic ProcessSamples as a
// source would produce them, including the awkward cases (pid reuse, counters
// going backwards, -1 values, a suspended sampler, wall-clock jumps, many
// processes). Figures are checked against hand computation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryStore } from '../../src/sampler/store.js';
import { summarize } from '../../src/sampler/summary.js';
import type { ProcessRecord, ProcessSample, SocketRecord } from '../../src/sampler/source.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { processCpuHistoryTable } from '../../src/tables/process_cpu_history.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import { emptyContext, type Constraint, type QueryContext, type Row } from '../../src/sdk/table.js';

const T0 = 1_700_000_000_000;

function proc(pid: number, cpuMs: number | null, extra: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    pid,
    ppid: 1,
    startTime: 1_699_999_000,
    name: `p${pid}`,
    path: `/usr/bin/p${pid}`,
    cmdline: `p${pid} --run`,
    user: 'root',
    userTimeMs: cpuMs,
    systemTimeMs: cpuMs === null ? null : 0,
    residentBytes: 4096 * 1024,
    threads: 2,
    ...extra,
  };
}

function sample(
  tSec: number,
  processes: ProcessRecord[],
  sockets: SocketRecord[] = [],
  wallOffsetMs = 0,
): ProcessSample {
  return { wallMs: T0 + tSec * 1000 + wallOffsetMs, monotonicMs: 5_000_000 + tSec * 1000, processes, sockets };
}

function rows(
  table: { generate(c: QueryContext): Iterable<Row> | Promise<Iterable<Row>> },
  constraints: Record<string, Constraint[]> = {},
): Row[] {
  const r = table.generate({ constraints: new Map(Object.entries(constraints)), colsUsed: null });
  if (r instanceof Promise) throw new Error('expected synchronous generate');
  return [...r];
}

const store = (o = {}) => new HistoryStore({ intervalMs: 10_000, windowMs: 3_600_000, logicalCpus: 4, ...o });

test('cpu percent per core and per machine from deltas over monotonic time', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, 0)]));
  s.ingest(sample(10, [proc(10, 15_000)])); // 15 s of CPU in 10 s = 150 % of one core
  const h = rows(processCpuHistoryTable(s));
  assert.is(h.length, 2);
  assert.is(h[0].cpu_percent, null, 'first sight has no delta');
  assert.is(h[1].cpu_percent, 150);
  assert.is(h[1].cpu_percent_total, 37.5);
  assert.is(h[1].user_time_ms, 15_000);
});

test('pid reuse: same pid, new start time is a new process, never merged', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, 50_000)]));
  s.ingest(sample(10, [proc(10, 60_000)]));
  // pid 10 exits and is reused by a process with a lower counter and a new start time.
  s.ingest(sample(20, [proc(10, 100, { startTime: 1_700_000_015, name: 'reused' })]));
  s.ingest(sample(30, [proc(10, 5_100, { startTime: 1_700_000_015, name: 'reused' })]));
  const sus = rows(processCpuSustainedTable(s), { min_duration: [{ op: '=', expr: '0' }] });
  assert.is(sus.length, 2);
  const old = sus.find((r) => r.start_time === 1_699_999_000)!;
  const fresh = sus.find((r) => r.name === 'reused')!;
  assert.is(old.exited, 1);
  assert.is(old.max_cpu_percent, 100);
  assert.is(fresh.exited, 0);
  assert.is(fresh.samples, 1);
  assert.is(fresh.max_cpu_percent, 50);
  for (const r of rows(processCpuHistoryTable(s))) assert.ok(((r.cpu_percent ?? 0) as number) >= 0);
});

test('a counter going backwards gives no figure, never a negative one', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, 10_000)]));
  s.ingest(sample(10, [proc(10, 2_000)])); // backwards (same identity)
  s.ingest(sample(20, [proc(10, 7_000)])); // 5 s over 10 s from the rebased counter
  const h = rows(processCpuHistoryTable(s)).map((r) => r.cpu_percent);
  assert.equal(h, [null, null, 50]);
});

test('-1 (unknown/access denied) values become NULL and never figures', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, null, { residentBytes: null, threads: null })]));
  s.ingest(sample(10, [proc(10, null, { residentBytes: null, threads: null })]));
  s.ingest(sample(20, [proc(10, 3_000)]));
  s.ingest(sample(30, [proc(10, 4_000)]));
  const h = rows(processCpuHistoryTable(s));
  assert.equal(
    h.map((r) => r.cpu_percent),
    [null, null, null, 10],
  );
  assert.is(h[0].resident_size, null);
  assert.is(h[0].threads, null);
  assert.is(h[0].user_time_ms, null);
});

test('a suspended sampler: a delta over a huge gap is discarded, the streak breaks, nothing absurd', () => {
  const s = store();
  let cpu = 0;
  for (let t = 0; t <= 60; t += 10) s.ingest(sample(t, [proc(10, (cpu += 10_000))])); // 100 % steady
  // Suspended for an hour; the process kept running at 100 % meanwhile.
  cpu += 3_600_000;
  s.ingest(sample(3660, [proc(10, cpu)]));
  for (let t = 3670; t <= 3700; t += 10) s.ingest(sample(t, [proc(10, (cpu += 10_000))]));
  const h = rows(processCpuHistoryTable(s));
  const afterGap = h.find((r) => r.sample_time === (T0 + 3_660_000) / 1000)!;
  assert.is(afterGap.cpu_percent, null);
  const [sus] = rows(processCpuSustainedTable(s), {
    min_cpu_percent: [{ op: '=', expr: '50' }],
    min_duration: [{ op: '=', expr: '40' }],
  });
  assert.is(sus.longest_streak_seconds, 60, 'the unwatched hour is not counted');
  assert.is(sus.observed_seconds, 100, '60 s before the gap + 40 s after it');
  assert.is(sus.sustained, 1);
  assert.is(sus.max_cpu_percent, 100);
});

test('a sampler that is merely late computes over the real gap', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, 0)]));
  s.ingest(sample(25, [proc(10, 25_000)])); // 2.5 intervals late: still watched
  assert.is(rows(processCpuHistoryTable(s))[1].cpu_percent, 100);
});

test('a wall-clock jump changes timestamps only; figures use the monotonic clock', () => {
  const s = store();
  s.ingest(sample(0, [proc(10, 0)]));
  s.ingest(sample(10, [proc(10, 5_000)], [], -86_400_000)); // wall jumps back a day
  s.ingest(sample(20, [proc(10, 10_000)], [], 86_400_000)); // and forward two
  const h = rows(processCpuHistoryTable(s));
  assert.equal(
    h.map((r) => r.cpu_percent),
    [null, 50, 50],
  );
  // sample_time narrowing still finds the rows despite unsorted times: the
  // lowest time is the middle sample. (`<` never narrows: SQLite would keep
  // every row for a text or BLOB bound, src/sdk/compare.ts.)
  const lowest = Math.min(...h.map((r) => Number(r.sample_time)));
  assert.is(
    h.findIndex((r) => r.sample_time === lowest),
    1,
  );
  const exact = rows(processCpuHistoryTable(s), { sample_time: [{ op: '=', expr: String(lowest) }] });
  assert.equal(
    exact.map((r) => r.sample_time),
    [lowest],
  );
  const later = rows(processCpuHistoryTable(s), { sample_time: [{ op: '>', expr: String(lowest) }] });
  assert.is(later.length, 2);
  assert.is(rows(processCpuHistoryTable(s), { sample_time: [{ op: '<', expr: String(T0 / 1000) }] }).length, 3);
});

test('never above 100 x cores even when counters and clock disagree slightly; absurd deltas dropped', () => {
  const s = store({ logicalCpus: 2 });
  s.ingest(sample(0, [proc(10, 0), proc(11, 0)]));
  s.ingest(sample(10, [proc(10, 21_000), proc(11, 10_000_000)]));
  const h = rows(processCpuHistoryTable(s), { sample_time: [{ op: '>', expr: String(T0 / 1000) }] });
  assert.is(h.find((r) => r.pid === 10)!.cpu_percent, 200);
  assert.is(h.find((r) => r.pid === 11)!.cpu_percent, null);
});

test('remembered lineage survives the parent exiting; launch vector from ancestry', () => {
  const s = store();
  const svc = proc(600, 0, { ppid: 4, name: 'services.exe', startTime: 1_699_000_000 });
  const host = proc(800, 0, {
    ppid: 600,
    name: 'svchost.exe',
    cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    startTime: 1_699_000_100,
  });
  const ps = proc(1234, 0, { ppid: 800, name: 'powershell.exe', startTime: 1_699_999_500 });
  const miner = proc(4321, 0, { ppid: 1234, name: 'xmrig.exe', startTime: 1_699_999_600 });
  s.ingest(sample(0, [svc, host, ps, miner]));
  s.ingest(sample(10, [svc, host, { ...miner, ppid: 4, userTimeMs: 10_000 }])); // powershell exited
  const [m] = rows(processCpuSustainedTable(s), { pid: [{ op: '=', expr: '4321' }] });
  assert.is(m.parent, 1234);
  assert.is(m.parent_name, 'powershell.exe');
  assert.is(m.parent_cmdline, 'p1234 --run');
  assert.is(m.ancestry, 'xmrig.exe(4321) <- powershell.exe(1234) <- svchost.exe(800) <- services.exe(600)');
  assert.is(m.launch_vector, 'scheduled_task', 'the scheduled task outranks the nearer powershell');
  // A "parent" younger than the child is a reused pid, not the parent.
  const s2 = store();
  s2.ingest(
    sample(0, [proc(50, 0, { startTime: 1_700_000_000 }), proc(60, 0, { ppid: 50, startTime: 1_600_000_000 })]),
  );
  assert.is(rows(processCpuSustainedTable(s2), { pid: [{ op: '=', expr: '60' }] })[0].parent_name, '');
});

test('sustained needs an unbroken streak: bursts and averages do not qualify', () => {
  const s = store();
  let busy = 0;
  let bursty = 0;
  for (let t = 0; t <= 600; t += 10) {
    busy += 6_000; // 60 % steadily
    if ((t / 10) % 4 === 0) bursty += 10_000; // 100 % one tick in four
    s.ingest(sample(t, [proc(10, busy), proc(11, bursty)]));
  }
  const out = rows(processCpuSustainedTable(s), {
    min_cpu_percent: [{ op: '=', expr: '50' }],
    min_duration: [{ op: '=', expr: '300' }],
  });
  const steady = out.find((r) => r.pid === 10)!;
  const burst = out.find((r) => r.pid === 11)!;
  assert.is(steady.sustained, 1);
  assert.is(steady.longest_streak_seconds, 600);
  assert.is(steady.avg_cpu_percent, 60);
  assert.is(steady.p95_cpu_percent, 60);
  assert.is(steady.min_cpu_percent, 50, 'parameters are echoed');
  assert.is(steady.min_duration, 300);
  assert.is(burst.sustained, 0);
  assert.is(burst.max_cpu_percent, 100);
  assert.is(burst.longest_streak_seconds, 10);
});

test('absurd parameters are clear errors', () => {
  const s = store();
  const t = processCpuSustainedTable(s);
  assert.throws(() => rows(t, { min_cpu_percent: [{ op: '=', expr: 'lots' }] }), /min_cpu_percent must be a number/);
  assert.throws(() => rows(t, { min_cpu_percent: [{ op: '=', expr: '1e9' }] }), /between 0 and 400/);
  assert.throws(() => rows(t, { min_duration: [{ op: '=', expr: '-5' }] }), /min_duration must be a whole number/);
});

test('connections: listening and remote-less sockets skipped; persistence by observed time; external and pool port', () => {
  const s = store();
  const sock = (remote: string, port: number, state = 'ESTABLISHED'): SocketRecord => ({
    pid: 10,
    protocol: 'tcp',
    family: remote.includes(':') ? 6 : 4,
    localAddress: '10.0.0.5',
    localPort: 50000,
    remoteAddress: remote,
    remotePort: port,
    state,
  });
  for (let t = 0; t <= 400; t += 10) {
    s.ingest(
      sample(
        t,
        [proc(10, t * 100)],
        [
          sock('203.0.113.7', 3333),
          sock('0.0.0.0', 0, 'LISTEN'),
          sock('192.168.1.2', 443),
          ...(t === 0 ? [sock('::ffff:8.8.8.8', 53)] : []),
        ],
      ),
    );
  }
  const c = rows(processConnectionHistoryTable(s, { persistentSeconds: 300 }));
  assert.is(c.length, 3);
  const pool = c.find((r) => r.remote_port === 3333)!;
  assert.equal(
    [pool.external, pool.pool_port, pool.persistent, pool.observed_seconds, pool.samples],
    [1, 1, 1, 400, 41],
  );
  const lan = c.find((r) => r.remote_port === 443)!;
  assert.equal([lan.external, lan.persistent], [0, 1]);
  const brief = c.find((r) => r.remote_port === 53)!;
  assert.equal([brief.external, brief.persistent, brief.samples], [1, 0, 1]);
});

test('thousands of processes: bounded tracking evicts exited first, then idle; memory is reported', () => {
  const s = store({ maxTracked: 1000, exitedGraceMs: 3_600_000 });
  const many = (t: number, n: number, busyFrom: number) =>
    Array.from({ length: n }, (_, i) => proc(1000 + i, i >= busyFrom ? t * 1000 : 0, { startTime: 1_699_000_000 }));
  s.ingest(sample(0, many(0, 1000, 990)));
  assert.is(s.trackedSize, 1000);
  s.ingest(sample(10, many(10, 1000, 990)));
  // 500 exit, 800 new busy ones arrive: the exited go first, then idle live ones.
  const next = [
    ...many(20, 1000, 990).slice(500),
    ...Array.from({ length: 800 }, (_, i) => proc(5000 + i, 20_000, { startTime: 1_699_000_000 })),
  ];
  s.ingest(sample(20, next));
  assert.is(s.trackedSize, 1000);
  const tracked = [...s.tracked()];
  assert.ok(
    tracked.every((e) => !e.exited),
    'exited evicted first',
  );
  assert.ok(tracked.filter((e) => e.pid >= 1990 && e.pid < 2000).length === 10, 'the busy old ones stay');
  const bytes = s.memoryBytes();
  assert.ok(bytes > 1000 * 36 && bytes < 20 * 1024 * 1024, `memory ${bytes}`);
  const sum = summarize(tracked[0].history, 25, 300);
  assert.ok(sum.samples >= 0);
});

test('exited processes are kept for the grace period, then forgotten', () => {
  const s = store({ exitedGraceMs: 60_000 });
  s.ingest(sample(0, [proc(10, 0), proc(11, 0)]));
  s.ingest(sample(10, [proc(10, 1000)]));
  assert.is(rows(processCpuSustainedTable(s), { pid: [{ op: '=', expr: '11' }] })[0].exited, 1);
  s.ingest(sample(80, [proc(10, 2000)]));
  assert.is(rows(processCpuSustainedTable(s), { pid: [{ op: '=', expr: '11' }] }).length, 0);
  assert.is([...(processCpuSustainedTable(s).generate(emptyContext()) as Iterable<Row>)].length, 1);
});

test.run();
