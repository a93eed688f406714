// Attack hosts: signed vendor binaries out of place, script hosts and signatures Windows does not trust.
import type { HostSpec } from '../windows-host.js';
import { host, unsigned, signedBy, SYS32, MS, POOL } from './base.js';

export const ATTACK_SIGNED: readonly HostSpec[] = [
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
