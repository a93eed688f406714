// The host pack-cost measures on: 500 processes of a busy Windows machine,
// the extension's tables served as table plugins (as the extension serves
// them) and osquery's tables as snapshot tables, on the embedded host. Shared
// by the benchmark and by scripts/pack-cost-compare.ts, which runs two
// versions of the pack's SQL on it.
import { EmbeddedHost } from '../../src/host/host.js';
import type { SnapshotTable } from '../../src/host/snapshot.js';
import { LAUNCH_VECTORS } from '../../src/intel/launch-vectors.js';
import { osqueryTable } from '../../src/intel/osquery-schema.js';
import { bindTable } from '../../src/tables/spec.js';
import { TABLE_SPECS } from '../../src/tables/specs/index.js';
import type { Row, TablePlugin } from '../../src/sdk/table.js';

const VECTORS = Object.keys(LAUNCH_VECTORS);

export const PROCESSES = 500;
/**
 * New script blocks per 5-minute interval (powershell_events is evented: each
 * run sees only blocks logged since the last): one per process, ~1 KB each,
 * far above a workstation's usual rate.
 */
export const SCRIPT_BLOCKS = 500;
const NOW = 1_795_000_000;

const names = [
  'chrome.exe',
  'svchost.exe',
  'Teams.exe',
  'OneDrive.exe',
  'node.exe',
  'code.exe',
  'java.exe',
  'sqlservr.exe',
  'conhost.exe',
  'RuntimeBroker.exe',
];
const folders = [
  'C:\\Windows\\System32\\',
  'C:\\Program Files\\Vendor\\',
  'C:\\Users\\alice\\AppData\\Local\\App\\',
  'C:\\Program Files (x86)\\Tool\\',
];

function snapshot(name: string, rows: Record<string, unknown>[]): SnapshotTable {
  const t = osqueryTable(name);
  if (!t) throw new Error(`not an osquery table: ${name}`);
  const cols = t.columns;
  return {
    name,
    file: `bench:${name}`,
    columns: cols.map((c) => ({ name: c.name, type: c.type })),
    rows: rows.map((r) =>
      Object.fromEntries(cols.map((c) => [c.name, r[c.name] === undefined ? '' : String(r[c.name])])),
    ),
  };
}

const procs = Array.from({ length: PROCESSES }, (_, i) => {
  const name = i % 97 === 13 ? 'xmrig.exe' : names[i % names.length];
  const path = `${folders[i % folders.length]}${name}`;
  const cmdline =
    i % 97 === 13
      ? `${path} --donate-level=1 -o stratum+tcp://pool.example:3333`
      : `"${path}" --type=renderer --lang=en-US --field-trial-handle=${i}`;
  return {
    pid: 1000 + i * 4,
    parent: i === 0 ? 4 : 1000 + Math.floor(i / 3) * 4,
    name,
    path,
    cmdline,
    start_time: NOW - 3600 - i,
    elapsed_time: 3600 + i,
    user_time: (i % 50) * 36_000,
    system_time: 1000,
  };
});

const extRows: Record<string, Row[]> = {
  process_cpu_sustained: procs
    .filter((_, i) => i % 8 === 0)
    .map((p, j) => ({
      ...p,
      cmdline: p.cmdline,
      user: 'DESKTOP\\alice',
      parent_name: 'svchost.exe',
      parent_path: '',
      parent_cmdline: '',
      ancestry: 'services.exe > svchost.exe',
      launch_vector: VECTORS[j % VECTORS.length],
      samples: 360,
      observed_seconds: 3600,
      avg_cpu_percent: 20 + ((j * 7) % 80),
      p95_cpu_percent: 95,
      max_cpu_percent: 99,
      seconds_above_threshold: 3000,
      longest_streak_seconds: 2000,
      sustained: j % 3 === 0 ? 0 : 1,
      first_seen: NOW - 3600,
      last_seen: NOW,
      exited: 0,
      approved: 0,
    })),
  process_cpu_history: [],
  process_connection_history: procs
    .filter((_, i) => i % 3 === 0)
    .map((p, j) => ({
      pid: p.pid,
      start_time: p.start_time,
      name: p.name,
      protocol: 'tcp',
      local_address: '10.0.0.5',
      local_port: 50000 + j,
      remote_address: `198.51.100.${j % 250}`,
      remote_port: j % 11 === 0 ? 3333 : 443,
      first_seen: NOW - 3000,
      last_seen: NOW,
      observed_seconds: 3000,
      samples: 300,
      state: 'ESTABLISHED',
      external: 1,
      pool_port: j % 11 === 0 ? 1 : 0,
      persistent: j % 2,
    })),
  process_signature_check: procs.map((p, i) => ({
    pid: p.pid,
    name: p.name,
    path: p.path,
    on_disk: 1,
    size: 1000,
    sha256: 'ab'.repeat(32),
    pe: 1,
    original_filename: i % 50 === 7 ? 'xmrig.exe' : p.name,
    internal_name: '',
    product_name: '',
    company_name: '',
    file_description: '',
    file_version: '',
    renamed: i % 50 === 7 ? 1 : 0,
    expected_location: 1,
    expected_paths: '',
    signed: i % 4 === 2 ? 0 : 1,
    signature_status: '',
    signer_subject: 'CN=Vendor',
    signer_issuer: '',
    digest_algorithm: 'sha256',
    miner_indicators: '',
    verdict: i % 50 === 7 ? 'renamed' : i % 4 === 2 ? 'suspicious' : 'ok',
    reasons: '',
  })),
};

