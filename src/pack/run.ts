// Runs pack queries on the embedded host over a snapshot folder, as osqueryd
// would run them on the host the snapshot came from. Rows of the extension's
// own tables may be in the snapshot too (captured with osqueryi from a host
// running the extension); they are typed from our declarations, not read as
// text, so comparisons like avg_cpu_percent >= 90 behave as in osqueryd.
import { EmbeddedHost } from '../host/host.js';
import { loadSnapshotDir, type SnapshotTable } from '../host/snapshot.js';
import { osqueryTable } from '../intel/osquery-schema.js';
import { renderedSql, type PackSources } from './catalog.js';
import { extensionDeclarations } from './declarations.js';
import type { PackQuery } from './query-file.js';

export type ResultRow = Readonly<Record<string, string | null>>;

export async function loadScenarioTables(dir: string): Promise<SnapshotTable[]> {
  const decls = new Map(extensionDeclarations().map((d) => [d.name, d]));
  const loaded = loadSnapshotDir(dir).map((t) => {
    const d = decls.get(t.name);
    if (!d) return t;
    const columns = d.columns.map((c) => ({ name: c.name, type: c.type }));
    return { ...t, columns };
  });
  // An extension table absent from the snapshot answered no rows; declare it
  // empty so queries over it still prepare.
  const have = new Set(loaded.map((t) => t.name));
  for (const d of decls.values()) {
    if (!have.has(d.name))
      loaded.push({
        name: d.name,
        file: `${dir} (no ${d.name}.json)`,
        columns: d.columns.map((c) => ({ name: c.name, type: c.type })),
        rows: [],
      });
  }
  // Without osquery_info the autoloaded-extension rule would not prepare; an
  // empty one makes it spare nothing, the safe side for an older capture.
  if (!have.has('osquery_info')) {
    const info = osqueryTable('osquery_info');
    if (info)
      loaded.push({
        name: 'osquery_info',
        file: `${dir} (no osquery_info.json)`,
        columns: info.columns.filter((c) => !c.hidden).map((c) => ({ name: c.name, type: c.type })),
        rows: [],
      });
  }
  return loaded;
}

export class PackRunner {
  private constructor(
    private readonly host: EmbeddedHost,
    private readonly src: PackSources,
  ) {}

  static async open(src: PackSources, snapshotDir: string): Promise<PackRunner> {
    return new PackRunner(new EmbeddedHost({ tables: [], snapshots: await loadScenarioTables(snapshotDir) }), src);
  }

  /** Also accepts already-loaded tables (benchmarks build them in memory). */
  static fromTables(src: PackSources, tables: readonly SnapshotTable[]): PackRunner {
    return new PackRunner(new EmbeddedHost({ tables: [], snapshots: tables }), src);
  }

  async run(q: PackQuery): Promise<ResultRow[]> {
    const result = await this.host.query(renderedSql(this.src, q));
    return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i]])));
  }

  close(): void {
    this.host.close();
  }
}
