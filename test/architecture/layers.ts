// The import rule of docs/architecture.md as code: the layer table is read
// from that file (so the document is the one statement of the rule), every
// import of a tree is parsed with TypeScript's own pre-processor (type-only,
// re-exports and dynamic import() included), and each edge is judged.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';

export interface Layer {
  readonly name: string;
  /** Path prefixes (a directory ends in '/'), relative to the project root. */
  readonly paths: readonly string[];
  readonly mayImport: readonly string[];
}

export interface Edge {
  /** Importing file, relative to the root, '/'-separated. */
  readonly from: string;
  /** Imported file, relative to the root, '/'-separated (.js specifiers read as their .ts source). */
  readonly to: string;
}

export interface Violation extends Edge {
  readonly fromLayer: string | null;
  readonly toLayer: string | null;
  readonly message: string;
}

/** The rows between <!-- layers:begin --> and <!-- layers:end -->. */
export function parseLayerTable(markdown: string): Layer[] {
  const begin = markdown.indexOf('<!-- layers:begin -->');
  const end = markdown.indexOf('<!-- layers:end -->');
  if (begin < 0 || end < begin)
    throw new Error('docs/architecture.md: no layer table between the layers:begin/end markers');
  const layers: Layer[] = [];
  for (const line of markdown.slice(begin, end).split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 3 || cells[0] === 'Layer' || /^-+$/.test(cells[0])) continue;
    const list = (s: string) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    layers.push({ name: cells[0], paths: list(cells[1]), mayImport: list(cells[2]) });
  }
  return layers;
}

/** The layer owning a root-relative path: the longest matching prefix. */
export function layerOf(path: string, layers: readonly Layer[]): Layer | null {
  let best: { layer: Layer; length: number } | null = null;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? path.startsWith(p) : path === p;
      if (hit && (best === null || p.length > best.length)) best = { layer, length: p.length };
    }
  }
  return best?.layer ?? null;
}

/** Relative module specifiers of one source text. */
export function importSpecifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** Edges of one file (path root-relative, '/'-separated). */
export function edgesOf(path: string, text: string): Edge[] {
  return importSpecifiers(text).map((spec) => {
    let to = posix.normalize(posix.join(posix.dirname(path), spec));
    if (to.endsWith('.js')) to = `${to.slice(0, -3)}.ts`;
    return { from: path, to };
  });
}

/** Every .ts file under the given root-relative directories (generated CommonJS bindings excepted). */
export function scanTree(root: string, dirs: readonly string[]): { files: string[]; edges: Edge[] } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(relative(root, p).split(sep).join('/'));
    }
  };
  for (const d of dirs) walk(resolve(root, d));
  const edges = files.flatMap((f) => edgesOf(f, readFileSync(join(root, f), 'utf8')));
  return { files, edges };
}

/** Edges the rule forbids: an unowned file on either side, or a layer importing one it may not. */
export function violations(edges: readonly Edge[], layers: readonly Layer[]): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) {
    const from = layerOf(e.from, layers);
    const to = layerOf(e.to, layers);
    let message: string | null = null;
    if (from === null) message = `${e.from} belongs to no layer`;
    else if (to === null) message = `${e.from} imports ${e.to}, which belongs to no layer`;
    else if (from !== to && !from.mayImport.includes(to.name))
      message = `${e.from} (${from.name}) imports ${e.to} (${to.name}); ${from.name} may import ${from.mayImport.join(', ') || 'nothing'}`;
    if (message !== null) out.push({ ...e, fromLayer: from?.name ?? null, toLayer: to?.name ?? null, message });
  }
  return out;
}

/** A cycle in the allowed-imports graph, or null (layers must form a DAG). */
export function ruleCycle(layers: readonly Layer[]): string[] | null {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'open') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'open');
    stack.push(name);
    for (const next of byName.get(name)?.mayImport ?? []) {
      const c = visit(next);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const l of layers) {
    const c = visit(l.name);
    if (c) return c;
  }
  return null;
}
