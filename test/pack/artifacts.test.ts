import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildArtifacts, staleArtifacts } from '../../src/pack/artifacts.js';
import { loadPackSources } from '../../src/pack/catalog.js';
import { runPack } from '../../src/cli/pack.js';
import { extensionDeclarations } from '../../src/pack/declarations.js';
import { formatIssues, validateQueries } from '../../src/pack/validate.js';
import { Writable, Readable } from 'node:stream';

const root = join(process.cwd(), 'packs');

function io() {
  let out = '';
  let err = '';
  return {
    io: {
      stdin: Readable.from([]),
      stdout: new Writable({
        write(c, _e, cb) {
          out += c;
          cb();
        },
      }),
      stderr: new Writable({
        write(c, _e, cb) {
          err += c;
          cb();
        },
      }),
    },
    out: () => out,
    err: () => err,
  };
}

test('committed artifacts match a fresh build (run npm run pack:build when this fails)', async () => {
  const stale = await staleArtifacts(await loadPackSources(root));
  assert.equal(stale, []);
});

test('osquery pack JSON: every scheduled query with interval, platform, version and logging mode', async () => {
  const src = await loadPackSources(root);
  const pack = JSON.parse(buildArtifacts(src).get('an1489.conf')!);
  assert.is(pack.platform, 'windows');
  const names = Object.keys(pack.queries);
  assert.equal(names.sort(), src.queries.map((q) => q.metadata.name).sort());
  for (const [name, q] of Object.entries<Record<string, unknown>>(pack.queries)) {
    assert.type(q.query, 'string');
    assert.not.match(q.query as string, /\/\*@|\n/, `${name}: one line, markers rendered`);
    assert.ok(Number.isInteger(q.interval));
    assert.ok(q.removed === false || q.snapshot === true, name);
  }
  assert.is(pack.queries.telemetry_readiness.snapshot, true);
  const core = JSON.parse(buildArtifacts(src).get('core-only.conf')!);
  assert.ok('core_lifetime_cpu' in core.queries && 'wmi_persistence' in core.queries);
  assert.not.ok('composite_finding' in core.queries, 'extension queries stay out of the core-only pack');
  for (const q of Object.values<{ query: string }>(core.queries))
    assert.not.match(q.query, /process_cpu_|process_signature_check|process_connection_history/);
});

test('the one-line SQL in the deployed artifacts validates like its source', async () => {
  const src = await loadPackSources(root);
  const a = buildArtifacts(src);
  const deployed = new Map<string, string>();
  for (const file of ['an1489.conf', 'core-only.conf']) {
    for (const [name, q] of Object.entries<{ query: string }>(JSON.parse(a.get(file)!).queries))
      deployed.set(name, q.query);
  }
  for (const p of parse(a.get('fleet/an1489.policies.yml')!).policies as { name: string; query: string }[])
    deployed.set(p.name.replace('AN1489 - ', ''), p.query);
  const all = [...src.queries, ...src.coreOnly, ...src.policies];
  assert.is(deployed.size, all.length);
  const issues = validateQueries(all, (q) => deployed.get(q.metadata.name)!, extensionDeclarations());
  assert.is(formatIssues(issues), '');
});

test('Fleet GitOps: reports: and queries: spellings carry the same items; policies are yes/no', async () => {
  const src = await loadPackSources(root);
  const a = buildArtifacts(src);
  const reports = parse(a.get('fleet/an1489.reports.yml')!);
  const queries = parse(a.get('fleet/an1489.queries.yml')!);
  assert.ok(a.get('fleet/an1489.reports.yml')!.startsWith('# GENERATED'));
  assert.equal(reports.reports, queries.queries);
  for (const r of reports.reports) {
    assert.ok(['differential_ignore_removals', 'snapshot'].includes(r.logging));
    assert.is(r.platform, 'windows');
  }
  const policies = parse(a.get('fleet/an1489.policies.yml')!).policies;
  assert.ok(policies.some((p: { name: string }) => p.name === 'AN1489 - telemetry_ready'));
  for (const p of policies) assert.ok(p.resolution.length > 10);
});

test('pack check fails on a stale artifact and build repairs it; a broken baseline is a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'an1489-pack-'));
  try {
    await cp(root, dir, { recursive: true });
    await writeFile(join(dir, 'an1489.conf'), '{}\n');
    let r = io();
    assert.is(await runPack(['check', '--packs', dir], r.io), 1);
    assert.match(r.err(), /stale .*an1489\.conf/);
    r = io();
    assert.is(await runPack(['build', '--packs', dir], r.io), 0, r.err());
    r = io();
    assert.is(await runPack(['check', '--packs', dir], r.io), 0, r.err());
    assert.is(await readFile(join(dir, 'an1489.conf'), 'utf8'), await readFile(join(root, 'an1489.conf'), 'utf8'));
    await writeFile(join(dir, 'baseline.yml'), 'version: 1\napproved:\n  - id: x\n    reason: everything\n');
    r = io();
    const failure = await runPack(['build', '--packs', dir], r.io).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(String(failure?.message), /at least one of names, paths/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
