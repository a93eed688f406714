// Lists the pack's SQL shares with the TypeScript side are rendered from one
// source (src/intel), never written twice: these tests run the rendered SQL
// in SQLite and compare every entry with the TypeScript answer, and fail when
// a pack file spells such a list by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bandOf, CPU_BANDS } from '../../src/intel/cpu-bands.js';
import { LAUNCH_RULES, launchVector } from '../../src/intel/launch-vectors.js';
import { renderCpuBand, renderLaunchVector } from '../../src/pack/render.js';

const db = new Database(':memory:');

test('launch vector CASE agrees with launchVector() for every rule name, cmdline shape and pid', () => {
  const sql = db.prepare(`SELECT ${renderLaunchVector('p.pid', 'p.name', 'p.cmdline')} AS v FROM (SELECT ? AS pid, ? AS name, ? AS cmdline) AS p`);
  const cmdlines = [null, '', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', 'svchost.exe -k netsvcs', 'svchost.exe -k netsvcs -p   -s\tSchedule', 'x -S SCHEDULE'];
  let checked = 0;
  for (const rule of LAUNCH_RULES) {
    for (const name of [...rule.names, ...rule.names.map((n) => n.toUpperCase())]) {
      for (const cmdline of cmdlines) {
        for (const pid of [1, 77]) {
          const want = launchVector([{ pid, name, cmdline }]);
          const got = (sql.get(pid, name, cmdline) as { v: string }).v;
          assert.is(got, want, `${name} pid ${pid} ${JSON.stringify(cmdline)}`);
          checked++;
        }
      }
    }
  }
  assert.equal((sql.get(5, 'notepad.exe', '') as { v: string }).v, 'other');
  assert.ok(checked > 100);
});

test('CPU band CASE agrees with bandOf() at and around every bound', () => {
  const sql = db.prepare(`SELECT ${renderCpuBand('x')} AS b FROM (SELECT ? AS x)`);
  const points = [0, 1000, ...CPU_BANDS.flatMap((b) => [b.min - 0.01, b.min, b.min + 0.01])];
  for (const x of points) assert.is((sql.get(x) as { b: string }).b, bandOf(x), String(x));
});

test('no pack query spells the launch-vector names or the CPU bands by hand', () => {
  const dirs = ['queries', 'core-only', 'policies'].map((d) => join(process.cwd(), 'packs', d));
  const names = new Set(LAUNCH_RULES.filter((r) => r.vector !== 'other').flatMap((r) => r.names).map((n) => n.toLowerCase()));
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
      // Comments may name them; code may not.
      const code = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => !l.trim().startsWith('--')).join('\n').toLowerCase();
      // A query deriving a launch vector takes it from the rules (core_masquerade's list of system names is another catalog).
      if (code.includes('launch_vector')) for (const n of names) assert.not.ok(code.includes(`'${n}'`), `${f} lists '${n}' by hand; use /*@launch_vector*/`);
      for (const b of CPU_BANDS) assert.not.ok(code.includes(`'${b.label}'`), `${f} spells the CPU band '${b.label}'; use /*@cpu_band*/`);
    }
  }
});

test.run();
