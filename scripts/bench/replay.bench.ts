// an1489 replay of a 200-host, 1-hour results log (evidence_processes every
// 30 s, ~150 processes per host: ~3.6 M process rows, hosts interleaved by
// time as a fleet aggregate is), against the floor: a bare pass over the same
// file that reads every line and JSON.parses it, nothing else. Budget: replay
// <= 3x the floor (median of runs) and replay's peak RSS < 300 MB. Both run as
// child processes so each RSS is its own. Same-answer check: both count the
// same lines, and replay finds the planted miner on every host.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { hostLog, type HostSpec, type Proc } from '../corpus/windows-host.js';

const HOSTS = 200;
const PROCS = 150;
const EVERY = 30;
const SAMPLES_PER_HOST = 3600 / EVERY; // one hour
const RUNS = 3;
const RATIO_BUDGET = 3;
const RSS_BUDGET_MB = 300;
const root = process.cwd();
const dir = join(root, '.tmp', 'bench-replay');
const file = join(dir, 'fleet-200x1h.results.log');

function benchHost(i: number): HostSpec {
  const processes: Proc[] = [
    {
      pid: 700,
      ppid: 640,
      name: 'services.exe',
      path: 'C:\\Windows\\System32\\services.exe',
      cmdline: 'C:\\Windows\\system32\\services.exe',
      cpu: 0.2,
    },
    {
      pid: 1100,
      ppid: 700,
      name: 'svchost.exe',
      path: 'C:\\Windows\\System32\\svchost.exe',
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
      cpu: 0.3,
    },
  ];
  for (let k = processes.length; k < PROCS - 1; k++) {
    processes.push({
      pid: 2000 + k * 4,
      ppid: 1100,
      name: `app${k}.exe`,
      path: `C:\\Program Files\\Vendor${k % 17}\\app${k}.exe`,
      cmdline: `"C:\\Program Files\\Vendor${k % 17}\\app${k}.exe" --instance ${k} --config "C:\\ProgramData\\Vendor${k % 17}\\settings.json"`,
      cpu: (k * 7) % 11,
      sockets: k % 10 === 0 ? [{ remote: '10.1.2.3', port: 443 }] : [],
    });
  }
  processes.push({
    pid: 9000,
    ppid: 1100,
    name: 'svcupd.exe',
    path: 'C:\\Users\\bob\\AppData\\Roaming\\svcupd\\svcupd.exe',
    cmdline: 'svcupd.exe -c config.json',
    cpu: 95,
    start: 0,
    sockets: [{ remote: '45.9.20.1', port: 3333 }],
    binary: { original: 'xmrig.exe', signature: 'missing' },
  });
  return {
    id: `h${i}`,
    hostname: `host-${String(i).padStart(3, '0')}`,
    kind: 'attack',
    summary: 'bench',
    cpus: 8,
    processes,
    services: [],
    tasks: [],
  };
}

