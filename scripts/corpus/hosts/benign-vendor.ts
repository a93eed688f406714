// Benign hosts: signed vendor components busy in their own folders (per-user and ProgramData).
import type { HostSpec } from '../windows-host.js';
import { host, signedBy, SYS32, MS } from './base.js';
import { osqueryTaskAction } from '../../../src/intel/task-action.js';

export const BENIGN_VENDOR: readonly HostSpec[] = [
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
          action: osqueryTaskAction([
            '',
            'C:\\Users\\alice\\AppData\\Local\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe',
            '/ua /installsource scheduler',
          ]),
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
];
