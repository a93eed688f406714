// Benign scenarios: busy but legitimate Windows workloads that must flag nothing beyond their lifetime CPU.
import { MS, host, taskAction, P } from './host.mjs';

export const scenarios = {};

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
