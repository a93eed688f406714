// The pack's miner families (packs/indicators.yml, with reason codes) and the
// extension's catalog (src/intel/miner.ts, used on command lines and binary
// bytes) come from the same Sigma rules. This keeps them from drifting: every
// Sigma command-line string and every pool host the extension knows must be
// caught by the pack's rendered SQL, evaluated in real SQLite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MINER_CMDLINE_BASE64, MINER_CMDLINE_FLAGS } from '../../src/intel/miner.js';
import { MINING_POOL_PORTS } from '../../src/intel/network.js';
import { loadIndicators, renderMinerMatch, renderMinerReasons, renderSql, sqlString } from '../../src/pack/render.js';
import { parseBaseline } from '../../src/intel/baseline.js';

test('every Sigma command-line string of the extension catalog is caught by the pack', async () => {
  const ind = await loadIndicators(join(process.cwd(), 'packs', 'indicators.yml'));
  const db = new Database(':memory:');
  const match = db.prepare(`WITH t(c) AS (SELECT ?) SELECT ${renderMinerMatch(ind, 't.c')} AS hit, ${renderMinerReasons(ind, 't.c')} AS reasons FROM t`);
  const windowsFlags = MINER_CMDLINE_FLAGS.filter((f) => !f.includes('/sbin/'));
  for (const flag of [...windowsFlags, ...MINER_CMDLINE_BASE64]) {
    const row = match.get(`C:\\x\\a.exe ${flag} foo`) as { hit: number; reasons: string };
    assert.is(row.hit, 1, `not caught: ${JSON.stringify(flag)}`);
    assert.ok(row.reasons.length > 0);
  }
  const benign = match.get('"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US') as { hit: number };
  assert.is(benign.hit, 0);
  // Base64 is case-sensitive: a lower-cased blob is not the encoding.
  assert.is((match.get(`x ${MINER_CMDLINE_BASE64[0].toLowerCase()}`) as { hit: number }).hit, 0);
  db.close();
});

test('LIKE wildcards in a needle are literal; case-insensitive families ignore ASCII case', () => {
  const ind = {
    version: 1 as const,
    miner: [{ code: 'X', case_sensitive: false, contains: ['a_b%c', 'a\\d'] }],
    user_writable: ['x'], spoofed_folder: ['x'], system_paths: ['x'], env_folders: [{ var: '%x%', user_writable: true }],
  };
  const db = new Database(':memory:');
  const hit = (text: string) => (db.prepare(`WITH t(c) AS (SELECT ?) SELECT ${renderMinerMatch(ind, 't.c')} FROM t`).pluck().get(text) as number);
  assert.is(hit('zz A_B%C zz'), 1);
  assert.is(hit('zz axbyc zz'), 0);
  assert.is(hit('a\\d'), 1);
  assert.is(hit('ad'), 0);
  db.close();
});

test('a broken indicator catalog is a clear error naming the file', async () => {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'an1489-ind-'));
  try {
    await writeFile(join(dir, 'a.yml'), 'version: 1\nminer: [unclosed\n');
    const bad = await loadIndicators(join(dir, 'a.yml')).then(() => null, (e: Error) => e.message);
    assert.match(String(bad), /a\.yml: not valid YAML/);
    await writeFile(join(dir, 'b.yml'), 'version: 1\nminer: []\nuser_writable: []\nspoofed_folder: [x]\nsystem_paths: [x]\n');
    const empty = await loadIndicators(join(dir, 'b.yml')).then(() => null, (e: Error) => e.message);
    assert.match(String(empty), /b\.yml: miner/);
    const missing = await loadIndicators(join(dir, 'none.yml')).then(() => null, (e: Error) => e.message);
    assert.match(String(missing), /none\.yml: cannot read \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the pool-port marker renders the extension list, and unknown markers are errors', async () => {
  const ind = await loadIndicators(join(process.cwd(), 'packs', 'indicators.yml'));
  const inputs = { baseline: parseBaseline('version: 1\n'), indicators: ind };
  const sql = renderSql('SELECT 1 WHERE 0 /*@pool_port expr=o.remote_port*/', inputs);
  for (const p of MINING_POOL_PORTS) assert.ok(sql.includes(String(p)));
  assert.throws(() => renderSql('SELECT 0 /*@nope expr=x*/', inputs, 'q.sql'), /q\.sql: unknown marker @nope/);
  assert.throws(() => renderSql('SELECT 0 /*@approved name=x*/', inputs, 'q.sql'), /needs path=/);
  assert.is(sqlString("it's"), "'it''s'");
  assert.throws(() => sqlString('a\u0000b'), /NUL/);
});

test.run();
