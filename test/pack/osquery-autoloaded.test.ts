// The pack recognises osqueryd's own autoloaded extensions (this one included)
// by what osquery itself knows, never by a name or folder a miner can borrow.
// osquery's facts, from its source:
// - osquery/core/watcher.cpp WatcherRunner::createExtension launches each
//   autoload-listed binary, after safePermissions() (admin-owned), as a child
//   of the process running the WatcherRunner;
// - osquery/core/init.cpp runs that WatcherRunner in the watcher process, or in
//   the only osqueryd process when the watchdog is off;
// - osquery/tables/utility/osquery.cpp genOsqueryInfo: pid is the reporting
//   (worker) process, watcher the launcher's pid when it is a worker, else -1.
//   (genOsqueryExtensions' path column is the extension's Thrift socket, not
//   its binary, so osquery_extensions cannot name the process.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderOsqueryAutoloaded, renderSql } from '../../src/pack/render.js';
import { corePack, fullPack, loadPackSources } from '../../src/pack/catalog.js';
import { PackRunner } from '../../src/pack/run.js';

const EXT = 'C:\\Program Files\\osquery\\extensions\\an1489.ext.exe';

function autoloaded(
  info: { pid: number; watcher: number } | null,
  procs: { pid: number; parent: number; path: string }[],
): number[] {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE processes (pid INTEGER, parent INTEGER, path TEXT); CREATE TABLE osquery_info (pid INTEGER, watcher INTEGER)',
  );
  for (const p of procs) db.prepare('INSERT INTO processes VALUES (?, ?, ?)').run(p.pid, p.parent, p.path);
  if (info) db.prepare('INSERT INTO osquery_info VALUES (?, ?)').run(info.pid, info.watcher);
  const rows = db
    .prepare(`SELECT p.pid FROM processes AS p WHERE ${renderOsqueryAutoloaded('p.pid')} ORDER BY p.pid`)
    .all() as { pid: number }[];
  db.close();
  return rows.map((r) => r.pid);
}

const host = [
  { pid: 700, parent: 640, path: 'C:\\Windows\\System32\\services.exe' },
  { pid: 2400, parent: 700, path: 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe' },
  { pid: 2410, parent: 2400, path: 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe' },
  { pid: 2460, parent: 2400, path: EXT },
  // A miner borrowing the extension's file name, and even its folder: another parent.
  { pid: 9300, parent: 3000, path: 'C:\\Users\\Public\\osquery\\an1489.ext.exe' },
  { pid: 9301, parent: 2410, path: EXT },
];

test("with a watchdog: the watcher's children except the worker; a borrowed name or folder is not enough", () => {
  assert.equal(autoloaded({ pid: 2410, watcher: 2400 }, host), [2460]);
});

test("without a watchdog (watcher -1): the osqueryd process's own children", () => {
  const single = [
    { pid: 2400, parent: 700, path: 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe' },
    { pid: 2460, parent: 2400, path: EXT },
    { pid: 9300, parent: 3000, path: EXT },
  ];
  assert.equal(autoloaded({ pid: 2400, watcher: -1 }, single), [2460]);
});

test('no osquery_info row (not logged in a replay): nothing is recognised, so nothing is spared', () => {
  assert.equal(autoloaded(null, host), []);
});

test('every signature-judging query spares autoloaded extensions through the one marker', async () => {
  const src = await loadPackSources(join(process.cwd(), 'packs'));
  for (const file of [
    'queries/masquerade_signature.sql',
    'queries/composite_finding.sql',
    'core-only/core_masquerade.sql',
  ]) {
    const text = readFileSync(join(process.cwd(), 'packs', file), 'utf8');
    assert.match(text, /\/\*@osquery_autoloaded pid=[a-z_.]+\*\//, file);
    assert.not.match(text, /an1489\.ext|osquery\\\\extensions/i, file);
    assert.ok(renderSql(text, src, file).includes('osquery_info'), file);
  }
});

test('a capture without osquery_info.json still runs every query, sparing nothing', async () => {
  // Older snapshot folders predate the rule; they must not fail with "no such table".
  const src = await loadPackSources(join(process.cwd(), 'packs'));
  const dir = mkdtempSync(join(tmpdir(), 'an1489-noinfo-'));
  try {
    cpSync(join(process.cwd(), 'test', 'scenarios', 'attack-schtask-appdata-miner', 'snapshot'), dir, {
      recursive: true,
    });
    rmSync(join(dir, 'osquery_info.json'), { force: true });
    const runner = await PackRunner.open(src, dir);
    try {
      const composite = fullPack(src).find((q) => q.metadata.name === 'composite_finding');
      assert.ok(composite);
      assert.ok((await runner.run(composite)).length > 0, 'the miner is still found');
      for (const q of [...fullPack(src), ...corePack(src)]) await runner.run(q);
      assert.equal(await runner.run({ ...composite, sql: 'SELECT count(*) AS n FROM osquery_info' }), [{ n: '0' }]);
    } finally {
      runner.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
