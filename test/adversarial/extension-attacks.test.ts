// Issue 10's attacks on the real extension process (an1489 with osqueryd's
// flags, against the test manager over real Thrift), each with its bound:
// other calls stay within 1 s of their baseline (latencyBound), memory grows
// by at most 50 MB whatever the input's size, and time is judged against a
// baseline measured in the same test, never against a wall-clock constant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { MAX_STATE_BYTES, STATE_FILE_NAME } from '../../src/sampler/state.js';
import { hostileVersionPe, peWithVersionLeaves, versionInfo } from '../support/hostile-pe.js';
import {
  baselinePing,
  latencyBound,
  memoryOf,
  fileEquals,
  pingWhile,
  startRealExtension,
  type FakeProcess,
  type RealExtension,
} from '../support/real-extension.js';

const MB = 2 ** 20;
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pe');
const work = mkdtempSync('/tmp/an1489-adv-');
test.after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(work, `e${++n}`);
  mkdirSync(d);
  return d;
};

/** Runs `f` on a fresh extension and always stops it. */
async function withExtension(
  opts: Parameters<typeof startRealExtension>[0],
  f: (ext: RealExtension) => Promise<void>,
): Promise<void> {
  const ext = await startRealExtension(opts);
  try {
    await f(ext);
  } finally {
    await ext.stop();
  }
}

test('item 1: a process whose argv is "a." x 32,768 (and x 65,536) costs about what a short one does, and ping stays live', async () => {
  const dir = freshDir();
  const exe = join(dir, 'app.exe');
  copyFileSync(join(FIXTURES, 'unsigned.exe'), exe);
  const procs = [
    { pid: 4001, name: 'app.exe', path: exe, cmdline: `${exe} -o pool.minexmr.com:4444 ${'a.'.repeat(32_768)}` },
    { pid: 4002, name: 'app.exe', path: exe, cmdline: `${exe} ${'a.'.repeat(65_536)}` },
    { pid: 4003, name: 'app.exe', path: exe, cmdline: `${exe} ${'a'.repeat(65_536)}` },
  ];
  // One extension, warm: the same binary checked with short command lines, then with the long ones.
  const current: FakeProcess[] = [
    { pid: 4001, name: 'app.exe', path: exe, cmdline: `${exe} -o pool.minexmr.com:4444` },
  ];
  await withExtension({ dir, processes: current }, async (ext) => {
    await ext.generate('process_signature_check');
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await ext.generate('process_signature_check')).ms);
    const baseMs = runs.sort((a, b) => a - b)[1]!;
    current.splice(0, current.length, ...procs);
    const base = await baselinePing(ext);
    const { result, worstPingMs } = await pingWhile(ext, () => ext.generate('process_signature_check'));
    assert.is(result.code, 0, result.message);
    const row = result.rows[0]!;
    assert.match(row['reasons'] ?? '', /miner_pool/);
    const again = await ext.generate('process_signature_check');
    console.log(
      `  generate ${result.ms.toFixed(0)} ms, again ${again.ms.toFixed(0)} ms (short command line ${baseMs.toFixed(0)} ms); worst ping ${worstPingMs.toFixed(0)} ms, baseline ${base.median.toFixed(1)}/${base.worst.toFixed(1)} ms`,
    );
    assert.ok(worstPingMs <= latencyBound(base), `ping took ${worstPingMs.toFixed(0)} ms during the query`);
    assert.ok(
      result.ms <= 20 * baseMs + 1000,
      `long command lines: ${result.ms.toFixed(0)} ms against ${baseMs.toFixed(0)} ms`,
    );
  });
});

