import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { corePack, fullPack, loadPackSources, renderedSql, type PackSources } from '../../src/pack/catalog.js';
import { extensionDeclarations } from '../../src/pack/declarations.js';
import { parseQueryFile } from '../../src/pack/query-file.js';
import { calledFunctions, formatIssues, validateQueries } from '../../src/pack/validate.js';

const root = join(process.cwd(), 'packs');
let src: PackSources;

const header = (over: Record<string, string> = {}): string => {
  const h: Record<string, string> = {
    name: 'probe',
    description: 'a probe query used by the validation tests',
    attack: 'T1496',
    platform: 'windows',
    interval: '300',
    logging: 'differential',
    min_osquery_version: '5.8.0',
    requires: 'core',
    ...over,
  };
  return (
    Object.entries(h)
      .map(([k, v]) => `-- ${k}: ${v}`)
      .join('\n') + '\n\n'
  );
};

test.before(async () => {
  src = await loadPackSources(root);
});

test('every query of both packs and every policy validates on its platforms', async () => {
  const ext = extensionDeclarations();
  const all = [...fullPack(src), ...src.coreOnly, ...src.policies];
  assert.ok(fullPack(src).length >= 9, 'the full pack has the nine AN1489 queries');
  assert.ok(corePack(src).length >= 5, 'the core-only pack has its own and the shared core queries');
  const issues = validateQueries(all, (q) => renderedSql(src, q), ext);
  assert.is(formatIssues(issues), '');
});

test('a column missing on the declared platform fails: processes.elapsed_time on linux', async () => {
  const q = parseQueryFile(
    header({ platform: 'windows, linux' }) + 'SELECT pid, elapsed_time FROM processes',
    'probe.sql',
  );
  const issues = validateQueries([q], (x) => x.sql, extensionDeclarations());
  assert.is(issues.length, 1, formatIssues(issues));
  assert.is(issues[0].platform, 'linux');
  assert.match(issues[0].message, /elapsed_time/);
});

test('a missing table fails loudly', async () => {
  const q = parseQueryFile(header() + 'SELECT * FROM process_miner_magic', 'probe.sql');
  const issues = validateQueries([q], (x) => x.sql, extensionDeclarations());
  assert.is(issues.length, 1);
  assert.match(issues[0].message, /no such table: process_miner_magic/);
});

test('a core query may not use an extension table', async () => {
  const q = parseQueryFile(header() + 'SELECT pid FROM process_cpu_sustained', 'probe.sql');
  const issues = validateQueries([q], (x) => x.sql, extensionDeclarations());
  assert.ok(
    issues.some((i) => /requires: core" but uses the extension table/.test(i.message)),
    formatIssues(issues),
  );
  assert.ok(issues.some((i) => /no such table/.test(i.message)));
});

test('functions outside SQLite core and the host are refused', async () => {
  assert.equal(calledFunctions("WITH w(m) AS (SELECT 1) SELECT split(a, ',', 0), CAST(b AS INT), lower(x) FROM w"), [
    'lower',
    'split',
  ]);
  const q = parseQueryFile(header() + 'SELECT ssdeep_compare(path, path) FROM processes', 'probe.sql');
  const issues = validateQueries([q], (x) => x.sql, extensionDeclarations());
  assert.ok(
    issues.some((i) => /ssdeep_compare/.test(i.message)),
    formatIssues(issues),
  );
});

test('malformed headers are rejected with the reason', () => {
  assert.throws(
    () => parseQueryFile(header({ interval: 'often' }) + 'SELECT 1', 'bad.sql'),
    /bad\.sql: invalid header: interval/,
  );
  assert.throws(() => parseQueryFile(header({ logging: 'sometimes' }) + 'SELECT 1', 'bad.sql'), /logging/);
  assert.throws(() => parseQueryFile(header({ attack: 'TA0040' }) + 'SELECT 1', 'bad.sql'), /attack/);
  assert.throws(() => parseQueryFile(header().trimEnd() + '\n-- name: again\n\nSELECT 1', 'bad.sql'), /appears twice/);
  assert.throws(() => parseQueryFile(header(), 'bad.sql'), /no SQL/);
  assert.throws(() => parseQueryFile(header({ colour: 'blue' }) + 'SELECT 1', 'bad.sql'), /Unrecognized key/);
});

test.run();
