// The layer rule of docs/architecture.md holds for every import in src/ and
// extension/, and the checker is shown to catch an upward import: over a
// temporary tree with one bad edge, and over type-only, re-export and dynamic
// imports, which a grep for "import ... from" would miss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { edgesOf, layerOf, parseLayerTable, ruleCycle, scanTree, violations, type Layer } from './layers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const layers: Layer[] = parseLayerTable(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));

test('the layer table is complete and its allowed imports form no cycle', () => {
  assert.ok(layers.length >= 14, `read ${layers.length} layers`);
  const names = new Set(layers.map((l) => l.name));
  for (const l of layers)
    for (const m of l.mayImport) assert.ok(names.has(m), `${l.name} may import unknown layer ${m}`);
  assert.is(ruleCycle(layers), null);
});

test('every import in src/ and extension/ keeps to the layer rule', () => {
  const { files, edges } = scanTree(ROOT, ['src', 'extension']);
  assert.ok(files.length > 100 && edges.length > 300, `scanned ${files.length} files, ${edges.length} imports`);
  assert.equal(
    violations(edges, layers).map((v) => v.message),
    [],
  );
  // No stale row: each layer owns a scanned file or an imported one (package.json).
  const owned = [...files, ...edges.map((e) => e.to)];
  for (const l of layers)
    assert.ok(
      owned.some((f) => layerOf(f, layers) === l),
      `layer ${l.name} owns no file`,
    );
  // The pack reads table specs, never the runtime or a bound table (which would build services).
  assert.not.ok(
    edges.some(
      (e) => e.from.startsWith('src/pack/') && (e.to === 'src/runtime.ts' || layerOf(e.to, layers)?.name === 'tables'),
    ),
  );
});

test('a synthetic upward import in a temporary tree fails the check, naming the edge', () => {
  const root = mkdtempSync(join(tmpdir(), 'an1489-arch-'));
  try {
    const write = (p: string, text: string) => {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    };
    write('src/runtime.ts', "import { x } from './sdk/table.js';\nexport const y = x;\n");
    write('src/sdk/table.ts', 'export const x = 1;\n');
    write('src/pack/validate.ts', "import { x } from '../sdk/table.js';\nexport const v = x;\n");
    assert.equal(violations(scanTree(root, ['src']).edges, layers), [], 'downward imports pass');
    write(
      'src/pack/declarations.ts',
      "import { createRuntime } from '../runtime.js';\nexport const d = createRuntime;\n",
    );
    const found = violations(scanTree(root, ['src']).edges, layers);
    assert.equal(
      found.map((v) => [v.from, v.to, v.fromLayer, v.toLayer]),
      [['src/pack/declarations.ts', 'src/runtime.ts', 'pack', 'runtime']],
    );
    assert.match(found[0].message, /pack may import specs, host, sdk, intel/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('type-only, re-export and dynamic imports are edges too; a file outside every layer is reported', () => {
  const src = [
    "import type { Runtime } from '../runtime.js';",
    "export { HistoryStore } from '../sampler/store.js';",
    "const m = await import('../cli/main.js');",
    "import { z } from 'zod';",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  const edges = edgesOf('src/sdk/bad.ts', src);
  assert.equal(
    edges.map((e) => e.to),
    ['src/runtime.ts', 'src/sampler/store.ts', 'src/cli/main.ts'],
  );
  assert.equal(
    violations(edges, layers).map((v) => v.toLayer),
    ['runtime', 'sampler', 'cli'],
  );
  assert.equal(
    violations([{ from: 'src/newdir/x.ts', to: 'src/sdk/table.ts' }], layers).map((v) => v.message),
    ['src/newdir/x.ts belongs to no layer'],
  );
  assert.equal(
    violations([{ from: 'src/tables/spec.ts', to: 'src/tables/process_cpu_history.ts' }], layers).map((v) => v.toLayer),
    ['tables'],
    'specs may not import a bound table',
  );
});

test.run();
