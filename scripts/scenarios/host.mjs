// The scenario host builder: a stock Windows host's osquery and extension tables as `osqueryi --json` would print them,
// plus the short forms scenarios use for processes and task actions.
import { osqueryTaskAction } from '../../build/src/intel/task-action.js';
const NOW = Date.UTC(2026, 10, 24, 14, 0, 0) / 1000; // Tuesday 14:00 UTC

export const MS = 'C:\\Windows\\System32\\';
function baseProcesses(now) {
  return [
    { pid: 4, name: 'System', path: '', cmdline: '', parent: 0 },
    { pid: 420, name: 'smss.exe', path: `${MS}smss.exe`, cmdline: '\\SystemRoot\\System32\\smss.exe', parent: 4 },
    {
      pid: 560,
      name: 'csrss.exe',
      path: `${MS}csrss.exe`,
      cmdline: '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows',
      parent: 420,
    },
    { pid: 640, name: 'wininit.exe', path: `${MS}wininit.exe`, cmdline: 'wininit.exe', parent: 420 },
    {
      pid: 700,
      name: 'services.exe',
      path: `${MS}services.exe`,
      cmdline: 'C:\\Windows\\system32\\services.exe',
      parent: 640,
    },
    { pid: 720, name: 'lsass.exe', path: `${MS}lsass.exe`, cmdline: 'C:\\Windows\\system32\\lsass.exe', parent: 640 },
    {
      pid: 900,
      name: 'svchost.exe',
      path: `${MS}svchost.exe`,
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
      parent: 700,
    },
    {
      pid: 960,
      name: 'svchost.exe',
      path: `${MS}svchost.exe`,
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p',
      parent: 700,
    },
    {
      pid: 1010,
      name: 'WmiPrvSE.exe',
      path: `${MS}wbem\\WmiPrvSE.exe`,
      cmdline: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe',
      parent: 960,
    },
    {
      pid: 2000,
      name: 'explorer.exe',
      path: 'C:\\Windows\\explorer.exe',
      cmdline: 'C:\\Windows\\Explorer.EXE',
      parent: 1900,
    },
  ].map((p) => ({ uptime: 86_000, cpu: 0.5, ...p }));
}

/**
 * A host: extra processes (with cpu = lifetime CPU %, uptime seconds), and
 * optional sustained/signature/connection/task/wmi/powershell rows.
 */