test('item 2: the 83 KB PE with 4,094 leaves over one 64 KB VERSIONINFO: near a one-leaf file in time, < 50 MB in memory', async () => {
  const dir = freshDir();
  const hostile = join(dir, 'hostile.exe');
  const single = join(dir, 'single.exe');
  writeFileSync(hostile, hostileVersionPe());
  writeFileSync(single, peWithVersionLeaves(versionInfo(30, 1000, { OriginalFilename: 'hostile.exe' }), 1));
  await withExtension({ dir }, async (ext) => {
    const base = await baselinePing(ext);
    await ext.generate('file_signature_check', fileEquals(single));
    const one = (await ext.generate('file_signature_check', fileEquals(join(dir, 'single.exe')))).ms;
    const before = memoryOf(ext.child.proc.pid!);
    let peak = before.rss;
    const { result, worstPingMs } = await pingWhile(
      ext,
      () => ext.generate('file_signature_check', fileEquals(hostile)),
      (pid) => (peak = Math.max(peak, memoryOf(pid).rss)),
    );
    assert.is(result.code, 0, result.message);
    assert.is(result.rows.length, 1);
    peak = Math.max(peak, memoryOf(ext.child.proc.pid!).rss);
    console.log(
      `  hostile PE ${result.ms.toFixed(0)} ms (one-leaf ${one.toFixed(0)} ms); RSS +${((peak - before.rss) / MB).toFixed(1)} MB; worst ping ${worstPingMs.toFixed(0)} ms`,
    );
    assert.ok(result.ms <= 20 * one + 1000, `${result.ms.toFixed(0)} ms against ${one.toFixed(0)} ms`);
    assert.ok(peak - before.rss < 50 * MB, `RSS grew ${((peak - before.rss) / MB).toFixed(1)} MB`);
    assert.ok(worstPingMs <= latencyBound(base), `ping took ${worstPingMs.toFixed(0)} ms`);
  });
});

/** Starts an extension on a state dir, waits for its verdict on the state file, checks liveness, memory and SIGTERM. */
async function stateAttack(
  label: string,
  plant: (path: string) => void,
): Promise<{ startMs: number; peak: number; stopMs: number; log: string }> {
  const dir = freshDir();
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  plant(join(stateDir, STATE_FILE_NAME));
  const t0 = Date.now();
  const ext = await startRealExtension({
    dir,
    config: { stateDir },
    processes: [{ pid: 4100, name: 'x', path: '/bin/true', cmdline: 'x' }],
  });
  try {
    const startMs = Date.now() - t0;
    // The sampler's first tick reads the state file; its verdict is logged.
    const deadline = Date.now() + 60_000;
    while (!/ignoring saved state|restored history/.test(ext.child.stderr()) && label !== 'none') {
      if (Date.now() > deadline) throw new Error(`${label}: no state verdict; stderr:\n${ext.child.stderr()}`);
      await ext.ping();
      await new Promise((r) => setTimeout(r, 50));
    }
    if (label === 'none') await new Promise((r) => setTimeout(r, 1500));
    const r = await ext.generate('process_cpu_history');
    assert.is(r.code, 0, `${label}: ${r.message}`);
    const peak = memoryOf(ext.child.proc.pid!).peak;
    const t1 = Date.now();
    ext.child.proc.kill('SIGTERM');
    const exit = await Promise.race([
      ext.child.exited,
      new Promise<null>((res) => setTimeout(() => res(null), 60_000)),
    ]);
    assert.ok(exit !== null, `${label}: no exit after SIGTERM`);
    return { startMs, peak, stopMs: Date.now() - t1, log: ext.child.stderr() };
  } finally {
    await ext.stop();
  }
}

