// Rendering turns a pack query's SQL-with-markers into the SQL osqueryd runs.
// A marker is written as a placeholder value followed by a comment, e.g.
//   AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
// so the unrendered file is still valid SQL (the placeholder is what an
// empty catalog means), and the rendered one carries the organisation's
// baseline and the catalogs of src/intel inline (the same data the extension
// judges by) — Fleet and osqueryd have no include mechanism, so the data must
// be in the query text itself.
import { asciiLower, parseCron, type BaselineSpec, type CronSets } from '../intel/baseline.js';
import { IPV4_INTERNAL, IPV6_INTERNAL, MINING_POOL_PORTS } from '../intel/network.js';
import { AUTHENTICODE_NOT_VALIDLY_SIGNED } from './conformance/osquery.js';
import { CPU_BAND_BELOW, CPU_BANDS } from '../intel/cpu-bands.js';
import { ENV_FOLDERS, SPOOFED_FOLDER_GLOBS, SYSTEM_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import {
  AN1489_VECTORS,
  LAUNCH_RULES,
  LAUNCH_VECTOR_PRECEDENCE,
  LAUNCH_VECTORS,
  SCHEDULE_SERVICE,
} from '../intel/launch-vectors.js';
import { LOCATION_CATALOG } from '../intel/locations.js';
import { MINER_CMDLINE_EXCLUDE, MINER_FAMILIES, type MinerFamily } from '../intel/miner-catalog.js';
import { VENDOR_COMPONENTS, VENDOR_TASKS } from '../intel/vendor-components.js';
import { CODE_HOSTS } from '../intel/code-hosts.js';
import { RENAME_EXCEPTIONS } from '../intel/rename-exceptions.js';

/** An SQL string literal; the only quoting SQLite needs is doubling `'`. */
export function sqlString(s: string): string {
  if (s.includes('\0')) throw new Error('NUL cannot appear in an SQL literal');
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * GLOB pattern for a baseline glob: lower-cased, with `[` made literal and
 * `$` written as the class `[$]`, so no `$` is ever followed by a name:
 * fleetctl gitops expands `$name` and unescapes `\$` in every file it reads
 * (src/pack/conformance/fleet-env.ts), which would turn `?:\$recycle.bin\*`
 * into a glob that never matches.
 */
function sqlGlob(pattern: string): string {
  return sqlString(asciiLower(pattern).replace(/\[/g, '[[]').replace(/\$/g, '[$]'));
}

function anyGlob(expr: string, globs: readonly string[]): string {
  return `(${globs.map((g) => `lower(${expr}) GLOB ${sqlGlob(g)}`).join(' OR ')})`;
}

/**
 * True when `expr` names a user-writable folder anywhere in it: a drive path
 * of USER_WRITABLE_FOLDERS, or an unexpanded environment variable that
 * expands to one (osquery reports scheduled_tasks.action with variables left
 * as the task stores them, and the working directory first).
 */
function userWritableIn(expr: string): string {
  const globs = USER_WRITABLE_FOLDERS.map((g) => `lower(${expr}) GLOB ${sqlGlob(`*${g}`)}`);
  const vars = [...new Set(ENV_FOLDERS.filter((e) => e.userWritable).map((e) => e.var))].map(
    (v) => `instr(lower(${expr}), ${sqlString(v)}) > 0`,
  );
  return `(${[...globs, ...vars].join(' OR ')})`;
}

/**
 * True when `text` (an action or command line) names the file `path`: its
 * full path, or its spelling through an environment variable of
 * ENV_FOLDERS (%APPDATA%\x\m.exe for C:\Users\a\AppData\Roaming\x\m.exe).
 */
function namesPath(text: string, path: string): string {
  const t = `lower(${text})`;
  const p = `lower(${path})`;
  const viaVar = ENV_FOLDERS.filter((e) => e.folder).map((e) => {
    const f = sqlString(e.folder!);
    return `(instr(${p}, ${f}) > 0 AND instr(${t}, ${sqlString(e.var)} || substr(${p}, instr(${p}, ${f}) + ${e.folder!.length - 1})) > 0)`;
  });
  return `(instr(${t}, ${p}) > 0 OR ${viaVar.join(' OR ')})`;
}

function inList(values: Iterable<number>): string {
  return [...values].sort((a, b) => a - b).join(', ');
}

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

interface ApprovedArgs {
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

/** A LIKE pattern matching text that contains `needle` (ESCAPE '\\'). */
function containsPattern(needle: string): string {
  return sqlString(`%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/**
 * Any needle in subject. Case-insensitive needles use LIKE (ASCII
 * case-insensitive in SQLite and osquery, and several times faster than
 * instr over lower(), which allocates a copy and counts UTF-8 characters);
 * case-sensitive ones (base64) use instr on the raw text. Needles sharing a
 * two-character prefix (the `--` of miner options, `st` of stratum URLs) are
 * tried only when their common prefix is present, so text without it — most
 * command lines and script blocks — is scanned once per group.
 */
function search(subject: string, needles: readonly string[], caseSensitive: boolean): string {
  const find = (n: string) =>
    caseSensitive ? `instr(${subject}, ${sqlString(n)}) > 0` : `${subject} LIKE ${containsPattern(n)} ESCAPE '\\'`;
  const groups = new Map<string, string[]>();
  for (const n of needles) {
    const key = caseSensitive ? n.slice(0, 2) : asciiLower(n.slice(0, 2));
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.values()]
    .map((g) => (g.length === 1 ? find(g[0]) : `(${find(commonPrefix(g))} AND (${g.map(find).join(' OR ')}))`))
    .join(' OR ');
}

function commonPrefix(words: readonly string[]): string {
  let p = words[0] ?? '';
  for (const w of words) while (!asciiLower(w).startsWith(asciiLower(p))) p = p.slice(0, -1);
  return p;
}

function minerTest(f: MinerFamily, subject: string): string {
  const needles = search(subject, f.contains, f.caseSensitive);
  // Sigma's exclusion (a build compiling pool.c) silences the case-insensitive substrings, as in scanCommandLine.
  const counted = f.caseSensitive
    ? needles
    : `((${needles}) AND NOT (${search(subject, MINER_CMDLINE_EXCLUDE, false)}))`;
  return `(${f.hosts?.length ? `${counted} OR ${search(subject, f.hosts, false)}` : counted})`;
}

export function renderMinerMatch(expr: string, families: readonly MinerFamily[] = MINER_FAMILIES): string {
  const e = `coalesce(${expr}, '')`;
  return `(${families.map((m) => minerTest(m, e)).join(' OR ')})`;
}

/** The codes of every indicator family found, comma-separated in catalog order. */
export function renderMinerReasons(expr: string, families: readonly MinerFamily[] = MINER_FAMILIES): string {
  const e = `coalesce(${expr}, '')`;
  return `rtrim(${families.map((m) => `CASE WHEN ${minerTest(m, e)} THEN '${m.code},' ELSE '' END`).join(' || ')}, ',')`;
}

/** The CPU band CASE over a percentage expression (src/intel/cpu-bands.ts). */
export function renderCpuBand(expr: string): string {
  return `CASE ${CPU_BANDS.map((b) => `WHEN ${expr} >= ${b.min} THEN ${sqlString(b.label)}`).join(' ')} ELSE ${sqlString(CPU_BAND_BELOW)} END`;
}

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

/**
 * True when a peer address (lower case, IPv4-mapped IPv6 already reduced to
 * its IPv4 text) is in the non-internet space of src/intel/network.ts, or is
 * no peer at all ('' and UDP's '0'). String tests only: osquery's
 * in_cidr_block raises an error on an IPv6 address against an IPv4 block
 * (sqlite_network.cpp), which would fail the whole query. IPv6 prefixes are
 * matched on a first group of four digits, as Windows prints them.
 */
export function renderInternalAddress(expr: string): string {
  const v4 = IPV4_INTERNAL.map(([net, len]) => {
    const octets = net.split('.').map(Number);
    const whole = Math.floor(len / 8);
    const fixed = octets
      .slice(0, whole)
      .map((o) => `${o}.`)
      .join('');
    if (len === 32) return `${expr} = ${sqlString(net)}`;
    if (len % 8 === 0) return `${expr} GLOB ${sqlGlob(`${fixed}*`)}`;
    const lo = octets[whole] & ((0xff << (8 - (len % 8))) & 0xff);
    const hi = lo + (1 << (8 - (len % 8))) - 1;
    const octet = whole === 0 ? `CAST(${expr} AS INTEGER)` : `CAST(substr(${expr}, ${fixed.length + 1}) AS INTEGER)`;
    return `(${expr} GLOB ${sqlGlob(`${fixed}*.*`)} AND instr(${expr}, ':') = 0 AND ${octet} BETWEEN ${lo} AND ${hi})`;
  });
  const v6 = IPV6_INTERNAL.map(([net, len]) => {
    const hex = net.toString(16).padStart(4, '0');
    let glob = '';
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(4, len - 4 * i));
      const nib = parseInt(hex[i], 16) & ((0xf << (4 - bits)) & 0xf);
      const digits = Array.from({ length: 1 << (4 - bits) }, (_, k) => (nib + k).toString(16));
      glob += digits.length === 1 ? digits[0] : digits.length === 16 ? '[0-9a-f]' : `[${digits.join('')}]`;
    }
    return `${expr} GLOB '${glob}:*'`;
  });
  return `(${expr} IN ('', '0', '::', '::1') OR ${[...v4, ...v6].join(' OR ')})`;
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
 * True when a process whose image name is catalogued in LOCATION_CATALOG runs
 * from a folder the catalog does not give it: judgeLocation() of
 * src/intel/locations.ts over osquery's canonical Win32 path, with `name` the
 * image's file name (osquery's processes.name). A `*` pattern matches within one segment (same backslash
 * count), a final `\**` the folder and everything below; a path with a
 * spoofed folder or an 8.3 short name is never where it belongs (judgeLocation
 * is unsure of it).
 */
export function renderLocationUnexpected(name: string, path: string): string {
  const n = `lower(${name})`;
  const lp = `lower(${path})`;
  // With the path ending in \<name>, "under body" is a prefix test on the path
  // itself, and "directly in body" also fixes its number of backslashes.
  const depth = `(length(${path}) - length(replace(${path}, '\\', '')))`;
  const dirTest = (pattern: string): string => {
    const subtree = pattern.endsWith('\\**');
    const body = subtree ? pattern.slice(0, -3) : pattern;
    if (body.includes('**') || (subtree && body.includes('*')))
      throw new Error(`location pattern ${pattern}: unsupported shape`);
    const under = `${lp} GLOB ${sqlGlob(`${body}\\*`)}`;
    if (subtree) return under;
    if (!body.includes('*') && !body.includes('$')) return `${lp} = ${sqlString(`${body}\\`)} || ${n}`;
    return `(${under} AND ${depth} = ${[...body].filter((c) => c === '\\').length + 1})`;
  };
  // Folders that admit the same names share one clause, and a clause admitting
  // every catalogued name needs no name list: the SQL stays small enough to
  // prepare quickly on each run.
  const all = [...LOCATION_CATALOG.keys()].sort();
  const namesOf = new Map<string, string[]>();
  for (const [file, dirs] of LOCATION_CATALOG) for (const d of dirs) namesOf.set(d, [...(namesOf.get(d) ?? []), file]);
  const clauses = new Map<string, string[]>();
  for (const [d, files] of namesOf) {
    const key = JSON.stringify([...new Set(files)].sort());
    clauses.set(key, [...(clauses.get(key) ?? []), d]);
  }
  const expected = [...clauses].map(([key, dirs]) => {
    const files = JSON.parse(key) as string[];
    const where = dirs.sort().map(dirTest).join(' OR ');
    return files.length === all.length ? `(${where})` : `((${where}) AND ${n} IN (${files.map(sqlString).join(', ')}))`;
  });
  const placed = `substr(lower(${path}), -length(${name}) - 1) = '\\' || ${n}`;
  const unsure = `${anyGlob(path, SPOOFED_FOLDER_GLOBS)} OR ${lp} GLOB '*~[0-9]*\\*'`;
  return `(${n} IN (${all.map(sqlString).join(', ')}) AND (NOT (${placed}) OR ${unsure} OR NOT (${expected.join(' OR ')})))`;
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

/** vendorNameMisplaced() of src/intel/vendor-components.ts: 1, 0, or 0 for an uncatalogued name. */
export function renderVendorMisplaced(path: string): string {
  const p = `lower(${path})`;
  const whens = VENDOR_COMPONENTS.map(
    (v) => `WHEN ${p} GLOB ${sqlGlob(`*\\${v.name}`)} THEN NOT ${anyGlob(path, v.paths)}`,
  );
  return `(CASE ${whens.join(' ')} ELSE 0 END)`;
}

/** isVendorTask() of src/intel/vendor-components.ts. */
export function renderVendorTask(name: string, action: string): string {
  const entries = VENDOR_TASKS.map(
    (t) => `(lower(${name}) GLOB ${sqlGlob(t.name)} AND lower(${action}) GLOB ${sqlGlob(t.action)})`,
  );
  return `(instr(${action}, ',') = 0 AND (${entries.join(' OR ')}))`;
}

/** sameProgram() of src/intel/rename-exceptions.ts (on-disk name, OriginalFilename). */
export function renderSameProgram(name: string, original: string): string {
  const n = `lower(${name})`;
  const raw = `lower(trim(${original}))`;
  const o = `(CASE WHEN ${raw} GLOB '*.mui' THEN substr(${raw}, 1, length(${raw}) - 4) ELSE ${raw} END)`;
  const exceptions = RENAME_EXCEPTIONS.map(
    (e) =>
      `(${e.onDisk === '*' ? '1' : `${n} = ${sqlString(e.onDisk.toLowerCase())}`} AND ${o} = ${sqlString(e.original.toLowerCase())})`,
  );
  const apphost = `(${o} GLOB '*.dll' AND ${n} GLOB '*.exe' AND substr(${o}, 1, length(${o}) - 4) = substr(${n}, 1, length(${n}) - 4))`;
  return `(${o} = ${n} OR ${apphost} OR ${exceptions.join(' OR ')})`;
}

/** isCodeHost() of src/intel/code-hosts.ts. */
export function renderCodeHost(path: string): string {
  return `(${CODE_HOSTS.map((n) => `lower(${path}) GLOB ${sqlGlob(`*\\${n}`)}`).join(' OR ')})`;
}

/**
 * A binary whose signature vouches for it (docs/siem.md "What lowers a
 * score"): Windows trusts its signature (authenticode result 'trusted',
 * catalog signatures included) or our reader chained it to the configured
 * trust bundle; our reader did not find it tampered; it is not renamed, not a
 * system or vendor name out of place, and not a host of others' code. A
 * signature that is merely present, or only cryptographically 'valid', is
 * not enough.
 */
function renderVouched(a: {
  status: string;
  result: string;
  renamed: string;
  verdict: string;
  path: string;
  misplaced?: string;
}): string {
  return (
    `((${a.result} = 'trusted' OR ${a.status} = 'trusted') AND coalesce(${a.status}, '') NOT IN ('tampered', 'invalid')` +
    ` AND coalesce(${a.renamed}, 0) = 0 AND coalesce(${a.verdict}, '') NOT IN ('masquerade', 'renamed')` +
    ` AND NOT ${a.misplaced ?? renderVendorMisplaced(a.path)} AND NOT ${renderCodeHost(a.path)})`
  );
}

/**
 * The pids of `from` (a CTE with pid and path) whose signature vouches for
 * them, as the body of an IN list (`pid NOT IN (0 <marker vouched_pids from=x>)`).
 * The subquery is uncorrelated, so SQLite runs it once; process_signature_check
 * is read whole, once (a join on pid could ask the table again per row), and
 * authenticode only for the paths of `from`.
 */
export function renderVouchedPids(from: string): string {
  return (
    `WITH vp_k AS MATERIALIZED (SELECT pid, verdict, renamed, signature_status FROM process_signature_check)` +
    ` SELECT vp_k.pid FROM ${from} AS vp_v JOIN vp_k ON vp_k.pid = vp_v.pid LEFT JOIN authenticode AS vp_a ON vp_a.path = vp_v.path` +
    ` WHERE ${renderVouched({ status: 'vp_k.signature_status', result: 'vp_a.result', renamed: 'vp_k.renamed', verdict: 'vp_k.verdict', path: 'vp_v.path' })}`
  );
}

/**
 * Whether pid is an extension osqueryd itself launched from its autoload list:
 * osquery's WatcherRunner (osquery/core/watcher.cpp createExtension) starts
 * each one as its own child after checking the binary's permissions are safe
 * (admin-owned), and runs in the watcher process, or in the only osqueryd
 * process when the watchdog is off (osquery/core/init.cpp). osquery_info.watcher
 * is that watcher's pid, or -1 without one (osquery/tables/utility/osquery.cpp
 * genOsqueryInfo); the worker, also the watcher's child, is osquery_info.pid.
 * The parent link is the claim: no name or folder, which a miner can borrow.
 */
export function renderOsqueryAutoloaded(pid: string): string {
  return (
    `(${pid} IN (SELECT oq_x.pid FROM processes AS oq_x, osquery_info AS oq_i` +
    ` WHERE oq_x.parent = CASE WHEN oq_i.watcher > 0 THEN oq_i.watcher ELSE oq_i.pid END AND oq_x.pid != oq_i.pid))`
  );
}

export interface RenderInputs {
  readonly baseline: BaselineSpec;
}

const MARKER = /(0|'')\s*\/\*@([a-z][a-z0-9_]*)((?:\s+[a-z0-9_]+=[^\s*]+)*)\s*\*\//g;

/** Replaces every marker; an unknown marker or argument is an error, never left in place. */
export function renderSql(sql: string, inputs: RenderInputs, source = 'query'): string {
  return sql.replace(MARKER, (_all, _placeholder: string, kind: string, argText: string) => {
    const args: Record<string, string> = {};
    for (const m of argText.trim().split(/\s+/).filter(Boolean)) {
      const eq = m.indexOf('=');
      args[m.slice(0, eq)] = m.slice(eq + 1);
    }
    const need = (k: string): string => {
      const v = args[k];
      if (!v) throw new Error(`${source}: marker @${kind} needs ${k}=`);
      return v;
    };
    switch (kind) {
      case 'approved':
        return renderApproved(inputs.baseline, {
          path: need('path'),
          name: need('name'),
          cmdline: args.cmdline,
          signer: args.signer,
          sha256: args.sha256,
        });
      case 'miner_match':
        return renderMinerMatch(need('expr'));
      case 'miner_reasons':
        return renderMinerReasons(need('expr'));
      case 'user_writable':
        return anyGlob(need('expr'), USER_WRITABLE_FOLDERS);
      case 'user_writable_in':
        return userWritableIn(need('expr'));
      case 'names_path':
        return namesPath(need('text'), need('path'));
      case 'spoofed_folder':
        return anyGlob(need('expr'), SPOOFED_FOLDER_GLOBS);
      case 'pool_port':
        // The same list the connection table judges pool_port by.
        return `(${need('expr')} IN (${MINING_POOL_PORTS.join(', ')}))`;
      case 'not_validly_signed':
        // A path authenticode could not verify has no row: unknown, not unsigned.
        return `(${need('expr')} IN (${AUTHENTICODE_NOT_VALIDLY_SIGNED.map(sqlString).join(', ')}))`;
      case 'cpu_band':
        return renderCpuBand(need('expr'));
      case 'launch_vector':
        return renderLaunchVector(need('pid'), need('name'), need('cmdline'), args.services === '1');
      case 'schedule_host_vector':
        return renderScheduleHostVector(need('vector'), need('ancestry'));
      case 'vendor_misplaced':
        return renderVendorMisplaced(need('expr'));
      case 'vendor_task':
        return renderVendorTask(need('name'), need('action'));
      case 'same_program':
        return renderSameProgram(need('name'), need('original'));
      case 'code_host':
        return renderCodeHost(need('expr'));
      case 'vouched_pids':
        return renderVouchedPids(need('from'));
      case 'vouched':
        return renderVouched({
          status: need('status'),
          result: need('result'),
          renamed: need('renamed'),
          verdict: need('verdict'),
          path: need('path'),
          misplaced: args.misplaced,
        });
      case 'system_path':
        return anyGlob(need('expr'), SYSTEM_FOLDERS);
      case 'internal_address':
        return renderInternalAddress(need('expr'));
      case 'an1489_vector':
        return renderAn1489Vector(need('expr'));
      case 'mentions_vector':
        return renderMentionsVector(need('vector'), need('expr'));
      case 'launch_reason':
        return renderLaunchReason(need('expr'));
      case 'location_unexpected':
        return renderLocationUnexpected(need('name'), need('path'));
      case 'osquery_autoloaded':
        return renderOsqueryAutoloaded(need('pid'));
      default:
        throw new Error(`${source}: unknown marker @${kind}`);
    }
  });
}

/** Markers that survived rendering mean a typo in the marker syntax. */
export function leftoverMarkers(sql: string): string[] {
  return [...sql.matchAll(/\/\*@[^*]*\*\//g)].map((m) => m[0]);
}