export function host(def) {
  const now = def.now ?? NOW;
  const procs = [...baseProcesses(now), ...(def.processes ?? [])];
  const processes = procs.map((p) => {
    const cpuMs = Math.round((p.cpu / 100) * p.uptime * 1000);
    return {
      pid: p.pid,
      name: p.name,
      path: p.path,
      cmdline: p.cmdline,
      state: 'STILL_ACTIVE',
      cwd: '',
      root: '',
      uid: -1,
      gid: -1,
      euid: -1,
      egid: -1,
      suid: -1,
      sgid: -1,
      on_disk: p.path ? 1 : -1,
      wired_size: -1,
      resident_size: 50_000_000,
      total_size: 90_000_000,
      user_time: Math.round(cpuMs * 0.9),
      system_time: Math.round(cpuMs * 0.1),
      disk_bytes_read: 0,
      disk_bytes_written: 0,
      start_time: now - p.uptime,
      parent: p.parent,
      pgroup: -1,
      threads: 8,
      nice: 32,
      elevated_token: 0,
      secure_process: 0,
      protection_type: '',
      virtual_process: 0,
      elapsed_time: p.uptime,
      handle_count: 300,
      percent_processor_time: cpuMs * 10_000,
    };
  });
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const sustained = (def.sustained ?? []).map((s) => {
    const p = byPid.get(s.pid);
    const parent = byPid.get(p.parent);
    return {
      pid: p.pid,
      start_time: now - p.uptime,
      name: p.name,
      path: p.path,
      cmdline: p.cmdline,
      user: s.user ?? 'DESKTOP\\alice',
      parent: p.parent,
      parent_name: parent?.name ?? s.parent_name ?? '',
      parent_path: parent?.path ?? '',
      parent_cmdline: parent?.cmdline ?? '',
      ancestry: s.ancestry ?? [parent?.name ?? s.parent_name ?? '', p.name].join(' > '),
      launch_vector: s.vector,
      samples: Math.floor(Math.min(p.uptime, 7200) / 10),
      observed_seconds: Math.min(p.uptime, 7200),
      avg_cpu_percent: s.avg,
      p95_cpu_percent: Math.min(100, s.avg + 3),
      max_cpu_percent: Math.min(100, s.avg + 6),
      seconds_above_threshold: Math.min(p.uptime, 7200) - 60,
      longest_streak_seconds: Math.min(p.uptime, 7200) - 120,
      sustained: 1,
      first_seen: now - Math.min(p.uptime, 7200),
      last_seen: now,
      exited: 0,
      approved: 0,
    };
  });
  const signatures = procs
    .filter((p) => p.path)
    .map((p) => {
      const o = (def.signatures ?? {})[p.pid] ?? {};
      const ms = p.path.toLowerCase().startsWith('c:\\windows\\') && !o.unsigned;
      const signed = (o.signed ?? (ms || (o.signer ? 1 : 0))) ? 1 : 0;
      return {
        pid: p.pid,
        name: p.name,
        path: p.path,
        on_disk: 1,
        size: 500_000,
        sha256: 'ab'.repeat(32),
        pe: 1,
        original_filename: o.original ?? p.name,
        internal_name: (o.original ?? p.name).replace(/\.exe$/i, ''),
        product_name: o.product ?? '',
        company_name: o.company ?? (ms ? 'Microsoft Corporation' : ''),
        file_description: '',
        file_version: '1.0.0.0',
        renamed: o.renamed ?? 0,
        expected_location: o.expected ?? 1,
        expected_paths: '',
        signed,
        signature_status: o.status ?? (signed ? 'valid' : 'missing'),
        signer_subject: signed ? (o.signer ?? 'CN=Microsoft Windows') : '',
        signer_issuer: signed ? 'CN=Microsoft Windows Production PCA 2011' : '',
        digest_algorithm: signed ? 'sha256' : '',
        miner_indicators: o.miner ?? '',
        verdict: o.verdict ?? 'ok',
        reasons: o.reasons ?? '',
      };
    });
  // osquery's authenticode returns no row when verification errors (def.unverifiable).
  const authenticode = [
    ...new Map(signatures.filter((s) => !(def.unverifiable ?? []).includes(s.pid)).map((s) => [s.path, s])).values(),
  ].map((s) => ({
    path: s.path,
    original_program_name: '',
    serial_number: '',
    issuer_name: s.signer_issuer,
    subject_name: s.signer_subject.replace(/^CN=/, ''),
    result:
      ((def.signatures ?? {})[s.pid] ?? {}).authenticode ??
      ((def.catalogSigned ?? []).includes(s.pid) || s.signed ? 'trusted' : 'missing'),
  }));
  const images = [...new Map(procs.filter((p) => p.path).map((p) => [p.path, p])).values()];
  const files = images.map((p) => ({
    path: p.path,
    directory: p.path.slice(0, p.path.lastIndexOf('\\')),
    filename: p.name,
    inode: 0,
    uid: 0,
    gid: 0,
    mode: '',
    device: 0,
    size: 500_000,
    block_size: 4096,
    atime: now,
    mtime: now - 864000,
    ctime: now - 864000,
    btime: now - 864000,
    hard_links: 1,
    symlink: 0,
    type: 'regular',
    attributes: 'A',
    volume_serial: '1234-ABCD',
    file_id: '0x1',
    file_version: '1.0.0.0',
    product_version: '1.0.0.0',
    original_filename: ((def.signatures ?? {})[p.pid] ?? {}).original ?? p.name,
    shortcut_target_path: '',
    shortcut_target_type: '',
    shortcut_target_location: '',
    shortcut_start_in: '',
    shortcut_run: '',
    shortcut_comment: '',
  }));
  const connections = (def.connections ?? []).map((c) => {
    const p = byPid.get(c.pid);
    return {
      pid: c.pid,
      start_time: now - p.uptime,
      name: p.name,
      protocol: 'tcp',
      local_address: '10.0.0.5',
      local_port: 49800 + (c.remote_port % 100),
      remote_address: c.remote,
      remote_port: c.remote_port,
      first_seen: now - 3600,
      last_seen: now,
      observed_seconds: 3600,
      samples: 360,
      state: 'ESTABLISHED',
      external: c.external ?? 1,
      pool_port: c.pool ?? 0,
      persistent: c.persistent ?? 1,
    };
  });
  const sockets = [
    ...(def.connections ?? []).map((c) => ({
      pid: c.pid,
      fd: -1,
      socket: -1,
      family: 2,
      protocol: 6,
      local_address: '10.0.0.5',
      remote_address: c.remote,
      local_port: 49800 + (c.remote_port % 100),
      remote_port: c.remote_port,
      path: '',
      state: 'ESTABLISHED',
    })),
    ...(def.sockets ?? []).map((o) => ({
      fd: -1,
      socket: -1,
      family: 2,
      protocol: 6,
      local_address: '10.0.0.5',
      local_port: 49900,
      path: '',
      state: 'ESTABLISHED',
      ...o,
    })),
  ];
  const flags = Object.entries({
    disable_events: 'false',
    enable_windows_events_publisher: 'true',
    enable_windows_events_subscriber: 'true',
    enable_powershell_events_subscriber: 'true',
    enable_process_etw_events: 'false',
    extensions_autoload: 'C:\\Program Files\\osquery\\extensions.load',
    ...(def.flags ?? {}),
  }).map(([name, value]) => ({ name, type: 'bool', description: '', default_value: 'false', value, shell_only: 0 }));
  const d = new Date(now * 1000);
  const tables = {
    processes,
    file: files,
    authenticode,
    process_open_sockets: sockets,
    osquery_flags: flags,
    scheduled_tasks: (def.tasks ?? []).map((t) => ({
      enabled: 1,
      state: 'ready',
      hidden: 0,
      last_run_time: now - 600,
      next_run_time: now + 3000,
      last_run_message: '',
      last_run_code: 0,
      ...t,
    })),
    wmi_cli_event_consumers: def.wmiCli ?? [],
    wmi_script_event_consumers: def.wmiScript ?? [],
    wmi_event_filters: def.wmiFilters ?? [],
    wmi_filter_consumer_binding: def.wmiBindings ?? [],
    powershell_events: (def.powershell ?? []).map((e) => ({
      time: now - 500,
      datetime: '',
      script_block_count: 1,
      script_name: '',
      script_path: '',
      cosine_similarity: 0,
      ...e,
    })),
    services: def.services ?? [],
    hash: images.map((s) => ({ path: s.path, directory: '', md5: '', sha1: '', sha256: 'ab'.repeat(32) })),
    system_info: [
      {
        hostname: def.hostname ?? 'DESKTOP-7Q2',
        uuid: '4C4C4544-0042',
        cpu_type: 'x86_64',
        cpu_brand: 'Intel',
        cpu_physical_cores: 4,
        cpu_logical_cores: 8,
        cpu_sockets: 1,
        physical_memory: 17179869184,
        hardware_vendor: 'Dell Inc.',
        hardware_model: 'OptiPlex 7090',
        computer_name: def.hostname ?? 'DESKTOP-7Q2',
      },
    ],
    time: [
      {
        weekday: d.toUTCString().slice(0, 3),
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minutes: d.getUTCMinutes(),
        seconds: d.getUTCSeconds(),
        timezone: 'UTC',
        local_timezone: 'UTC',
        unix_time: now,
        timestamp: d.toUTCString(),
        datetime: d.toISOString(),
        iso_8601: d.toISOString(),
        win_timestamp: 0,
      },
    ],
    // osqueryd's worker (6010) under its watcher (6000); neither is among the scenario's processes.
    osquery_info: [
      {
        pid: 6010,
        uuid: '4C4C4544-0042',
        instance_id: 'b7a1c7e2-0f0e-4d4e-9a55-3f1d2c0b9e11',
        version: '5.23.1',
        config_hash: '',
        config_valid: 1,
        extensions: 'active',
        build_platform: 'windows',
        build_distro: '10',
        start_time: now - 86400,
        watcher: 6000,
        platform_mask: 2,
      },
    ],
    process_cpu_sustained: sustained,
    process_signature_check: signatures,
    process_connection_history: connections,
  };
  return tables;
}

// osquery's own text for a task (src/intel/task-action.ts).
export const taskAction = osqueryTaskAction;
export const P = (pid, name, path, cmdline, parent, cpu, uptime = 7200) => ({
  pid,
  name,
  path,
  cmdline,
  parent,
  cpu,
  uptime,
});
