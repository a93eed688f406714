// One miner catalog (src/intel/miner-catalog.ts) serves the pack's SQL
// families and the extension's command-line scan. These tests run the rendered
// SQL in real SQLite and compare it with scanCommandLine entry by entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { MINER_CMDLINE_EXCLUDE, MINER_FAMILIES } from '../../src/intel/miner-catalog.js';
import { MINER_BINARY_STRINGS, MINER_POOL_HOSTS, scanCommandLine } from '../../src/intel/miner.js';
import { MINING_POOL_PORTS } from '../../src/intel/network.js';
import { renderMinerMatch, renderMinerReasons, renderSql, sqlString } from '../../src/pack/render.js';
import { parseBaseline } from '../../src/intel/baseline.js';

const db = new Database(':memory:');
const match = db.prepare(
  `WITH t(c) AS (SELECT ?) SELECT ${renderMinerMatch('t.c')} AS hit, ${renderMinerReasons('t.c')} AS reasons FROM t`,
);
const sql = (text: string) => match.get(text) as { hit: number; reasons: string };

test('every catalog entry: SQL reports its family, and the extension scan reports it too', () => {
  let checked = 0;
  for (const f of MINER_FAMILIES) {
    for (const needle of f.contains) {
      // The same entry, as written and (where case does not matter) upper-cased.
      for (const text of f.caseSensitive ? [`x ${needle} y`] : [`x ${needle} y`, `X ${needle.toUpperCase()} Y`]) {
        const row = sql(text);
        assert.is(row.hit, 1, `SQL misses ${JSON.stringify(text)}`);
        assert.ok(row.reasons.split(',').includes(f.code), `${f.code} not reported for ${JSON.stringify(text)}`);
        const want = `${f.caseSensitive ? 'b64' : 'flag'}:${needle.trim()}`;
        assert.ok(scanCommandLine(text).includes(want), `extension misses ${want}`);
        checked++;
      }
    }
    for (const domain of f.hosts ?? []) {
      // Each pack domain is a Sigma host or a parent of some; every such host is caught by both.
      const hosts = MINER_POOL_HOSTS.filter((h) => h === domain || h.endsWith(`.${domain}`));
      assert.ok(hosts.length > 0, `${domain} names no Sigma pool host`);
      for (const host of hosts) {
        const text = `m.exe -o ${host}:3333 -u x`;
        assert.ok(sql(text).reasons.split(',').includes(f.code), `SQL misses pool ${host}`);
        assert.ok(scanCommandLine(text).includes(`pool:${host}`), `extension misses pool ${host}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 100, String(checked));
});

test('SQL and the extension agree on whether a command line is a miner, exclusion included', () => {
  const lines = [
    '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US',
    'notepad.exe C:\\notes.txt',
    'gcc -c pool.c -o pool.o --nicehash',
    'gcc -c pool.c -o pool.o -DHOST=pool.minexmr.com',
    'C:\\x\\svc.exe -o pool.minexmr.com:4444 --donate-level=0 -u 4ABC',
    `powershell -enc ${Buffer.from('xmrig --donate-level=1').toString('base64')}`,
    `gcc -c x.c ${Buffer.from('--donate-level=5').toString('base64')}`,
    'svchost.exe -k netsvcs -p -s Schedule',
  ];
  for (const l of lines) assert.is(sql(l).hit === 1, scanCommandLine(l).length > 0, l);
  // Base64 is case-sensitive: a lower-cased blob is not the encoding.
  const b64 = MINER_FAMILIES.find((f) => f.caseSensitive)!.contains[0];
  assert.is(sql(`x ${b64.toLowerCase()}`).hit, 0);
  assert.equal(scanCommandLine(`x ${b64.toLowerCase()}`), []);
  assert.ok(MINER_CMDLINE_EXCLUDE.length > 0);
});

test('catalog needles are lower-case ASCII where case does not matter, and LIKE wildcards are literal', () => {
  for (const f of MINER_FAMILIES) {
    if (!f.caseSensitive) for (const n of [...f.contains, ...(f.hosts ?? [])]) assert.is(n, n.toLowerCase(), n);
    for (const n of [...f.contains, ...(f.hosts ?? [])]) assert.ok(/^[\x20-\x7e]{2,}$/.test(n), n);
  }
  const fam = [{ code: 'X', caseSensitive: false, contains: ['a_b%c', 'a\\d'] }];
  const hit = (text: string) =>
    db
      .prepare(`WITH t(c) AS (SELECT ?) SELECT ${renderMinerMatch('t.c', fam)} FROM t`)
      .pluck()
      .get(text) as number;
  assert.is(hit('zz A_B%C zz'), 1);
  assert.is(hit('zz axbyc zz'), 0);
  assert.is(hit('a\\d'), 1);
  assert.is(hit('ad'), 0);
});

test('docs/siem.md explains every family code', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(`${process.cwd()}/docs/siem.md`, 'utf8');
  for (const f of MINER_FAMILIES) assert.ok(doc.includes(`\`${f.code}\``), f.code);
});

test('docs/catalogs.md lists exactly MINER_BINARY_STRINGS, in their order', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(`${process.cwd()}/docs/catalogs.md`, 'utf8');
  const listed = /one of `MINER_BINARY_STRINGS` \(([^)]*)\)/.exec(doc);
  assert.ok(listed, 'docs/catalogs.md no longer lists MINER_BINARY_STRINGS');
  assert.equal(
    [...listed[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
    [...MINER_BINARY_STRINGS],
  );
});

test('the pool-port marker renders the extension list, and unknown markers are errors', () => {
  const inputs = { baseline: parseBaseline('version: 1\n') };
  const text = renderSql('SELECT 1 WHERE 0 /*@pool_port expr=o.remote_port*/', inputs);
  for (const p of MINING_POOL_PORTS) assert.ok(text.includes(String(p)));
  assert.throws(() => renderSql('SELECT 0 /*@nope expr=x*/', inputs, 'q.sql'), /q\.sql: unknown marker @nope/);
  assert.throws(() => renderSql('SELECT 0 /*@approved name=x*/', inputs, 'q.sql'), /needs path=/);
  assert.is(sqlString("it's"), "'it''s'");
  assert.throws(() => sqlString('a\u0000b'), /NUL/);
});

test.run();
