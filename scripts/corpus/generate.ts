// Writes the corpus as osqueryd results logs: one file per host
// (<id>.results.log, as osqueryd's filesystem logger would write on that host)
// plus all hosts interleaved by time in fleet.results.log, as a Fleet or
// log-shipper aggregate looks.
//   node build/scripts/corpus/generate.js OUTDIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS } from './hosts.js';
import { hostLog, type LogOptions } from './windows-host.js';

/** 2026-11-25 02:10 UTC: inside the sample baseline's 01:00+4h backup window. */
export const CORPUS_LOG: LogOptions = { start: Date.UTC(2026, 10, 25, 2, 10, 0) / 1000, duration: 20 * 60, every: 30 };

export function writeCorpus(dir: string): { hostFiles: string[]; fleetFile: string } {
  mkdirSync(dir, { recursive: true });
  const all: { t: number; line: string }[] = [];
  const hostFiles: string[] = [];
  for (const h of HOSTS) {
    const lines = hostLog(h, CORPUS_LOG);
    const file = join(dir, `${h.id}.results.log`);
    writeFileSync(file, lines.join('\n') + '\n');
    hostFiles.push(file);
    for (const line of lines) all.push({ t: (JSON.parse(line) as { unixTime: number }).unixTime, line });
  }
  all.sort((a, b) => a.t - b.t);
  const fleetFile = join(dir, 'fleet.results.log');
  writeFileSync(fleetFile, all.map((x) => x.line).join('\n') + '\n');
  return { hostFiles, fleetFile };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '\0')) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node build/scripts/corpus/generate.js OUTDIR');
    process.exit(2);
  }
  const r = writeCorpus(out);
  console.log(`${r.hostFiles.length} hosts written to ${out} (and ${r.fleetFile})`);
}
