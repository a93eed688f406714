// The extension's own tables as the pack sees them: names, typed columns and
// platforms, taken from the real table declarations — the composition root
// (src/runtime.ts) first, so validation checks pack queries against what the
// extension and the embedded host will really serve. A table that exists but
// is not wired into the runtime yet is built from its own factory, and
// unwiredNames() reports it so the CLI can say so.
import { createRuntime } from '../runtime.js';
import type { ColumnType, TablePlugin } from '../sdk/table.js';
import { ColumnOption } from '../sdk/table.js';
import { SignatureChecker } from '../signature/checker.js';
import { processSignatureCheckTable } from '../tables/process_signature_check.js';

export interface TableDeclaration {
  readonly name: string;
  readonly platforms: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: ColumnType; readonly hidden: boolean }[];
}

/** Tables the pack relies on that a factory can build without the runtime (constructing only; nothing runs). */
const FACTORIES: readonly (() => TablePlugin)[] = [() => processSignatureCheckTable({ checker: new SignatureChecker() })];

function fromPlugin(p: TablePlugin): TableDeclaration {
  return {
    name: p.name,
    platforms: p.platforms,
    columns: p.columns.map((c) => ({ name: c.name, type: c.type, hidden: ((c.options ?? 0) & ColumnOption.HIDDEN) !== 0 })),
  };
}

let cached: Promise<{ tables: TableDeclaration[]; unwired: string[] }> | null = null;

async function resolve(): Promise<{ tables: TableDeclaration[]; unwired: string[] }> {
  // Building the runtime only constructs table objects; start() is not called.
  const runtime = await createRuntime({ mode: 'standalone' });
  const tables = runtime.tables.map(fromPlugin);
  const have = new Set(tables.map((t) => t.name));
  const unwired: string[] = [];
  for (const make of FACTORIES) {
    const t = fromPlugin(make());
    if (have.has(t.name)) continue;
    tables.push(t);
    unwired.push(t.name);
  }
  return { tables, unwired };
}

/** Every extension table declaration. */
export async function extensionDeclarations(): Promise<readonly TableDeclaration[]> {
  cached ??= resolve();
  return (await cached).tables;
}

/** Tables declared by their factory but not (yet) served by src/runtime.ts. */
export async function unwiredNames(): Promise<readonly string[]> {
  cached ??= resolve();
  return (await cached).unwired;
}
