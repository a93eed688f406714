// The generated deployment artifacts checked against re-implementations of
// the real tools' rules (src/pack/conformance/*, each citing its source), and
// each rule shown failing on a bad artifact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildArtifacts } from '../../src/pack/artifacts.js';
import { loadPackSources, renderedSql, type PackSources } from '../../src/pack/catalog.js';
import { fleetExpandEnv } from '../../src/pack/conformance/fleet-env.js';
import { agentOptionsIssues } from '../../src/pack/conformance/fleet-agent-options.js';
import { duplicateNames, gitopsFragmentIssues, gitopsPathFileIssues } from '../../src/pack/conformance/fleet-gitops.js';
import { AUTHENTICODE_RESULTS, checkPlatform, loadPack, versionAtLeast } from '../../src/pack/conformance/osquery.js';

const root = join(process.cwd(), 'packs');
let src: PackSources;
let artifacts: Map<string, string>;
const fleetFiles = () => [...artifacts.keys()].filter((k) => k.startsWith('fleet/'));
const agentOptionsPath = join(process.cwd(), 'deploy', 'fleet', 'agent-options.yml');

test.before(async () => {
  src = await loadPackSources(root);
  artifacts = buildArtifacts(src);
});

// ---- fleetctl gitops environment expansion (pkg/spec/spec.go expandEnv) ----

test('env expansion: the rule itself', () => {
  const env = { HOME: '/h', X: 'x' };
  assert.is(fleetExpandEnv('a $HOME b ${X}c', env).text, 'a /h b xc');
  assert.is(fleetExpandEnv('\\$HOME', env).text, '$HOME', 'one backslash escapes');
  assert.is(fleetExpandEnv('\\\\$HOME', env).text, '\\\\/h', 'two backslashes stay and the $ expands');
  assert.is(fleetExpandEnv('\\\\\\$HOME', env).text, '\\$HOME', 'three leave one backslash and a literal $');
  assert.is(fleetExpandEnv("GLOB '[$]x' $] $", env).text, "GLOB '[$]x' $] $", 'a $ not followed by a name stays');
  assert.is(fleetExpandEnv('$FLEET_VAR_HOST x', env).text, '$FLEET_VAR_HOST x', 'server variables stay');
  assert.equal(fleetExpandEnv('q: $NOPE', env).errors, ['environment variable "NOPE" not set']);
  assert.equal(
    fleetExpandEnv('q: $?', env).errors,
    ['environment variable "?" not set'],
    'special one-character names expand',
  );
  assert.is(
    fleetExpandEnv('  description: costs $NOPE\n  query: SELECT 1\n', env).errors.length,
    0,
    'description values are not expanded',
  );
  assert.is(fleetExpandEnv('q: $FLEET_SECRET_X', env).errors.length, 1);
});

test('env expansion: a rendered $recycle.bin glob is what broke, in both YAML quotings', () => {
  const plain = "query: SELECT 1 WHERE lower(p) GLOB '?:\\$recycle.bin\\*'\n";
  assert.is(
    fleetExpandEnv(plain).text,
    "query: SELECT 1 WHERE lower(p) GLOB '?:$recycle.bin\\*'\n",
    'silently loses its backslash',
  );
  const quoted = 'query: "SELECT 1 WHERE lower(p) GLOB \'?:\\\\$recycle.bin\\\\*\'"\n';
  assert.equal(fleetExpandEnv(quoted).errors, ['environment variable "recycle" not set']);
});

test('every Fleet file the build writes, and the agent options file, is unchanged by fleetctl gitops expansion', () => {
  const files: [string, string][] = [
    ...fleetFiles().map((f) => [f, artifacts.get(f)!] as [string, string]),
    ['deploy/fleet/agent-options.yml', readFileSync(agentOptionsPath, 'utf8')],
  ];
  assert.ok(files.length >= 7);
  for (const [name, text] of files) {
    const e = fleetExpandEnv(text);
    assert.equal(e.errors, [], name);
    assert.ok(e.text === text, `${name} is byte-identical after expansion`);
  }
  assert.match(
    artifacts.get('an1489.conf')!,
    /\[\$\]recycle\.bin/,
    'the glob still matches $Recycle.Bin, written as a class',
  );
});

// ---- Fleet agent options (server/fleet/agent_options.go, strict decoding) ----

test('agent options: the shipped file validates against the flag types', () => {
  const opts = parse(readFileSync(agentOptionsPath, 'utf8'));
  assert.equal(agentOptionsIssues(opts), []);
  assert.is(opts.command_line_flags.extensions_timeout, '10');
});

