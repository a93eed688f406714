// The builders every corpus host shares: the processes, services and tasks of a stock Windows 11 host, and helpers for binaries.
import type { HostSpec, Proc, Service, Task } from '../windows-host.js';
import { osqueryTaskAction } from '../../../src/intel/task-action.js';

export const SYS32 = 'C:\\Windows\\System32';
export const MS = 'Microsoft Windows';
export const POOL = { remote: '45.9.20.1', port: 3333 };

interface BaseOptions {
  /** Schedule hosted in the shared netsvcs svchost (no -s Schedule), as on low-memory or older builds. */
  readonly sharedSchedule?: boolean;
  readonly user?: string;
  /** Defender's CPU (a full scan runs it at tens of percent). */
  readonly defenderCpu?: number;
}

export const EXT_PATH = 'C:\\Program Files\\osquery\\extensions\\an1489.ext.exe';
// What the built an1489.ext.exe carries (scripts/version-resource.mjs): its own version resource, no signature until the organisation signs it.
export const EXT_BINARY = { original: 'an1489.ext.exe', version: '0.1.0', signature: 'missing' } as const;

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
      action: osqueryTaskAction(['', '%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe', '']),
    },
    // scheduled_tasks.action starts with the working directory on many vendor tasks.
    {
      name: 'GoogleUpdaterTaskSystem131.0.6759.0{9B3F3B6E}',
      path: '\\GoogleSystem\\GoogleUpdater\\GoogleUpdaterTaskSystem131.0.6759.0{9B3F3B6E}',
      action: osqueryTaskAction([
        'C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\',
        '"C:\\Program Files (x86)\\Google\\GoogleUpdater\\131.0.6759.0\\updater.exe"',
        '--wake --system',
      ]),
    },
    {
      name: 'ScheduledDefrag',
      path: '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag',
      action: osqueryTaskAction(['', '%windir%\\system32\\defrag.exe', '-c -h -o -$']),
    },
  ];
  return { processes, services, tasks };
}

export function host(
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

export const unsigned = (original: string) => ({ original, signature: 'missing' as const });
export const signedBy = (signer: string, original: string) => ({ original, signature: 'trusted' as const, signer });