test('item 5: a FIFO, a symlink to /dev/zero and a gzip bomb at the state path: start-up, memory and SIGTERM stay at baseline', async () => {
  const base = await stateAttack('none', () => undefined);
  const attacks: [string, (p: string) => void][] = [
    ['fifo', (p) => assert.is(spawnSync('mkfifo', [p]).status, 0)],
    ['symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p)],
    ['gzip bomb (1 GiB of zeros)', (p) => writeFileSync(p, gzipSync(Buffer.alloc(1024 * MB), { level: 9 }))],
    [
      'JSON-shaped bomb',
      (p) =>
        writeFileSync(
          p,
          gzipSync(
            Buffer.concat([Buffer.from('{"magic":"an1489-sampler-state","pad":"'), Buffer.alloc(512 * MB, 0x61)]),
            { level: 9 },
          ),
        ),
    ],
    ['directory', (p) => mkdirSync(p)],
  ];
  for (const [label, plant] of attacks) {
    const r = await stateAttack(label, plant);
    console.log(
      `  ${label}: start ${r.startMs} ms (baseline ${base.startMs}), peak RSS ${((r.peak - base.peak) / MB).toFixed(1)} MB over baseline, SIGTERM exit ${r.stopMs} ms (baseline ${base.stopMs})`,
    );
    assert.match(r.log, /ignoring saved state/);
    assert.ok(r.startMs <= 5 * base.startMs + 5000, `${label}: start-up took ${r.startMs} ms`);
    // A well-formed JSON start followed by padding is read up to the cap before it is refused: bounded by
    // MAX_STATE_BYTES, not by the input (512 MB here), but above 50 MB (docs/deployment.md, threat model).
    const bound = label === 'JSON-shaped bomb' ? 1.25 * MAX_STATE_BYTES + 50 * MB : 50 * MB;
    assert.ok(
      r.peak - base.peak < bound,
      `${label}: peak RSS ${((r.peak - base.peak) / MB).toFixed(1)} MB over baseline`,
    );
    assert.ok(r.stopMs <= 5 * base.stopMs + 5000, `${label}: SIGTERM exit took ${r.stopMs} ms`);
  }
});

test('item 6: 64 idle connections held open do not lock osqueryd out', async () => {
  await withExtension({ dir: freshDir() }, async (ext) => {
    const base = await baselinePing(ext);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 64; i++) {
        const s = connect(ext.socketPath);
        s.on('error', () => undefined);
        await new Promise<void>((r) => s.once('connect', () => r()).once('close', () => r()));
        held.push(s);
      }
      // While they are held, the manager's calls are served, again and again.
      let worst = 0;
      for (let i = 0; i < 10; i++) worst = Math.max(worst, await ext.ping());
      const r = await ext.generate('process_cpu_history');
      assert.is(r.code, 0, r.message);
      // And keep being served as the attacker re-opens what was closed.
      for (let i = 0; i < 32; i++) {
        const s = connect(ext.socketPath);
        s.on('error', () => undefined);
        held.push(s);
      }
      for (let i = 0; i < 5; i++) worst = Math.max(worst, await ext.ping());
      console.log(
        `  pings with 64+ idle connections held: worst ${worst.toFixed(0)} ms (baseline ${base.median.toFixed(1)}/${base.worst.toFixed(1)} ms)`,
      );
      assert.ok(worst <= latencyBound(base), `ping took ${worst.toFixed(0)} ms`);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

test('item 7: under umask 000 the extension socket is 0600, and another user cannot connect', async () => {
  await withExtension({ dir: freshDir(), umask: 0o000 }, async (ext) => {
    const mode = statSync(ext.socketPath).mode & 0o777;
    assert.is(mode.toString(8), '600');
    assert.ok(statSync(ext.socketPath).isSocket());
    if (process.getuid?.() === 0) {
      // As nobody: connect must be refused by the file mode.
      const probe = spawn(
        process.execPath,
        [
          '-e',
          `require('net').connect(${JSON.stringify(ext.socketPath)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`,
        ],
        { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      probe.stdout!.on('data', (d) => (out += d));
      await new Promise((r) => probe.on('close', r));
      assert.match(out.trim(), /^EACCES$/, `an unprivileged connect got: ${out}`);
    }
    assert.is(await ext.ping().then(() => 'ok'), 'ok');
  });
  assert.not.ok(existsSync(join(work, 'never')));
});

test.run();
