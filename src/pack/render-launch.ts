// Launch-vector markers: the rules of src/intel/launch-vectors.ts and the Schedule service's host as SQL.
import {
  AN1489_VECTORS,
  LAUNCH_RULES,
  LAUNCH_VECTOR_PRECEDENCE,
  LAUNCH_VECTORS,
  SCHEDULE_SERVICE,
} from '../intel/launch-vectors.js';
import { sqlString } from './sql-text.js';

/**
 * The launch vector of a process from its direct parent (pid, name,
 * cmdline expressions), as the CASE of src/intel/launch-vectors.ts' rules in
 * precedence order: the same answer launchVector() gives for a one-ancestor
 * lineage. Names compare case-insensitively; a cmdline rule compares with
 * runs of spaces and tabs collapsed as launchVector() does.
 */
export function renderLaunchVector(pid: string, name: string, cmdline: string, services = false): string {
  const collapsed = `replace(replace(replace(replace(lower(coalesce(${cmdline}, '')), char(9), ' '), '    ', ' '), '  ', ' '), '  ', ' ')`;
  // services=1: the parent hosting the Schedule service (shared svchost included) is the Task Scheduler.
  const whens: string[] = services ? [`WHEN ${pid} IN ${schedulePids()} THEN 'scheduled_task'`] : [];
  for (const vector of LAUNCH_VECTOR_PRECEDENCE) {
    for (const r of LAUNCH_RULES.filter((x) => x.vector === vector)) {
      const parts = [`lower(${name}) IN (${r.names.map((n) => sqlString(n.toLowerCase())).join(', ')})`];
      if (r.cmdlineContains !== undefined) parts.push(`instr(${collapsed}, ${sqlString(r.cmdlineContains)}) > 0`);
      if (r.pid !== undefined) parts.push(`${pid} = ${r.pid}`);
      // launchVector(): a pid-less systemd rule never matches pid 1 (init has its own rule).
      if (r.pid === undefined && r.names.includes('systemd')) parts.push(`coalesce(${pid}, -1) != 1`);
      whens.push(`WHEN ${parts.join(' AND ')} THEN ${sqlString(vector)}`);
    }
  }
  return `CASE ${whens.join(' ')} ELSE 'other' END`;
}

/** Whether a launch vector is one AN1489 names (scheduled task, WMI, PowerShell). */
export function renderAn1489Vector(expr: string): string {
  return `(${expr} IN (${AN1489_VECTORS.map((v) => sqlString(v.vector)).join(', ')}))`;
}

/**
 * True when text (a task action, a command line) mentions a program of the
 * vector's LAUNCH_RULES, by base name without `.exe` ("powershell -enc" is a
 * common action); a name containing another is left to the shorter one.
 */
export function renderMentionsVector(vector: string, expr: string): string {
  if (!Object.hasOwn(LAUNCH_VECTORS, vector)) throw new Error(`unknown launch vector ${vector}`);
  const stems = [
    ...new Set(
      LAUNCH_RULES.filter((r) => r.vector === vector)
        .flatMap((r) => r.names)
        .map((n) => n.toLowerCase().replace(/\.exe$/, '')),
    ),
  ];
  const needles = stems.filter((s) => !stems.some((o) => o !== s && s.includes(o))).sort();
  if (needles.length === 0) throw new Error(`launch vector ${vector} names no program`);
  return `(${needles.map((n) => `instr(lower(${expr}), ${sqlString(n)}) > 0`).join(' OR ')})`;
}

/** The reason code of an AN1489 launch vector, '' for any other. */
export function renderLaunchReason(expr: string): string {
  return `CASE ${expr} ${AN1489_VECTORS.map((v) => `WHEN ${sqlString(v.vector)} THEN ${sqlString(v.reason)}`).join(' ')} ELSE '' END`;
}

/**
 * The pid of the process hosting the Task Scheduler service, from osquery's
 * `services` table (src/intel/launch-vectors.ts SCHEDULE_SERVICE). The
 * subquery names no outer column, so SQLite runs it (and osquery generates
 * `services`) once per query, not once per row.
 */
function schedulePids(): string {
  return `(SELECT sv_x.pid FROM services AS sv_x WHERE sv_x.name = ${sqlString(SCHEDULE_SERVICE)} AND sv_x.pid > 0)`;
}

/**
 * The launch vector of a process_cpu_sustained row with the Schedule host
 * recognised in its remembered ancestry: withScheduleHost() of
 * src/intel/launch-vectors.ts as SQL (the searched text comes from an
 * uncorrelated subquery, computed once).
 */
export function renderScheduleHostVector(vector: string, ancestry: string): string {
  const needle = `(SELECT ' <- svchost.exe(' || sv_x.pid || ')' FROM services AS sv_x WHERE sv_x.name = ${sqlString(SCHEDULE_SERVICE)} AND sv_x.pid > 0 LIMIT 1)`;
  return `(CASE WHEN instr(lower(coalesce(${ancestry}, '')), coalesce(${needle}, char(1))) > 0 THEN 'scheduled_task' ELSE ${vector} END)`;
}