async function generate(): Promise<void> {
  if (existsSync(file) && statSync(file).size > 0) return;
  mkdirSync(dir, { recursive: true });
  const opts = {
    start: Date.UTC(2026, 10, 25, 12, 0, 0) / 1000,
    duration: (SAMPLES_PER_HOST - 1) * EVERY,
    every: EVERY,
  };
  const logs = Array.from({ length: HOSTS }, (_, i) => hostLog(benchHost(i), opts));
  const out = createWriteStream(file + '.part');
  // Interleave by time: every host's n-th line before any host's (n+1)-th (all hosts share one timeline).
  const longest = Math.max(...logs.map((l) => l.length));
  for (let n = 0; n < longest; n++) {
    for (const l of logs) {
      if (n < l.length && !out.write(l[n] + '\n')) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  const { renameSync } = await import('node:fs');
  renameSync(file + '.part', file);
}

const FLOOR = `
const { readLines } = await import(${JSON.stringify(join(root, 'build/src/replay/lines.js'))});
let n = 0, rows = 0, samples = 0;
const t = performance.now();
for await (const l of readLines(process.argv[1])) {
  const d = JSON.parse(l.text);
  n++;
  if (d.snapshot) rows += d.snapshot.length;
  if (d.name.endsWith('evidence_processes')) samples++;
}
const ms = performance.now() - t;
console.log(JSON.stringify({ ms, lines: n, rows, samples, rssMb: process.resourceUsage().maxRSS / 1024 }));
`;

const REPLAY = `
const { replay } = await import(${JSON.stringify(join(root, 'build/src/replay/replay.js'))});
const { loadPackSources } = await import(${JSON.stringify(join(root, 'build/src/pack/catalog.js'))});
const pack = await loadPackSources(${JSON.stringify(join(root, 'packs'))});
const t = performance.now();
const it = replay({ files: [process.argv[1]], pack, sampler: { intervalSeconds: 30, windowMinutes: 60, minDurationSeconds: 600 } });
let hosts = 0, flagged = 0, samples = 0, summary;
for (;;) {
  const r = await it.next();
  if (r.done) { summary = r.value; break; }
  hosts++;
  samples += r.value.counters.samples;
  const c = r.value.results.find((q) => q.query === 'composite_finding');
  if (c && c.rows.some((row) => row.pid === '9000')) flagged++;
}
const ms = performance.now() - t;
// ru_maxrss of this process (getrusage RUSAGE_SELF): the replay's own peak, startup included.
console.log(JSON.stringify({ ms, lines: summary.lines, hosts, flagged, samples, rssMb: process.resourceUsage().maxRSS / 1024 }));
`;

function run(script: string): Record<string, number> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await generate();
console.log(`log: ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} MB)`);
const floors: Record<string, number>[] = [];
const replays: Record<string, number>[] = [];
for (let i = 0; i < RUNS; i++) {
  floors.push(run(FLOOR));
  replays.push(run(REPLAY));
  console.log(
    `run ${i + 1}: floor ${floors[i].ms.toFixed(0)} ms, replay ${replays[i].ms.toFixed(0)} ms, replay RSS ${replays[i].rssMb.toFixed(0)} MB`,
  );
}
const floorMs = median(floors.map((f) => f.ms));
const replayMs = median(replays.map((r) => r.ms));
const rss = median(replays.map((r) => r.rssMb));
const ratio = replayMs / floorMs;
// Same answer: both read every line, every processes sample reached a host's store, every host's miner was found.
const same =
  floors.every(
    (f) => f.lines === replays[0].lines && f.samples === replays[0].samples && f.samples === HOSTS * SAMPLES_PER_HOST,
  ) && replays.every((r) => r.hosts === HOSTS && r.flagged === HOSTS && r.samples === replays[0].samples);
console.log(
  `rows: ${floors[0].rows}; lines: ${floors[0].lines}; processes samples: floor ${floors[0].samples}, replayed ${replays[0].samples}; hosts replayed ${replays[0].hosts}, miner flagged on ${replays[0].flagged}`,
);
console.log(
  `median: floor ${floorMs.toFixed(0)} ms, replay ${replayMs.toFixed(0)} ms, ratio ${ratio.toFixed(2)} (budget ${RATIO_BUDGET}); replay peak RSS ${rss.toFixed(0)} MB (budget ${RSS_BUDGET_MB})`,
);
const ok = same && ratio <= RATIO_BUDGET && rss < RSS_BUDGET_MB;
console.log(
  `BENCH replay: ${ok ? 'PASS' : 'FAIL'} ratio ${ratio.toFixed(2)} to a bare JSON.parse pass (budget ${RATIO_BUDGET}), peak RSS ${rss.toFixed(0)} MB (budget ${RSS_BUDGET_MB}), same answer ${same ? 'yes' : 'NO'}`,
);
process.exit(ok ? 0 : 1);