test('agent options: a number for a string flag, an unknown flag, a refused flag and the agent_options wrapper all fail', () => {
  const good = parse(readFileSync(agentOptionsPath, 'utf8'));
  const withFlags = (f: Record<string, unknown>) => ({
    ...good,
    command_line_flags: { ...good.command_line_flags, ...f },
  });
  assert.match(
    agentOptionsIssues(withFlags({ extensions_timeout: 10 })).join(),
    /extensions_timeout: expected type string/,
  );
  assert.match(agentOptionsIssues(withFlags({ disable_events: 'false' })).join(), /disable_events: expected type bool/);
  assert.match(agentOptionsIssues(withFlags({ enable_magic: true })).join(), /unknown field "enable_magic"/);
  assert.match(
    agentOptionsIssues(withFlags({ extensions_autoload: 'x' })).join(),
    /--extensions_autoload flag isn't supported/,
  );
  assert.match(agentOptionsIssues({ agent_options: good }).join(), /unknown field "agent_options" at the top level/);
  assert.match(
    agentOptionsIssues({ ...good, config: { options: { extensions_timeout: '10' } } }).join(),
    /a command-line flag, not a config option/,
  );
  assert.match(
    agentOptionsIssues({ ...good, config: { options: { distributed_interval: '10' } } }).join(),
    /distributed_interval: expected type uint64/,
  );
});

// ---- GitOps keys and names (pkg/spec/gitops.go, gitops_deprecations.go) ----

test('GitOps: every generated file is a valid top-level fragment whose list is a valid path: file', () => {
  for (const f of fleetFiles()) {
    const doc = parse(artifacts.get(f)!);
    assert.equal(gitopsFragmentIssues(f, doc), [], f);
    const [key, list] = Object.entries(doc)[0];
    assert.equal(gitopsPathFileIssues(f, key === 'policies' ? 'policies' : 'reports', list), [], f);
  }
});

test('GitOps: a repo including both variants has no duplicate policy or report names', () => {
  const names = (f: string) => Object.values<{ name: string }[]>(parse(artifacts.get(f)!))[0];
  assert.equal(duplicateNames([...names('fleet/an1489.policies.yml'), ...names('fleet/core-only.policies.yml')]), []);
  assert.equal(duplicateNames([...names('fleet/an1489.reports.yml'), ...names('fleet/core-only.reports.yml')]), []);
});

test('GitOps: unknown keys, both spellings, a wrapped path: file and duplicate names fail', () => {
  assert.match(
    gitopsFragmentIssues('x', { queries: [], reports: [] })
      .map((i) => i.message)
      .join(),
    /both "reports"/,
  );
  assert.match(
    gitopsFragmentIssues('x', { reports: [{ name: 'a', query: 'SELECT 1', colour: 'red' }] })
      .map((i) => i.message)
      .join(),
    /unknown key "reports\[0\]\.colour"/,
  );
  assert.match(
    gitopsFragmentIssues('x', { packs: [] })
      .map((i) => i.message)
      .join(),
    /unknown top-level field: packs/,
  );
  assert.match(
    gitopsFragmentIssues('x', { reports: [{ name: 'a', query: 'SELECT 1', interval: '300' }] })
      .map((i) => i.message)
      .join(),
    /interval: expected type uint/,
  );
  assert.match(
    gitopsFragmentIssues('x', { policies: [{ name: 'a', query: 'SELECT 1', platform: 'windows,chrome' }] })
      .map((i) => i.message)
      .join(),
    /invalid platform "chrome"/,
  );
  assert.match(
    gitopsFragmentIssues('x', { reports: [{ name: 'a', query: 'SELECT 1', logging: 'event' }] })
      .map((i) => i.message)
      .join(),
    /invalid logging/,
  );
  assert.match(
    gitopsFragmentIssues('x', { reports: [{ name: 'AN1489 – x', query: 'SELECT 1' }] })
      .map((i) => i.message)
      .join(),
    /must be in ASCII/,
  );
  assert.match(
    gitopsPathFileIssues('x', 'policies', { policies: [] })
      .map((i) => i.message)
      .join(),
    /bare YAML list/,
  );
  // The artifacts before this fix: core-only policies reused the full pack's names.
  const full = Object.values<{ name: string }[]>(parse(artifacts.get('fleet/an1489.policies.yml')!))[0];
  const oldCore = full.filter((p) => /no_miner_cmdline|telemetry_ready/.test(p.name));
  assert.equal(duplicateNames([...full, ...oldCore]).sort(), ['AN1489 - no_miner_cmdline', 'AN1489 - telemetry_ready']);
});

