// The store's memory-saving shapes keep every figure: a CPU-only ring answers
// the CPU series and the newest counters exactly as a full one does; children
// of one parent share its remembered ancestry until the parent exec()s; text
// held once across a replay is bounded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SampleRing, type SampleValues } from '../../src/sampler/ring.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { NO_CONNECTIONS } from '../../src/sampler/connections.js';
import { Interner } from '../../src/replay/intern.js';
import type { ProcessRecord } from '../../src/sampler/source.js';

function value(i: number): SampleValues {
  return {
    wallSec: 1_700_000_000 + i * 30,
    dtSec: i === 0 ? 0 : 30,
    cpuPercent: i % 7 === 3 ? null : (i * 13.7) % 400,
    userTimeMs: i % 11 === 5 ? null : 1e12 + i * 1234.5, // beyond 2^32 and fractional: Float64 kept
    systemTimeMs: i * 10,
    residentBytes: i % 5 === 0 ? null : 1_000_000 + i * 4096,
    threads: i % 9 === 0 ? null : i,
  };
}

test('a CPU-only ring holds the same CPU series and newest counters as a full ring, through growth and wrap-around', () => {
  for (const pushes of [1, 15, 16, 17, 100, 121, 122, 500]) {
    const full = new SampleRing(121);
    const cpu = new SampleRing(121, undefined, false);
    for (let i = 0; i < pushes; i++) {
      full.push(value(i));
      cpu.push(value(i));
    }
    assert.is(cpu.length, full.length);
    for (let k = 0; k < full.length; k++) {
      assert.is(cpu.wallAt(k), full.wallAt(k));
      assert.is(cpu.dtAt(k), full.dtAt(k));
      assert.equal(Number.isNaN(cpu.cpuAt(k)), Number.isNaN(full.cpuAt(k)));
      if (!Number.isNaN(full.cpuAt(k))) assert.is(cpu.cpuAt(k), full.cpuAt(k));
    }
    const last = full.length - 1;
    assert.equal(cpu.at(last), full.at(last), `newest sample after ${pushes} pushes`);
    if (last > 0) {
      const older = cpu.at(last - 1);
      assert.equal(
        [older.userTimeMs, older.systemTimeMs, older.residentBytes, older.threads],
        [null, null, null, null],
      );
      assert.is(older.cpuPercent, full.at(last - 1).cpuPercent);
    }
    assert.ok(cpu.byteLength * 3 === full.byteLength, '12 bytes a sample instead of 36');
    const c = cpu.toColumns();
    const users = new Float64Array(new Uint8Array(c.user).buffer);
    assert.ok(Object.is(users.at(-1), full.at(last).userTimeMs ?? NaN), 'the state file gets the newest counters');
    assert.ok(users.subarray(0, -1).every(Number.isNaN), 'and unknown before them');
  }
});

test('a full ring round-trips its columns (state file) unchanged', () => {
  const a = new SampleRing(50);
  for (let i = 0; i < 73; i++) a.push(value(i));
  const b = new SampleRing(50);
  b.appendColumns(a.toColumns());
  for (let k = 0; k < a.length; k++) assert.equal(b.at(k), a.at(k));
});

const T0 = 1_700_000_000_000;
function proc(pid: number, ppid: number, extra: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    pid,
    ppid,
    startTime: 1_699_999_000 + pid,
    name: `p${pid}.exe`,
    path: `C:\\p${pid}.exe`,
    cmdline: `p${pid}`,
    user: 'u',
    userTimeMs: 0,
    systemTimeMs: 0,
    residentBytes: null,
    threads: null,
    ...extra,
  };
}

test('children of one parent share its ancestry; after the parent exec()s a new child remembers the new program', () => {
  const s = new HistoryStore({ intervalMs: 10_000, logicalCpus: 4 });
  const base = [proc(1, 0), proc(2, 1), proc(10, 2), proc(11, 2)];
  s.ingest({ wallMs: T0, monotonicMs: 1000, processes: base, sockets: [] });
  const [a, b] = [s.get(10, 1_699_999_010)!, s.get(11, 1_699_999_011)!];
  assert.equal(
    a.ancestors.map((x) => x.name),
    ['p2.exe', 'p1.exe'],
  );
  assert.ok(a.ancestors === b.ancestors, 'one array for both children');
  // pid 2 exec()s: same pid and start time, new program; then a child starts.
  const execd = proc(2, 1, { name: 'powershell.exe', path: 'C:\\ps.exe', cmdline: 'powershell -enc x' });
  s.ingest({
    wallMs: T0 + 10_000,
    monotonicMs: 11_000,
    processes: [base[0], execd, base[2], base[3], proc(12, 2)],
    sockets: [],
  });
  const c = s.get(12, 1_699_999_012)!;
  assert.equal(
    c.ancestors.map((x) => [x.name, x.cmdline]),
    [
      ['powershell.exe', 'powershell -enc x'],
      ['p1.exe', 'p1'],
    ],
  );
  assert.equal(
    a.ancestors.map((x) => x.name),
    ['p2.exe', 'p1.exe'],
    'an older child keeps what it saw',
  );
});

test('a process that never connects owns no connection map; one that does gets its own', () => {
  const s = new HistoryStore({ intervalMs: 10_000, logicalCpus: 4 });
  const sock = {
    pid: 11,
    protocol: 'tcp' as const,
    family: 4 as const,
    localAddress: '10.0.0.2',
    localPort: 50000,
    remoteAddress: '45.9.20.1',
    remotePort: 3333,
    state: 'ESTABLISHED',
  };
  s.ingest({ wallMs: T0, monotonicMs: 1000, processes: [proc(10, 0), proc(11, 0)], sockets: [sock] });
  assert.ok(s.get(10, 1_699_999_010)!.connections === NO_CONNECTIONS);
  assert.is(NO_CONNECTIONS.size, 0);
  assert.equal([...s.get(11, 1_699_999_011)!.connections.keys()], ['tcp|45.9.20.1|3333']);
});

test('held text is bounded by its character budget; over it, text passes through unheld', () => {
  const i = new Interner(10);
  assert.is(i.intern('abcd'), 'abcd');
  assert.is(i.intern('abcd'), 'abcd');
  assert.is(i.heldChars, 4, 'the same text is held once');
  i.intern('efghij');
  assert.is(i.heldChars, 10);
  assert.is(i.intern('k'), 'k');
  assert.is(i.heldChars, 10, 'over budget: not held');
  assert.is(i.intern('x'.repeat(5000)).length, 5000);
  const row = { path: 'abcd', result: 'trusted' };
  assert.is(i.row(row), row, 'rows are held in place');
  assert.equal(row, { path: 'abcd', result: 'trusted' });
});

test.run();
