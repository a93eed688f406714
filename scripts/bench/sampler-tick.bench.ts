// Cost of one procfs sampler tick (source.sample + store.ingest, sockets on
// their own cadence) with >= 1,000 live processes, against a floor and a peer
// measured in the same run, interleaved so machine load hits all alike:
//   floor: a plain loop reading /proc/<pid>/stat for the same pids, through the
//          cheapest read the project has (readProcText, the tick's own) — the
//          reads a tick cannot avoid (target: tick <= 1.5x, medians);
//   peer:  ps -eo pid,ppid,utime,stime,rss,comm, timed around its spawn by a
//          helper process (ps-peer.ts: forking here would fault every page
//          the next tick writes) (target: tick faster, medians).
// Answer: the tick's processes, the floor's readable stat files and ps's rows
// count the same live processes (within the churn of a shared machine).
// The bench starts ~1,000 `sleep` processes in their own process group and
// kills the group at the end.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { readProcText } from '../../src/sampler/proc-read.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { median, report, rounds, x } from './bench.js';

const SLEEPERS = 1_000;
const ROUNDS = rounds(25, 9);
const FLOOR_RATIO = 1.5;

const pids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n));

const group = spawn('sh', ['-c', `i=0; while [ $i -lt ${SLEEPERS} ]; do sleep 600 & i=$((i+1)); done; wait`], {
  detached: true,
  stdio: 'ignore',
});
const cleanup = () => {
  try {
    process.kill(-group.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
};
const peer = spawn(process.execPath, [new URL('./ps-peer.js', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const replies = createInterface({ input: peer.stdout! })[Symbol.asyncIterator]();
/** One ps run in the helper: its wall time and the rows it listed. */
const runPs = async (): Promise<{ ms: number; rows: number }> => {
  peer.stdin!.write('\n');
  const line = await replies.next();
  if (line.done === true) throw new Error('ps peer helper exited');
  return JSON.parse(line.value) as { ms: number; rows: number };
};
process.on('exit', () => {
  cleanup();
  peer.kill();
});

let code = 1;
try {
  const deadline = Date.now() + 60_000;
  while (pids().length < SLEEPERS + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 500));
  const live = pids();
  console.log(`live processes: ${live.length}`);

  const source = new ProcfsSource();
  const store = new HistoryStore({ intervalMs: 10_000 });
  const tick = async (sockets: boolean) => {
    const s = await source.sample({ needCmdline: (pid, start) => !store.hasCmdline(pid, start), sockets });
    store.ingest(s);
    return s.processes.length;
  };
  const cold0 = performance.now();
  await tick(true); // first tick: details, cmdlines and fd scan for every process
  const cold = performance.now() - cold0;
  await tick(false);

  /** The floor: read every stat file; returns how many could be read. */
  const floor = (list: string[]) => {
    let read = 0;
    for (const p of list) {
      try {
        if (readProcText(`/proc/${p}/stat`).length > 0) read++;
      } catch {
        // exited meanwhile
      }
    }
    return read;
  };
  const tFloor: number[] = [];
  const tTick: number[] = [];
  const tSockets: number[] = [];
  const tPs: number[] = [];
  let seen = 0;
  let floorSeen = 0;
  let psSeen = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    floorSeen = floor(pids());
    tFloor.push(performance.now() - t0);
    t0 = performance.now();
    seen = await tick(false);
    tTick.push(performance.now() - t0);
    t0 = performance.now();
    await tick(true);
    tSockets.push(performance.now() - t0);
    const ps = await runPs();
    tPs.push(ps.ms);
    psSeen = ps.rows;
  }
  const [f, t, s, p] = [median(tFloor), median(tTick), median(tSockets), median(tPs)];
  console.log(
    `processes per tick: ${seen} (floor read ${floorSeen} stat files, ps listed ${psSeen}); first (cold) tick ${cold.toFixed(1)} ms`,
  );
  console.log(
    `median of ${ROUNDS} ms: floor (stat loop) ${f.toFixed(2)}, tick ${t.toFixed(2)}, tick with sockets ${s.toFixed(2)}, ps ${p.toFixed(2)}`,
  );
  console.log(
    `min ms:          floor ${Math.min(...tFloor).toFixed(2)}, tick ${Math.min(...tTick).toFixed(2)}, tick with sockets ${Math.min(...tSockets).toFixed(2)}, ps ${Math.min(...tPs).toFixed(2)}`,
  );
  // ps also lists itself and its parent shell-less exec; the floor and the tick may race exits.
  const churn = Math.max(5, Math.ceil(seen * 0.02));
  const same = seen >= SLEEPERS && Math.abs(seen - floorSeen) <= churn && Math.abs(seen - psSeen) <= churn;
  const ok = report('sampler-tick', {
    against: 'floor',
    versus: 'the /proc/<pid>/stat read loop, and peer ps',
    met: t <= FLOOR_RATIO * f && t < p,
    figures: `median tick ${t.toFixed(1)} ms over ${seen} processes = ${x(t / f)} the stat-only floor (target <= ${FLOOR_RATIO}x), ${x(t / p)} ps (target < 1x)`,
    sameAnswer: same,
    answer: `tick ${seen}, floor ${floorSeen}, ps ${psSeen} processes (within ${churn})`,
  });
  code = ok ? 0 : 1;
} finally {
  cleanup();
}
process.exit(code);