// file, authenticode and hash answer once per path (osquery needs a path
// constraint for them); many processes share an image.
const images = [...new Map(procs.map((p, i) => [p.path, { ...p, i }])).values()];

const snapshots: SnapshotTable[] = [
  snapshot(
    'processes',
    procs.map((p) => ({ ...p, state: 'STILL_ACTIVE', on_disk: 1, resident_size: 1e7, threads: 9, uid: -1 })),
  ),
  snapshot(
    'process_open_sockets',
    extRows.process_connection_history.map((c) => ({ ...c, family: 2, protocol: 6, fd: -1, socket: -1, path: '' })),
  ),
  snapshot(
    'file',
    images.map((p) => ({ path: p.path, filename: p.name, original_filename: p.name, type: 'regular' })),
  ),
  snapshot(
    'authenticode',
    images.map((p) => ({ path: p.path, subject_name: 'Vendor', result: p.i % 4 === 2 ? 'missing' : 'trusted' })),
  ),
  snapshot(
    'hash',
    images.map((p) => ({ path: p.path, sha256: 'ab'.repeat(32) })),
  ),
  snapshot(
    'scheduled_tasks',
    Array.from({ length: 150 }, (_, i) => ({
      name: `Task ${i}`,
      path: '\\Microsoft\\Windows\\',
      action: `"${procs[i * 3].path}" /run ${i}`,
      enabled: 1,
    })),
  ),
  snapshot('wmi_cli_event_consumers', [
    { name: 'c1', command_line_template: 'C:\\x.exe', relative_path: 'CommandLineEventConsumer.Name="c1"' },
  ]),
  snapshot('wmi_script_event_consumers', [
    { name: 's1', script_text: 'x', relative_path: 'ActiveScriptEventConsumer.Name="s1"' },
  ]),
  snapshot('wmi_event_filters', [{ name: 'f1', query: 'SELECT 1', relative_path: '__EventFilter.Name="f1"' }]),
  snapshot('wmi_filter_consumer_binding', [
    {
      consumer: '\\\\.\\root\\subscription:CommandLineEventConsumer.Name="c1"',
      filter: '\\\\.\\root\\subscription:__EventFilter.Name="f1"',
    },
  ]),
  snapshot(
    'powershell_events',
    Array.from({ length: SCRIPT_BLOCKS }, (_, i) => ({
      script_block_id: `id-${i}`,
      script_text: `Get-Process | Where-Object CPU -gt ${i} | Sort-Object CPU`.repeat(20),
    })),
  ),
  snapshot(
    'osquery_flags',
    ['disable_events', 'enable_windows_events_publisher', 'enable_powershell_events_subscriber'].map((name) => ({
      name,
      value: 'true',
    })),
  ),
  snapshot('time', [{ unix_time: NOW }]),
  snapshot('system_info', [{ hostname: 'DESKTOP-1' }]),
  // osqueryd's worker under its watcher, as osquery_info reports them (the pack spares the watcher's other children).
  snapshot('osquery_info', [
    {
      pid: 2410,
      watcher: 2400,
      version: '5.23.1',
      build_platform: 'windows',
      extensions: 'active',
      start_time: NOW - 86400,
    },
  ]),
  // Schedule's host, so the Task Scheduler lookup (services.pid) is part of what is measured.
  snapshot('services', [
    {
      name: 'Schedule',
      pid: procs[1].pid,
      status: 'RUNNING',
      path: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p',
    },
  ]),
];

/** A fresh embedded host over the fixture's tables; the caller closes it. */
export function packCostHost(): EmbeddedHost {
  const plugins: TablePlugin[] = TABLE_SPECS.map((spec) => bindTable(spec, () => extRows[spec.name] ?? []));
  return new EmbeddedHost({ tables: plugins, snapshots });
}