// ---- osquery pack loading (osquery/config/packs.cpp, core/system.cpp, utils/info/version.cpp) ----

test('osquery version and platform rules', () => {
  assert.is(versionAtLeast('5.8.0', '5.4.0'), false);
  assert.is(versionAtLeast('5.4.0', '5.4.0'), true);
  assert.is(versionAtLeast('5.4', '5.4.1'), true);
  assert.is(versionAtLeast('5.10.0', '5.9.9'), false, 'numeric, not lexical');
  assert.is(versionAtLeast('9.9.9', '0.0.0'), true, 'a 0.0.0 build passes everything');
  assert.is(checkPlatform('windows', 'windows'), true);
  assert.is(checkPlatform('windows', 'linux'), false);
  assert.is(checkPlatform('posix', 'darwin'), true);
  assert.is(checkPlatform('posix', 'windows'), false);
  assert.is(checkPlatform('any', 'windows'), true);
  assert.is(checkPlatform('', 'linux'), true);
});

test('the core-only pack loads on osquery 5.4 and schedules its 5.4 queries; the full pack loads on 5.8', () => {
  const core = JSON.parse(artifacts.get('core-only.conf')!);
  const on54 = loadPack(core, '5.4.0', 'windows');
  assert.ok(on54.packLoads, JSON.stringify(on54.skipped));
  for (const q of ['core_lifetime_cpu', 'core_masquerade', 'miner_cmdline_processes', 'telemetry_readiness'])
    assert.ok(on54.scheduled.includes(q), q);
  assert.equal(
    on54.skipped.map((s) => s.name).sort(),
    ['powershell_miner_scripts', 'wmi_persistence'],
    'only the queries that say 5.8 wait for it',
  );
  const full = JSON.parse(artifacts.get('an1489.conf')!);
  assert.is(loadPack(full, '5.8.0', 'windows').scheduled.length, Object.keys(full.queries).length);
  assert.is(loadPack(full, '5.8.0', 'linux').packLoads, false, 'a Windows pack is skipped on Linux');
  // Before the fix the pack version was the newest query's: the whole pack was skipped on 5.4.
  assert.is(loadPack({ ...core, version: '5.8.0' }, '5.4.0', 'windows').packLoads, false);
});

test('query names: no reserved prefix or suffix in the packs or the Fleet names, and the rule drops bad ones', () => {
  const names = [
    ...Object.keys(JSON.parse(artifacts.get('an1489.conf')!).queries),
    ...Object.keys(JSON.parse(artifacts.get('core-only.conf')!).queries),
    ...fleetFiles().flatMap((f) => Object.values<{ name: string }[]>(parse(artifacts.get(f)!))[0].map((i) => i.name)),
  ];
  const asPack = {
    platform: 'windows',
    queries: Object.fromEntries(names.map((n) => [n, { query: 'SELECT 1', interval: 60 }])),
  };
  assert.equal(loadPack(asPack, '5.23.1', 'windows').skipped, []);
  const bad = loadPack(
    {
      queries: {
        cpu_counter: { query: 'SELECT 1' },
        'query.x': { query: 'SELECT 1' },
        last_epoch: { query: 'SELECT 1' },
      },
    },
    '5.23.1',
    'windows',
  );
  assert.equal(bad.scheduled, []);
  assert.is(bad.skipped.length, 3);
});

// ---- authenticode.result vocabulary (osquery tables/system/windows/authenticode.cpp) ----

test('every authenticode.result the pack compares with is a value osquery assigns', () => {
  const all = [...src.queries, ...src.coreOnly, ...src.policies];
  let compared = 0;
  for (const q of all) {
    const sql = renderedSql(src, q);
    for (const m of sql.matchAll(/\b\w+\.result\s*(?:=|!=|IN)\s*\(?((?:'[^']*'\s*,?\s*)+)/g)) {
      for (const v of m[1].match(/'[^']*'/g) ?? []) {
        compared++;
        assert.ok((AUTHENTICODE_RESULTS as readonly string[]).includes(v.slice(1, -1)), `${q.metadata.name}: ${v}`);
      }
    }
  }
  assert.ok(compared > 0);
  assert.not.ok((AUTHENTICODE_RESULTS as readonly string[]).includes('invalid'));
});

test.run();
