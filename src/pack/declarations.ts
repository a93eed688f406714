// The extension's own tables as the pack sees them: names, typed columns and
// platforms, taken from the same composition root the extension and the
// embedded host use (src/runtime.ts), so validation checks pack queries
// against what will really be served.
//
// While a table is still being written by its engineer it is not in the
// runtime yet; PENDING holds the column list agreed in its issue until then,
// and pendingNames() says which are in use so the CLI and tests can report it.
import { createRuntime } from '../runtime.js';
import type { ColumnType, TablePlugin } from '../sdk/table.js';
import { ColumnOption } from '../sdk/table.js';

export interface TableDeclaration {
  readonly name: string;
  readonly platforms: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: ColumnType; readonly hidden: boolean }[];
}

const T = 'TEXT' as const;
const I = 'INTEGER' as const;
const B = 'BIGINT' as const;
const D = 'DOUBLE' as const;
type Spec = readonly [string, ColumnType, boolean?];
const pending = (name: string, cols: readonly Spec[]): TableDeclaration => ({
  name,
  platforms: ['windows', 'linux', 'darwin'],
  columns: cols.map(([n, type, hidden]) => ({ name: n, type, hidden: hidden ?? false })),
});

const PENDING: readonly TableDeclaration[] = [
  pending('process_cpu_sustained', [
    ['pid', B], ['start_time', B], ['name', T], ['path', T], ['cmdline', T], ['user', T], ['parent', B],
    ['parent_name', T], ['parent_path', T], ['parent_cmdline', T], ['ancestry', T], ['launch_vector', T],
    ['samples', I], ['observed_seconds', B], ['avg_cpu_percent', D], ['p95_cpu_percent', D], ['max_cpu_percent', D],
    ['seconds_above_threshold', B], ['longest_streak_seconds', B], ['sustained', I], ['first_seen', B], ['last_seen', B],
    ['exited', I], ['approved', I], ['min_cpu_percent', D, true], ['min_duration', B, true],
  ]),
  pending('process_cpu_history', [
    ['pid', B], ['start_time', B], ['name', T], ['path', T], ['sample_time', B], ['cpu_percent', D],
    ['cpu_percent_total', D], ['user_time_ms', B], ['system_time_ms', B], ['resident_size', B], ['threads', I],
  ]),
  pending('process_connection_history', [
    ['pid', B], ['start_time', B], ['name', T], ['protocol', T], ['local_address', T], ['local_port', I],
    ['remote_address', T], ['remote_port', I], ['first_seen', B], ['last_seen', B], ['observed_seconds', B],
    ['samples', I], ['state', T], ['external', I], ['pool_port', I], ['persistent', I],
  ]),
  pending('process_signature_check', [
    ['pid', B], ['name', T], ['path', T], ['on_disk', I], ['size', B], ['sha256', T], ['pe', I],
    ['original_filename', T], ['internal_name', T], ['product_name', T], ['company_name', T],
    ['file_description', T], ['file_version', T], ['renamed', I], ['expected_location', I], ['expected_paths', T],
    ['signed', I], ['signature_status', T], ['signer_subject', T], ['signer_issuer', T], ['digest_algorithm', T],
    ['miner_indicators', T], ['verdict', T], ['reasons', T],
  ]),
];

function fromPlugin(p: TablePlugin): TableDeclaration {
  return {
    name: p.name,
    platforms: p.platforms,
    columns: p.columns.map((c) => ({ name: c.name, type: c.type, hidden: ((c.options ?? 0) & ColumnOption.HIDDEN) !== 0 })),
  };
}

let cached: Promise<{ tables: TableDeclaration[]; pending: string[] }> | null = null;

async function resolve(): Promise<{ tables: TableDeclaration[]; pending: string[] }> {
  // Building the runtime only constructs table objects; nothing is started.
  const runtime = await createRuntime({ mode: 'standalone' });
  const real = runtime.tables.map(fromPlugin);
  const have = new Set(real.map((t) => t.name));
  const missing = PENDING.filter((t) => !have.has(t.name));
  return { tables: [...real, ...missing], pending: missing.map((t) => t.name) };
}

/** Every extension table declaration (real where wired, agreed copy otherwise). */
export async function extensionDeclarations(): Promise<readonly TableDeclaration[]> {
  cached ??= resolve();
  return (await cached).tables;
}

/** Tables still described by the agreed copy rather than their real declaration. */
export async function pendingNames(): Promise<readonly string[]> {
  cached ??= resolve();
  return (await cached).pending;
}
