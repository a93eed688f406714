// `an1489 pack ...` as users run it: the real CLI in its own process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = join(process.cwd(), 'build', 'src', 'cli', 'main.js');

function an1489(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: process.cwd(), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('pack validate and check pass on the committed pack', async () => {
  const v = await an1489(['pack', 'validate']);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /\d+ queries valid/);
  const c = await an1489(['pack', 'check']);
  assert.is(c.code, 0, c.stderr);
});

test('pack run flags the scenario miner in JSON', async () => {
  const r = await an1489([
    'pack',
    'run',
    '--snapshot',
    join('test', 'scenarios', 'attack-donate-level-pool', 'snapshot'),
  ]);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, { pid?: string; reasons?: string }[]>;
  assert.equal(
    out.composite_finding.map((x) => x.pid),
    ['4500'],
  );
});

test('bad input: unknown subcommand, missing snapshot, a query naming a missing table, a hostile file name', async () => {
  const u = await an1489(['pack', 'frobnicate']);
  assert.is(u.code, 2);
  assert.match(u.stderr, /unknown subcommand "frobnicate"/);
  const m = await an1489(['pack', 'run', '--snapshot', '/nonexistent/dir']);
  assert.is(m.code, 2);
  assert.match(m.stderr, /does not exist/);
  const dir = await mkdtemp(join(tmpdir(), 'an1489-cli-'));
  try {
    await cp(join(process.cwd(), 'packs'), join(dir, 'packs'), { recursive: true });
    await writeFile(
      join(dir, 'packs', 'queries', 'ghost.sql'),
      '-- name: ghost\n-- description: names a table osquery does not have\n-- attack: T1496\n-- platform: windows\n-- interval: 300\n' +
        '-- logging: differential\n-- min_osquery_version: 5.8.0\n-- requires: core\n\nSELECT pid FROM process_ghosts;\n',
    );
    const g = await an1489(['pack', 'validate', '--packs', join(dir, 'packs')]);
    assert.is(g.code, 1);
    assert.match(g.stderr, /ghost \[windows\]: no such table: process_ghosts/);
    const b = await an1489(['pack', 'build', '--packs', join(dir, 'packs')]);
    assert.is(b.code, 1, 'build refuses an invalid pack');
    const nb = await an1489(['pack', 'build', '--packs', join(dir, 'packs'), '--baseline', join(dir, 'missing.yml')]);
    assert.is(nb.code, 2);
    assert.match(nb.stderr, /missing\.yml: cannot read the baseline \(ENOENT\)/);
    const snap = join(dir, 'snap');
    await mkdir(snap);
    await writeFile(join(snap, '; rm -rf $HOME.json'), '[]');
    const h = await an1489(['pack', 'run', '--snapshot', snap]);
    assert.is(h.code, 2);
    assert.match(h.stderr, /not a usable table name/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
