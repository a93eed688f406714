// A Windows host as osqueryd 5.23.1 would log it: processes with their CPU
// counters, sockets, binaries (file + authenticode + hash), services,
// scheduled tasks, WMI subscriptions and system_info, written as the results
// log lines of the core-only pack's evidence_* queries (snapshot format, as
// osquery/core/query.cpp serializeQueryLogItem prints it). Column names and
// shapes follow /work/shared/reference/osquery-schema/osquery-5.23.1.json.
import { createHash } from 'node:crypto';

export interface Sock {
  readonly remote: string;
  readonly port: number;
  /** 2 = AF_INET, 23 = AF_INET6 (Windows). */
  readonly family?: 2 | 23;
  readonly protocol?: 6 | 17;
  readonly state?: string;
}

export interface Binary {
  /** VERSIONINFO OriginalFilename; '' when the file has no version resource. */
  readonly original: string;
  readonly version?: string;
  /** osquery authenticode.result. */
  readonly signature: 'trusted' | 'valid' | 'missing' | 'invalid' | 'untrusted' | 'distrusted' | 'unknown';
  readonly signer?: string;
}

export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly path: string;
  readonly cmdline: string;
  readonly user?: string;
  /** CPU, % of one core, while running. */
  readonly cpu: number;
  /** Seconds relative to the log start (negative: already running). */
  readonly start?: number;
  /** Seconds relative to the log start when it exits; undefined = keeps running. */
  readonly end?: number;
  readonly sockets?: readonly Sock[];
  readonly binary?: Binary;
  /** For tests: the reasons composite_finding must give this process (attacks only). */
  readonly expect?: readonly string[];
}

export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly path: string;
  readonly module?: string;
}

export interface Task {
  readonly name: string;
  readonly action: string;
  readonly path: string;
}

export interface WmiConsumer {
  readonly name: string;
  readonly command: string;
  readonly executable: string;
  readonly filterQuery: string;
}

export interface HostSpec {
  readonly id: string;
  readonly hostname: string;
  readonly kind: 'benign' | 'attack';
  readonly summary: string;
  readonly cpus: number;
  readonly processes: readonly Proc[];
  readonly services: readonly Service[];
  readonly tasks: readonly Task[];
  readonly wmi?: readonly WmiConsumer[];
}

