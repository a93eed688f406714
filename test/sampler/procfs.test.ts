// The procfs source against real processes: a hostile executable name (space,
// parentheses and a newline, which is what comm is made of), exact CPU and
// identity figures cross-checked with /proc, processes vanishing mid-read,
// and the state file round trip on recorded samples.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { readStateFile, restoreStore, snapshotStore, writeStateFile } from '../../src/sampler/state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('hostile executable name, identity and figures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-procfs-'));
  const hostile = join(dir, 'x) (y\nz');
  symlinkSync('/bin/sleep', hostile);
  const child = spawn(hostile, ['30'], { stdio: 'ignore' });
  try {
    await sleep(300);
    const source = new ProcfsSource();
    const s = await source.sample({ sockets: false });
    const me = s.processes.find((p) => p.pid === child.pid);
    assert.ok(me, 'the child is listed');
    assert.is(me.name, 'x) (y\nz', 'comm with parentheses and a newline read whole');
    assert.match(me.path, /sleep$/);
    assert.is(me.cmdline, `${hostile} 30`);
    assert.is(me.ppid, process.pid);
    const self = s.processes.find((p) => p.pid === process.pid)!;
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    assert.is(self.startTime, btime + Math.floor(Number(fields[19]) / 100));
    assert.ok(self.userTimeMs! >= 0 && self.residentBytes! > 1 << 20 && self.threads! >= 1);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processes vanishing mid-read never fail a tick', async () => {
  const churn = spawn('sh', ['-c', 'i=0; while [ $i -lt 400 ]; do true & i=$((i+1)); done; wait'], { stdio: 'ignore' });
  const source = new ProcfsSource();
  const store = new HistoryStore({ intervalMs: 1000 });
  let ticks = 0;
  const done = new Promise((r) => churn.on('exit', r));
  let finished = false;
  void done.then(() => (finished = true));
  // Bounded in wall time, not only in ticks: on a loaded machine a tick that
  // walks every fd of every process can take long, and the test must fail
  // with a message rather than run into the runner's time limit.
  const deadline = Date.now() + 60_000;
  try {
    while (!finished || ticks < 3) {
      store.ingest(await source.sample({ needCmdline: (pid, start) => !store.hasCmdline(pid, start), sockets: true }));
      ticks++;
      await sleep(5); // let the child's exit event through
      if (Date.now() > deadline) throw new Error(`churn did not finish within 60 s (${ticks} ticks)`);
    }
  } finally {
    if (!finished) churn.kill('SIGKILL');
  }
  assert.ok(ticks >= 3);
  assert.ok(store.size > 0);
});

test('state file round trip keeps every sample value, NULLs included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-roundtrip-'));
  try {
    const store = new HistoryStore({ intervalMs: 10_000 });
    const rec = (cpu: number | null, rss: number | null) => ({
      pid: 7,
      ppid: 1,
      startTime: 1_700_000_000,
      name: 'w',
      path: '/w',
      cmdline: 'w -x',
      user: 'u',
      userTimeMs: cpu,
      systemTimeMs: cpu === null ? null : 5,
      residentBytes: rss,
      threads: rss === null ? null : 4,
    });
    const values: [number | null, number | null][] = [
      [0, 1 << 20],
      [2_000, null],
      [null, 3 << 20],
      [9_000, 4 << 20],
    ];
    values.forEach(([cpu, rss], t) =>
      store.ingest({
        wallMs: 1_700_000_100_000 + t * 10_000,
        monotonicMs: 500_000 + t * 10_000,
        processes: [rec(cpu, rss)],
        sockets: [],
      }),
    );
    const original = [...store.tracked()][0].history!;
    await writeStateFile(dir, snapshotStore(store, store.lastMonoMs));
    const loaded = await readStateFile(dir);
    assert.ok(loaded.ok);
    if (!loaded.ok) return;
    const fresh = new HistoryStore({ intervalMs: 10_000 });
    assert.is(restoreStore(fresh, loaded.data, [rec(9_000, 4 << 20)], 540_000), 1);
    const restored = [...fresh.tracked()][0].history!;
    assert.is(restored.length, original.length);
    for (let k = 0; k < original.length; k++) assert.equal(restored.at(k), original.at(k), `sample ${k}`);
    assert.equal([...fresh.all()][0].ancestors, [...store.all()][0].ancestors);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
