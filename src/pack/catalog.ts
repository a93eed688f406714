// The pack's sources on disk: packs/queries/*.sql (the full pack),
// packs/core-only/*.sql (extra queries for fleets that cannot load
// extensions), packs/policies/*.sql (Fleet yes/no policies),
// and packs/baseline.yml (the catalogs come from src/intel). The core-only pack is every
// `requires: core` query of the full pack plus the core-only folder, so a
// query written once serves both.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileBaseline, parseBaseline, type BaselineSpec } from '../intel/baseline.js';
import { PackFormatError, parseQueryFile, type PackQuery } from './query-file.js';
import { renderSql } from './render.js';

export interface PackSources {
  readonly root: string;
  readonly queries: readonly PackQuery[];
  readonly coreOnly: readonly PackQuery[];
  readonly policies: readonly PackQuery[];
  readonly baseline: BaselineSpec;
}

async function readFolder(dir: string): Promise<PackQuery[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  } catch (e) {
    throw new PackFormatError(dir, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const out: PackQuery[] = [];
  for (const n of names) {
    const q = parseQueryFile(await readFile(join(dir, n), 'utf8'), join(dir, n));
    if (`${q.metadata.name}.sql` !== n)
      throw new PackFormatError(q.source, `name "${q.metadata.name}" does not match the file name`);
    out.push(q);
  }
  return out;
}

export async function loadPackSources(root: string, baselinePath = join(root, 'baseline.yml')): Promise<PackSources> {
  const queries = await readFolder(join(root, 'queries'));
  const coreOnly = await readFolder(join(root, 'core-only'));
  const policies = await readFolder(join(root, 'policies'));
  for (const q of coreOnly)
    if (q.metadata.requires !== 'core')
      throw new PackFormatError(q.source, 'core-only queries must say "requires: core"');
  for (const q of [...queries, ...coreOnly])
    if (q.metadata.kind !== 'scheduled') throw new PackFormatError(q.source, 'policies belong in packs/policies/');
  for (const q of policies)
    if (q.metadata.kind !== 'policy' || !q.metadata.resolution)
      throw new PackFormatError(q.source, 'a policy needs "kind: policy" and a resolution');
  const seen = new Map<string, string>();
  for (const q of [...queries, ...coreOnly, ...policies]) {
    const other = seen.get(q.metadata.name);
    if (other) throw new PackFormatError(q.source, `query name "${q.metadata.name}" is also used by ${other}`);
    seen.set(q.metadata.name, q.source);
  }
  const baselineText = await readFile(baselinePath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new PackFormatError(baselinePath, `cannot read the baseline (${e.code ?? e.message})`);
  });
  const baseline = parseBaseline(baselineText, baselinePath);
  compileBaseline(baseline);
  return { root, queries, coreOnly, policies, baseline };
}

/** The queries of each pack variant. */
export function fullPack(src: PackSources): readonly PackQuery[] {
  return src.queries;
}
export function corePack(src: PackSources): readonly PackQuery[] {
  return [...src.queries.filter((q) => q.metadata.requires === 'core'), ...src.coreOnly];
}

/** The osquery flags the pack's queries say they need (their `telemetry:` headers), sorted. */
export function telemetryFlags(src: PackSources): string[] {
  return [...new Set([...src.queries, ...src.coreOnly].flatMap((q) => q.metadata.telemetry))].sort();
}

/** A query's SQL with the baseline, the indicator catalogs and the telemetry the pack needs rendered in. */
export function renderedSql(src: PackSources, q: PackQuery): string {
  return renderSql(q.sql, { baseline: src.baseline, telemetry: telemetryFlags(src) }, q.source);
}