export interface LogOptions {
  /** Log start, seconds since the epoch. */
  readonly start: number;
  /** Seconds covered. */
  readonly duration: number;
  /** evidence_processes interval. */
  readonly every: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** osquery's calendarTime: asctime-like UTC, e.g. "Tue Nov 25 02:22:00 2026 UTC". */
export function calendarTime(unix: number): string {
  const d = new Date(unix * 1000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${day} ${mon} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()} UTC`;
}

/** One results-log line in osquery's batched snapshot format. */
export function snapshotLine(
  host: HostSpec,
  query: string,
  unix: number,
  rows: readonly Record<string, string>[],
): string {
  return JSON.stringify({
    snapshot: rows,
    action: 'snapshot',
    name: `pack_an1489-core_${query}`,
    hostIdentifier: host.hostname,
    calendarTime: calendarTime(unix),
    unixTime: unix,
    epoch: 0,
    counter: 0,
    numerics: false,
    decorations: { host_uuid: uuid(host.hostname), hostname: host.hostname },
  });
}

function uuid(s: string): string {
  const h = createHash('sha256').update(s).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const EMPTY_SOCKET = {
  family: '',
  protocol: '',
  local_address: '',
  local_port: '',
  remote_address: '',
  remote_port: '',
  state: '',
};

/** evidence_processes rows at unix time t (processes alive then, and their sockets). */
export function sampleRows(host: HostSpec, opts: LogOptions, t: number): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const socks: Record<string, string>[] = [];
  const rel = t - opts.start;
  for (const p of host.processes) {
    const from = p.start ?? -3600;
    if (rel < from || (p.end !== undefined && rel > p.end)) continue;
    const startTime = opts.start + from;
    const elapsed = t - startTime;
    const cpuMs = Math.round(p.cpu * 10 * elapsed);
    rows.push({
      kind: 'process',
      pid: String(p.pid),
      parent: String(p.ppid),
      name: p.name,
      path: p.path,
      cmdline: p.cmdline,
      start_time: String(startTime),
      elapsed_time: String(elapsed),
      user_time: String(Math.round(cpuMs * 0.85)),
      system_time: String(cpuMs - Math.round(cpuMs * 0.85)),
      resident_size: String(40_000_000 + (p.pid % 97) * 1_000_000),
      threads: String(4 + (p.pid % 13)),
      uid: p.user === 'SYSTEM' || p.user === undefined ? '18' : '1001',
      ...EMPTY_SOCKET,
    });
    for (const [i, s] of (p.sockets ?? []).entries()) {
      const v6 = s.family === 23;
      socks.push({
        kind: 'socket',
        pid: String(p.pid),
        parent: '',
        name: '',
        path: '',
        cmdline: '',
        start_time: '',
        elapsed_time: '',
        user_time: '',
        system_time: '',
        resident_size: '',
        threads: '',
        uid: '',
        family: String(s.family ?? 2),
        protocol: String(s.protocol ?? 6),
        local_address: v6 ? 'fe80::1c2d:3e4f:5a6b:7c8d' : '10.20.30.40',
        local_port: String(49_152 + ((p.pid * 7 + i) % 16_000)),
        remote_address: s.remote,
        remote_port: String(s.port),
        state: s.protocol === 17 ? '' : (s.state ?? 'ESTABLISHED'),
      });
    }
  }
  return [...rows, ...socks];
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** evidence_binaries rows: one per distinct running binary. */
export function binaryRows(host: HostSpec, opts: LogOptions, t: number): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  const rel = t - opts.start;
  for (const p of host.processes) {
    if (p.path === '' || seen.has(p.path) || rel < (p.start ?? -3600) || (p.end !== undefined && rel > p.end)) continue;
    const b = p.binary ?? { original: p.name, signature: 'trusted', signer: 'Microsoft Windows' };
    const filename = p.path.slice(p.path.lastIndexOf('\\') + 1);
    seen.set(p.path, {
      path: p.path,
      filename,
      size: String(100_000 + (sha(p.path).charCodeAt(0) % 50) * 10_000),
      mtime: String(opts.start - 86_400 * 30),
      original_filename: b.original,
      file_version: b.version ?? '10.0.22631.4460',
      product_version: b.version ?? '10.0.22631.4460',
      result: b.signature,
      subject_name: b.signature === 'missing' ? '' : (b.signer ?? ''),
      issuer_name: b.signature === 'missing' ? '' : 'Microsoft Code Signing PCA 2011',
      sha256: sha(`${p.path}|${b.original}|${b.signature}`),
    });
  }
  return [...seen.values()];
}

/** osquery_info as osqueryd's worker reports it: its own pid and its watcher's (the worker's parent). */
export function osqueryInfoRows(host: HostSpec, t0: number): Record<string, string>[] {
  const osqueryd = host.processes.filter((p) => p.name === 'osqueryd.exe');
  const worker = osqueryd.find((p) => osqueryd.some((w) => w.pid === p.ppid));
  if (worker === undefined) return [];
  return [
    { pid: String(worker.pid), watcher: String(worker.ppid), version: '5.23.1', start_time: String(t0 - 86_400) },
  ];
}

/** Every line of the host's log, in time order. */
export function hostLog(host: HostSpec, opts: LogOptions): string[] {
  const lines: string[] = [];
  const t0 = opts.start;
  lines.push(
    snapshotLine(host, 'evidence_system_info', t0, [
      {
        hostname: host.hostname,
        computer_name: host.hostname.toUpperCase(),
        cpu_logical_cores: String(host.cpus),
        cpu_physical_cores: String(Math.max(1, host.cpus / 2)),
        physical_memory: String(16 * 2 ** 30),
      },
    ]),
  );
  lines.push(snapshotLine(host, 'evidence_osquery_info', t0, osqueryInfoRows(host, t0)));
  lines.push(
    snapshotLine(
      host,
      'evidence_services',
      t0,
      host.services.map((s) => ({
        name: s.name,
        display_name: s.name,
        status: 'RUNNING',
        pid: String(s.pid),
        start_type: 'AUTO_START',
        path: s.path,
        module_path: s.module ?? '',
        user_account: 'LocalSystem',
      })),
    ),
  );
  lines.push(
    snapshotLine(
      host,
      'evidence_scheduled_tasks',
      t0,
      host.tasks.map((k) => ({
        name: k.name,
        action: k.action,
        path: k.path,
        enabled: '1',
        state: 'running',
        hidden: '0',
        last_run_time: String(t0 - 60),
        next_run_time: String(t0 + 86_400),
        last_run_code: '0',
      })),
    ),
  );
  const wmi = host.wmi ?? [];
  lines.push(
    snapshotLine(
      host,
      'evidence_wmi_cli_event_consumers',
      t0,
      wmi.map((w) => ({
        name: w.name,
        command_line_template: w.command,
        executable_path: w.executable,
        class: 'CommandLineEventConsumer',
        relative_path: `CommandLineEventConsumer.Name="${w.name}"`,
      })),
    ),
  );
  lines.push(
    snapshotLine(
      host,
      'evidence_wmi_event_filters',
      t0,
      wmi.map((w) => ({
        name: `${w.name}Filter`,
        query: w.filterQuery,
        class: '__EventFilter',
        relative_path: `__EventFilter.Name="${w.name}Filter"`,
      })),
    ),
  );
  lines.push(
    snapshotLine(
      host,
      'evidence_wmi_filter_consumer_binding',
      t0,
      wmi.map((w) => ({
        consumer: `\\\\.\\root\\subscription:CommandLineEventConsumer.Name="${w.name}"`,
        filter: `\\\\.\\root\\subscription:__EventFilter.Name="${w.name}Filter"`,
        class: '__FilterToConsumerBinding',
        relative_path: `__FilterToConsumerBinding.Consumer="CommandLineEventConsumer.Name=\\"${w.name}\\""`,
      })),
    ),
  );
  lines.push(snapshotLine(host, 'evidence_wmi_script_event_consumers', t0, []));
  for (let t = t0; t <= t0 + opts.duration; t += opts.every) {
    lines.push(snapshotLine(host, 'evidence_processes', t, sampleRows(host, opts, t)));
    if ((t - t0) % 600 === 0) lines.push(snapshotLine(host, 'evidence_binaries', t, binaryRows(host, opts, t)));
  }
  return lines;
}
