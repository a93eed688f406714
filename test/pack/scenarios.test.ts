// Runs both packs on every scenario host (test/scenarios/<name>/, built by
// scripts/build-pack-scenarios.mjs) in the embedded host and asserts exactly
// which rows each query flags, with which reason codes (expected.json, written
// by hand per scenario). Then the differential-stability property: CPU
// figures moved inside their band and the clock moved on by one interval
// must give identical rows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corePack, fullPack, loadPackSources, type PackSources } from '../../src/pack/catalog.js';
import { loadScenarioTables, PackRunner, type ResultRow } from '../../src/pack/run.js';
import type { SnapshotTable } from '../../src/host/snapshot.js';

const dir = join(process.cwd(), 'test', 'scenarios');
const names = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
let src: PackSources;

const keyOf = (r: ResultRow): string => String(r.pid ?? r.name ?? r.consumer_name ?? r.script_block_id);
const flagOf = (r: ResultRow) => ({ key: keyOf(r), reasons: String(r.reasons ?? r.launch_vector) });
const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);

async function runAll(runner: PackRunner): Promise<Map<string, ResultRow[]>> {
  const out = new Map<string, ResultRow[]>();
  // evidence_* queries collect rows for `an1489 replay`; they flag nothing (test/replay covers them).
  for (const q of [...fullPack(src), ...src.coreOnly])
    if (!q.metadata.name.startsWith('evidence_')) out.set(q.metadata.name, await runner.run(q));
  return out;
}

test.before(async () => {
  src = await loadPackSources(join(process.cwd(), 'packs'));
});

test('the corpus has at least 8 attacks and 8 benign hosts', () => {
  assert.ok(names.filter((n) => n.startsWith('attack-')).length >= 8);
  assert.ok(names.filter((n) => n.startsWith('benign-')).length >= 8);
});

for (const name of names) {
  test(`scenario ${name}: exactly the expected rows and reasons`, async () => {
    const expected = JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8')) as {
      flagged: Record<string, { key: string; reasons: string }[]>;
    };
    const runner = await PackRunner.open(src, join(dir, name, 'snapshot'));
    try {
      const results = await runAll(runner);
      for (const [query, rows] of results) {
        if (query === 'telemetry_readiness') {
          assert.is(rows.length, 1);
          assert.is(rows[0].reasons, '', 'telemetry is ready on scenario hosts');
          continue;
        }
        const want = [...(expected.flagged[query] ?? [])].sort(byKey);
        assert.equal(rows.map(flagOf).sort(byKey), want, `${name} / ${query}`);
      }
      if (name.startsWith('attack-'))
        assert.ok((results.get('composite_finding') ?? []).length > 0, 'an attack yields a composite finding');
      else assert.is((results.get('composite_finding') ?? []).length, 0, 'a benign host yields no composite finding');
    } finally {
      runner.close();
    }
  });
}

/** Moves CPU figures inside their band and the clock on by five minutes. */
function shifted(tables: readonly SnapshotTable[]): SnapshotTable[] {
  const band = (x: number) => (x >= 90 ? [90, 100] : x >= 50 ? [50, 90] : x >= 25 ? [25, 50] : [0, 25]);
  const nudge = (v: string | null) => {
    const x = Number(v);
    const [lo, hi] = band(x);
    return String(Math.min(hi - 0.01, Math.max(lo, x + (x + 1.5 < hi ? 1.5 : -1.5))));
  };
  const later = (v: string | null, by: number) => String(Number(v) + by);
  return tables.map((t) => {
    type Edit = (v: string | null) => string;
    const map: Record<string, Edit> = {};
    if (t.name === 'process_cpu_sustained')
      Object.assign<Record<string, Edit>, Record<string, Edit>>(map, {
        avg_cpu_percent: nudge,
        p95_cpu_percent: nudge,
        max_cpu_percent: nudge,
        samples: (v) => later(v, 30),
        observed_seconds: (v) => later(v, 300),
        seconds_above_threshold: (v) => later(v, 300),
        longest_streak_seconds: (v) => later(v, 300),
        last_seen: (v) => later(v, 300),
      });
    if (t.name === 'process_connection_history')
      Object.assign<Record<string, Edit>, Record<string, Edit>>(map, {
        last_seen: (v) => later(v, 300),
        observed_seconds: (v) => later(v, 300),
        samples: (v) => later(v, 30),
      });
    if (t.name === 'time')
      Object.assign<Record<string, Edit>, Record<string, Edit>>(map, { unix_time: (v) => later(v, 300) });
    if (t.name === 'processes') {
      // Five minutes later at the same lifetime share: CPU time grows with elapsed time.
      const grow = (r: Record<string, string | null>, k: string) =>
        String(Math.round((Number(r[k]) * (Number(r.elapsed_time) + 300)) / Number(r.elapsed_time)));
      return {
        ...t,
        rows: t.rows.map((r) => ({
          ...r,
          elapsed_time: later(r.elapsed_time, 300),
          user_time: grow(r, 'user_time'),
          system_time: grow(r, 'system_time'),
        })),
      };
    }
    if (Object.keys(map).length === 0) return t;
    return {
      ...t,
      rows: t.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, map[k] ? map[k](v) : v]))),
    };
  });
}

test('differential stability: CPU moved inside its band and one interval later gives identical rows', async () => {
  for (const name of names) {
    const tables = await loadScenarioTables(join(dir, name, 'snapshot'));
    const a = PackRunner.fromTables(src, tables);
    const b = PackRunner.fromTables(src, shifted(tables));
    try {
      const ra = await runAll(a);
      const rb = await runAll(b);
      for (const q of [...fullPack(src), ...corePack(src)]) {
        if (q.metadata.logging === 'snapshot' || q.metadata.name.startsWith('evidence_')) continue;
        assert.equal(rb.get(q.metadata.name), ra.get(q.metadata.name), `${name} / ${q.metadata.name}`);
      }
    } finally {
      a.close();
      b.close();
    }
  }
});

test.run();
