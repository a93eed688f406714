// telemetry_readiness and the telemetry_ready policy judge the same flags,
// and those flags are the ones the pack's queries declare in their
// `telemetry:` headers: one list, rendered into both. Run in SQLite over
// osquery_flags rows as osquery prints them (value 'true'/'false' text).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { loadPackSources, renderedSql, telemetryFlags } from '../../src/pack/catalog.js';
import { renderSql } from '../../src/pack/render.js';
import { parseBaseline } from '../../src/intel/baseline.js';

const src = await loadPackSources(join(process.cwd(), 'packs'));
const query = (name: string) => {
  const q = [...src.queries, ...src.coreOnly, ...src.policies].find((x) => x.metadata.name === name);
  if (!q) throw new Error(`no query ${name}`);
  return renderedSql(src, q);
};

function withFlags(flags: Record<string, string>): Database.Database {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE osquery_flags (name TEXT, type TEXT, description TEXT, default_value TEXT, value TEXT, shell_only INTEGER)',
  );
  const ins = db.prepare("INSERT INTO osquery_flags (name, type, value) VALUES (?, 'bool', ?)");
  for (const [k, v] of Object.entries(flags)) ins.run(k, v);
  return db;
}

test("the flags judged are the union of the queries' telemetry headers", () => {
  const declared = [...src.queries, ...src.coreOnly].flatMap((q) => q.metadata.telemetry);
  assert.ok(declared.length > 0, 'some query declares telemetry');
  assert.equal(telemetryFlags(src), [...new Set(declared)].sort());
});

test("the policy's resolution tells an administrator to set every flag it judges", () => {
  const policy = src.policies.find((q) => q.metadata.name === 'telemetry_ready');
  for (const f of ['disable_events', ...telemetryFlags(src)])
    assert.ok(policy?.metadata.resolution?.includes(`--${f}=`), `resolution does not mention --${f}`);
});

test('readiness and the policy agree, flag by flag: ready only with events on and every declared flag true', () => {
  const needed = telemetryFlags(src);
  const all = Object.fromEntries([['disable_events', 'false'], ...needed.map((f) => [f, 'true'])]);
  const cases: [Record<string, string>, boolean][] = [[all, true]];
  for (const f of ['disable_events', ...needed]) {
    const { [f]: _dropped, ...missing } = all;
    cases.push([missing, false], [{ ...all, [f]: f === 'disable_events' ? 'true' : 'false' }, false]);
  }
  for (const [flags, ready] of cases) {
    const db = withFlags(flags);
    const row = db.prepare(query('telemetry_readiness')).get() as { reasons: string };
    assert.is(row.reasons, ready ? '' : 'TELEMETRY_GAP', JSON.stringify(flags));
    assert.is(db.prepare(query('telemetry_ready')).all().length, ready ? 1 : 0, JSON.stringify(flags));
    db.close();
  }
});

test("a flag a query starts to need is judged at once; a render without the pack's flags is refused", () => {
  const inputs = { baseline: parseBaseline('version: 1\n'), telemetry: ['enable_x'] };
  const sql = renderSql(
    "SELECT 0 /*@telemetry_ready*/ AS r FROM osquery_flags WHERE name IN ('' /*@telemetry_flags*/)",
    inputs,
  );
  const db = withFlags({ disable_events: 'false', enable_x: 'false' });
  assert.is((db.prepare(sql).get() as { r: number }).r, 0);
  db.exec("UPDATE osquery_flags SET value = 'true' WHERE name = 'enable_x'");
  assert.is((db.prepare(sql).get() as { r: number }).r, 1);
  assert.throws(
    () => renderSql('SELECT 0 /*@telemetry_ready*/', { baseline: inputs.baseline }, 'q.sql'),
    /telemetry flags/,
  );
});

test.run();
