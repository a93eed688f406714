// Runs `ps -eo pid,ppid,utime,stime,rss,comm` on request, for the sampler-tick
// benchmark: one request line on stdin, one JSON reply line {ms, rows} on
// stdout. It runs ps from its own process because every fork marks the
// forking process's pages copy-on-write, and the sampler's next tick would
// then pay a page fault for each page of history it writes — a cost the
// benchmark's peer would inflict that a running sampler never pays.
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

for await (const _ of createInterface({ input: process.stdin })) {
  const t0 = performance.now();
  const r = spawnSync('ps', ['-eo', 'pid,ppid,utime,stime,rss,comm'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  const rows = r.status === 0 ? r.stdout.trim().split('\n').length - 1 : -1; // less the header
  process.stdout.write(`${JSON.stringify({ ms, rows })}\n`);
}
