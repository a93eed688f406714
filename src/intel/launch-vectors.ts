// How a process was launched, read from its remembered ancestry, as data.
//
// Precedence: the MOST SPECIFIC vector anywhere in the remembered chain wins,
// in the order of LAUNCH_VECTOR_PRECEDENCE; among ancestors of equal vector the
// nearest is reported. Why not "nearest launcher wins": on Windows a task's
// action usually runs through a conduit (svchost -s Schedule -> cmd.exe ->
// powershell.exe -> miner) and on Linux through a shell (crond -> sh -> miner);
// the nearest launcher would say "powershell" or "interactive" and hide the
// scheduled task that AN1489 is about. services.exe and systemd sit above
// nearly everything, so "service" ranks below the specific origins, and pid 1
// counts as a service manager only as the DIRECT parent (otherwise every
// process on Linux would be a "service").

/** What a vector means to the pack: the reason code it adds when AN1489 names it as a launch path. */
interface VectorSpec {
  /** The reason code of an AN1489 launch path (scheduled task, WMI, PowerShell); null for the others. */
  readonly reason: string | null;
}

/**
 * Every launch vector, most specific first (the precedence order); `other` is
 * last and never matched by a rule. The type is derived from this object, so a
 * new vector is one entry here plus its LAUNCH_RULES, and the pack's SQL
 * (markers @launch_vector, @an1489_vector, @launch_reason) follows.
 */
export const LAUNCH_VECTORS = {
  scheduled_task: { reason: 'LAUNCH_SCHEDULED_TASK' },
  wmi: { reason: 'LAUNCH_WMI' },
  powershell: { reason: 'LAUNCH_POWERSHELL' },
  service: { reason: null },
  interactive: { reason: null },
  other: { reason: null },
} as const satisfies Record<string, VectorSpec>;

export type LaunchVector = keyof typeof LAUNCH_VECTORS;

const ALL_VECTORS = Object.keys(LAUNCH_VECTORS) as LaunchVector[];

/** Most specific first; `other` is what no rule matched. */
export const LAUNCH_VECTOR_PRECEDENCE: readonly LaunchVector[] = ALL_VECTORS.filter((v) => v !== 'other');

/** The vectors AN1489 names (those with a reason code), in precedence order, with their codes. */
export const AN1489_VECTORS: readonly { readonly vector: LaunchVector; readonly reason: string }[] =
  ALL_VECTORS.flatMap((v) => {
    const reason: string | null = LAUNCH_VECTORS[v].reason;
    return reason === null ? [] : [{ vector: v, reason }];
  });

export interface LaunchRule {
  readonly vector: LaunchVector;
  /** Process names, compared case-insensitively on the base name. */
  readonly names: readonly string[];
  /** When set, the command line must contain this text (case-insensitive). */
  readonly cmdlineContains?: string;
  /** When set, the rule matches only an ancestor with this pid. */
  readonly pid?: number;
  /** When true, the rule matches only the direct parent. */
  readonly directParentOnly?: boolean;
  readonly why: string;
}

export const LAUNCH_RULES: readonly LaunchRule[] = [
  {
    vector: 'scheduled_task',
    names: ['svchost.exe'],
    cmdlineContains: '-s schedule',
    why: 'Task Scheduler service host',
  },
  {
    vector: 'scheduled_task',
    names: ['taskeng.exe', 'taskhostw.exe', 'taskhost.exe'],
    why: 'Task Scheduler engine / task host',
  },
  { vector: 'scheduled_task', names: ['cron', 'crond', 'anacron', 'atd', 'fcron'], why: 'Unix job schedulers' },
  { vector: 'wmi', names: ['wmiprvse.exe', 'scrcons.exe'], why: 'WMI provider host / WMI script event consumer' },
  {
    vector: 'powershell',
    names: ['powershell.exe', 'pwsh.exe', 'powershell_ise.exe', 'pwsh'],
    why: 'PowerShell hosts',
  },
  { vector: 'service', names: ['services.exe'], why: 'Windows Service Control Manager' },
  { vector: 'service', names: ['systemd'], pid: 1, directParentOnly: true, why: 'init starting a unit directly' },
  { vector: 'service', names: ['systemd'], why: 'a per-user or nested systemd service manager (not pid 1)' },
  { vector: 'interactive', names: ['explorer.exe'], why: 'Windows shell' },
  {
    vector: 'interactive',
    names: [
      'sshd',
      'login',
      'bash',
      'sh',
      'zsh',
      'dash',
      'ksh',
      'fish',
      'tcsh',
      'csh',
      'gnome-terminal-server',
      'konsole',
      'xterm',
    ],
    why: 'remote login, terminals and Unix shells',
  },
];

export interface AncestorIdentity {
  readonly pid: number;
  readonly name: string;
  readonly cmdline: string | null;
}

function baseName(name: string): string {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return (slash >= 0 ? name.slice(slash + 1) : name).toLowerCase();
}

function ruleMatches(rule: LaunchRule, a: AncestorIdentity, depth: number): boolean {
  if (rule.directParentOnly && depth !== 0) return false;
  if (rule.pid !== undefined && a.pid !== rule.pid) return false;
  if (rule.pid === undefined && rule.names.includes('systemd') && a.pid === 1) return false;
  if (!rule.names.includes(baseName(a.name))) return false;
  if (rule.cmdlineContains !== undefined) {
    return (a.cmdline ?? '').toLowerCase().replace(/\s+/g, ' ').includes(rule.cmdlineContains);
  }
  return true;
}

/** The launch vector of a process from its ancestors, nearest (parent) first. */
export function launchVector(ancestors: readonly AncestorIdentity[]): LaunchVector {
  let best = LAUNCH_VECTOR_PRECEDENCE.length;
  ancestors.forEach((a, depth) => {
    for (const rule of LAUNCH_RULES) {
      if (!ruleMatches(rule, a, depth)) continue;
      const rank = LAUNCH_VECTOR_PRECEDENCE.indexOf(rule.vector);
      if (rank < best) best = rank;
    }
  });
  return LAUNCH_VECTOR_PRECEDENCE[best] ?? 'other';
}

/**
 * The Task Scheduler's service name. osquery's `services` table gives each
 * running service's host pid (osquery/tables/system/windows/services.cpp:
 * pid = SERVICE_STATUS_PROCESS.dwProcessId from EnumServicesStatusEx), which
 * names Schedule's svchost even when it shares `svchost.exe -k netsvcs` with
 * other services and its command line has no `-s Schedule`.
 */
export const SCHEDULE_SERVICE = 'Schedule';

/** The ancestry text (process_cpu_sustained.ancestry) fragment naming an svchost ancestor with this pid. */
export function svchostAncestor(pid: number): string {
  return ` <- svchost.exe(${pid})`;
}

/**
 * The launch vector once the Schedule service's host pid is known: an
 * ancestor svchost.exe with that pid is the Task Scheduler, and
 * scheduled_task outranks every other vector (LAUNCH_VECTOR_PRECEDENCE).
 * `ancestry` is process_cpu_sustained.ancestry (the process first).
 */
export function withScheduleHost(vector: LaunchVector, ancestry: string, schedulePid: number | null): LaunchVector {
  if (schedulePid === null || schedulePid <= 0) return vector;
  return ancestry.replace(/[A-Z]/g, (c) => c.toLowerCase()).includes(svchostAncestor(schedulePid))
    ? 'scheduled_task'
    : vector;
}
