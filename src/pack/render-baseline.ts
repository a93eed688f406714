// The approved-workload baseline as SQL: names, paths, signers, hashes, host groups and maintenance windows.
import { parseCron, type BaselineSpec, type CronSets } from '../intel/baseline.js';
import { anyGlob, inList, sqlString } from './sql-text.js';

/**
 * SQL that is true when the host's clock (osquery's `time` table, UTC) is
 * inside a window that fired at a minute s with s <= now < s + duration —
 * the same rule as inWindow() in intel/baseline.ts. The minutes of the last
 * `duration` are enumerated with a recursive CTE and each tested against the
 * cron sets; SQLite evaluates this uncorrelated subquery once per query.
 */
function windowSql(sets: CronSets, duration: number): string {
  const t = 'w.m';
  const tests: string[] = [];
  if (sets.minutes.size < 60) tests.push(`(${t} % 60) IN (${inList(sets.minutes)})`);
  if (sets.hours.size < 24) tests.push(`((${t} / 60) % 24) IN (${inList(sets.hours)})`);
  if (sets.months.size < 12)
    tests.push(`CAST(strftime('%m', ${t} * 60, 'unixepoch') AS INTEGER) IN (${inList(sets.months)})`);
  const dom = `CAST(strftime('%d', ${t} * 60, 'unixepoch') AS INTEGER) IN (${inList(sets.daysOfMonth)})`;
  // 1970-01-01 was a Thursday (4, with Sunday = 0).
  const dow = `(((${t} / 1440) + 4) % 7) IN (${inList(sets.daysOfWeek)})`;
  if (!sets.domAny && !sets.dowAny) tests.push(`(${dom} OR ${dow})`);
  else {
    if (!sets.domAny) tests.push(dom);
    if (!sets.dowAny) tests.push(dow);
  }
  const now = '(SELECT unix_time / 60 FROM time)';
  return (
    `EXISTS (WITH RECURSIVE w(m) AS (SELECT ${now} UNION ALL SELECT m - 1 FROM w WHERE m > ${now} - ${duration - 1}) ` +
    `SELECT 1 FROM w WHERE ${tests.length > 0 ? tests.join(' AND ') : '1'})`
  );
}

export interface ApprovedArgs {
  readonly path: string;
  readonly name: string;
  readonly cmdline?: string;
  readonly signer?: string;
  readonly sha256?: string;
}

/** The baseline as one boolean SQL expression over a process's columns. */
export function renderApproved(baseline: BaselineSpec, args: ApprovedArgs): string {
  if (baseline.approved.length === 0) return '0';
  const entries = baseline.approved.map((e) => {
    const parts: string[] = [];
    if (e.names.length) parts.push(anyGlob(args.name, e.names));
    if (e.paths.length) parts.push(anyGlob(args.path, e.paths));
    if (e.cmdlines.length) {
      if (!args.cmdline)
        throw new Error(
          `baseline entry "${e.id}" matches command lines, but this query gives no cmdline= to the approved marker`,
        );
      parts.push(anyGlob(args.cmdline, e.cmdlines));
    }
    if (e.signers.length) {
      // Without a signer column, ask osquery's authenticode (which also
      // resolves catalog signatures) about the process's image.
      parts.push(
        args.signer
          ? anyGlob(args.signer, e.signers)
          : `EXISTS (SELECT 1 FROM authenticode ac WHERE ac.path = ${args.path} AND ac.result = 'trusted' AND ${anyGlob('ac.subject_name', e.signers)})`,
      );
    }
    if (e.sha256.length) {
      const hashes = e.sha256.map(sqlString).join(', ');
      parts.push(
        args.sha256
          ? `lower(${args.sha256}) IN (${hashes})`
          : `(SELECT lower(hh.sha256) FROM hash hh WHERE hh.path = ${args.path}) IN (${hashes})`,
      );
    }
    if (e.host_groups.length) {
      const globs = e.host_groups.flatMap((g) => baseline.host_groups[g] ?? []);
      parts.push(`EXISTS (SELECT 1 FROM system_info si WHERE ${anyGlob('si.hostname', globs)})`);
    }
    if (e.maintenance_windows.length) {
      parts.push(`(${e.maintenance_windows.map((w) => windowSql(parseCron(w.cron), w.duration)).join(' OR ')})`);
    }
    return `(${parts.join(' AND ')})`;
  });
  return `(${entries.join(' OR ')})`;
}
