// Attack scenarios: miners hiding behind look-alike paths and service names, tampered signatures, throttling, a noisy host.
import { MS, host, taskAction, P } from './host.mjs';

export const scenarios = {};

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

scenarios['attack-task-path-spellings'] = {
  story:
    "A miner in ProgramData, started by scheduled tasks that spell its path the ways Windows also opens (%SystemDrive%, forward slashes, a relative path climbing out of System32, an 8.3 short name), and a task named like Google's per-user updater running from the Public profile.",
  host: host({
    processes: [
      P(4950, 'wsvc.exe', 'C:\\ProgramData\\WinSvc\\wsvc.exe', '"C:\\ProgramData\\WinSvc\\wsvc.exe"', 900, 80),
    ],
    sustained: [{ pid: 4950, vector: 'scheduled_task', avg: 81 }],
    tasks: [
      {
        name: 'WinSvc Drive',
        path: '\\',
        action: taskAction(['', '%SystemDrive%\\ProgramData\\WinSvc\\wsvc.exe', '']),
      },
      { name: 'WinSvc Slashes', path: '\\', action: taskAction(['', 'C:/ProgramData/WinSvc/wsvc.exe', '']) },
      {
        name: 'WinSvc Climb',
        path: '\\',
        action: taskAction(['C:\\Windows\\System32', '..\\..\\ProgramData\\WinSvc\\wsvc.exe', '']),
      },
      { name: 'WinSvc Short', path: '\\', action: taskAction(['', 'C:\\PROGRA~3\\WinSvc\\wsvc.exe', '']) },
      {
        name: 'GoogleUpdateTaskUserS-1-5-21-1004336348-1177238915-682003330-1001Core',
        path: '\\',
        action: taskAction(['', 'C:\\Users\\Public\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe', '/c']),
      },
    ],
  }),
  expected: {
    sustained_cpu_launch_chain: [[4950, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK']],
    suspicious_scheduled_tasks: [
      ['WinSvc Drive', 'TASK_USER_WRITABLE,TASK_RUNS_SUSTAINED'],
      ['WinSvc Slashes', 'TASK_USER_WRITABLE,TASK_RUNS_SUSTAINED'],
      ['WinSvc Climb', 'TASK_PATH_OBSCURED'],
      ['WinSvc Short', 'TASK_PATH_OBSCURED'],
      ['GoogleUpdateTaskUserS-1-5-21-1004336348-1177238915-682003330-1001Core', 'TASK_USER_WRITABLE'],
    ],
    composite_finding: [[4950, 'SUSTAINED_CPU,LAUNCH_SCHEDULED_TASK,UNSIGNED_BINARY,USER_WRITABLE_PATH']],
    core_lifetime_cpu: [[4950, 'scheduled_task']],
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
