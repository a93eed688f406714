// What a change to the pack's SQL costs, query by query: the committed packs
// of a git revision (packs/an1489.conf and packs/core-only.conf hold the
// rendered SQL) against the working tree's, on pack-cost's host, interleaved
// round by round so that the machine's drift falls on both sides alike. Each
// query's rows must be the same on both sides, or it says so. A comparison,
// not a verdict: pack-cost's budget is the benchmark's (scripts/bench/).
//   npm run build && node build/scripts/pack-cost-compare.js [REV] [--rounds N]
// REV defaults to HEAD (what the uncommitted change costs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { median } from './bench/bench.js';
import { packCostHost } from './bench/pack-cost-host.js';

const Conf = z.object({ queries: z.record(z.string(), z.object({ query: z.string() })) });
const PACKS = ['an1489.conf', 'core-only.conf'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '21' } },
});
const rev = positionals[0] ?? 'HEAD';
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000) throw new Error(`--rounds ${values.rounds}: 1 to 1000`);

/** Query name -> SQL, from the revision's packs (git show: no shell) or the working tree's. */
function queries(at: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of PACKS) {
    const text =
      at === null
        ? readFileSync(join(process.cwd(), 'packs', file), 'utf8')
        : execFileSync('git', ['show', `${at}:packs/${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const [name, q] of Object.entries(Conf.parse(JSON.parse(text)).queries))
      if (!out.has(name)) out.set(name, q.query);
  }
  return out;
}

const before = queries(rev);
const after = queries(null);
const host = packCostHost();
const cpuMs = async (sql: string) => {
  const c0 = process.cpuUsage();
  await host.query(sql);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
console.log(`CPU ms per run, medians of ${rounds} interleaved rounds: ${rev} | working tree | ratio`);
let differ = 0;
for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
  const a = before.get(name);
  const b = after.get(name);
  if (a === undefined || b === undefined) {
    console.log(`${name.padEnd(38)} ${a === undefined ? 'new' : 'removed'}`);
    continue;
  }
  const same = JSON.stringify((await host.query(a)).rows) === JSON.stringify((await host.query(b)).rows);
  if (!same) differ++;
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(await cpuMs(a));
    tb.push(await cpuMs(b));
  }
  const [ma, mb] = [median(ta), median(tb)];
  console.log(
    `${name.padEnd(38)} ${ma.toFixed(2).padStart(7)} ${mb.toFixed(2).padStart(7)} ${(mb / ma).toFixed(2).padStart(6)}x${a === b ? '  (same SQL)' : ''}${same ? '' : '  ROWS DIFFER'}`,
  );
}
host.close();
if (differ > 0)
  console.log(`${differ} queries returned different rows on this host (a change of answer, not only of cost)`);
