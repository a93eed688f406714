// The deployment docs say what the tools do and point at files that exist.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const docsDir = join(process.cwd(), 'docs');
const docs = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .map((f) => [f, readFileSync(join(docsDir, f), 'utf8')] as const);
const deployment = readFileSync(join(docsDir, 'deployment.md'), 'utf8');
const section = (text: string, heading: string) =>
  text.slice(text.indexOf(heading), text.indexOf('\n## ', text.indexOf(heading) + heading.length));

test('every repository path the docs name in backticks exists', () => {
  let checked = 0;
  for (const [name, text] of docs) {
    for (const m of text.matchAll(/`((?:packs|deploy|docs|src|test|scripts)\/[A-Za-z0-9_./-]+)`/g)) {
      const p = m[1].replace(/[.,]$/, '');
      // Skip globs and paths in another repository, cited as `path` (owner/repo).
      if (/[*{<]/.test(p) || /^`\s*\([\w-]+\/[\w-]+\)/.test(text.slice((m.index ?? 0) + m[0].length - 1))) continue;
      checked++;
      assert.ok(existsSync(join(process.cwd(), p)), `${name}: ${p}`);
    }
    assert.not.match(text, /the extension's README/, `${name} points at a README that does not exist`);
  }
  assert.ok(checked > 20, String(checked));
});

test("the reports rename is sourced to fleetctl's own deprecation mapping", () => {
  const pack = readFileSync(join(docsDir, 'deployment-pack.md'), 'utf8');
  assert.match(pack, /pkg\/spec\/gitops_deprecations\.go/);
  assert.not.match(pack, /fleet#41423/);
});

test('Kolide: launcher forces its own config plugin and autoload file, so no local pack or extension is deployed there', () => {
  // kolide/launcher pkg/osquery/runtime/osqueryinstance.go, createOsquerydCommand:
  // --config_plugin=kolide_grpc and --extensions_autoload=<its own file> are appended last.
  const kolide = section(deployment, '## 7. Kolide');
  assert.match(kolide, /--config_plugin=kolide_grpc/);
  assert.match(kolide, /osqueryinstance\.go/);
  assert.match(kolide, /never read/);
  assert.not.match(kolide, /Deploy the \*\*core-only\*\* pack \(`packs\/core-only\.conf`\)/);
});

test('Fleet: agent_options is documented as a top-level key whose path: file is the object itself', () => {
  const fleet = section(deployment, '## 6. Fleet');
  assert.match(fleet, /agent_options:\n {2}path: \.\.\/lib\/agent-options\.yml/);
  assert.not.match(fleet, /extensions_timeout: 10\b/);
  const file = readFileSync(join(process.cwd(), 'deploy', 'fleet', 'agent-options.yml'), 'utf8');
  assert.not.match(file, /^agent_options:/m);
  assert.not.match(file, /under settings or\s*#?\s*controls/);
});

test.run();
