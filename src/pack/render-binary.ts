// Binary markers: expected locations, vendor components, renames, code hosts, vouching signatures and
// osqueryd's own extensions, each the SQL form of a src/intel function.
import { SPOOFED_FOLDER_GLOBS } from '../intel/folders.js';
import { LOCATION_CATALOG } from '../intel/locations.js';
import {
  SHARED_PROFILE_NAMES,
  USERS,
  VENDOR_COMPONENTS,
  VENDOR_TASKS,
  commas,
  expandProfile,
  vendorActionText,
  profileRest,
} from '../intel/vendor-components.js';
import { CODE_HOSTS } from '../intel/code-hosts.js';
import { RENAME_EXCEPTIONS } from '../intel/rename-exceptions.js';
import { anyGlob, sqlGlob, sqlString } from './sql-text.js';

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
 * catalogGlobMatches() of src/intel/vendor-components.ts for any of `globs`,
 * over the same expansions. A profileRest() glob is judged on what follows
 * the first folder under Users (the profile), written once for all of them.
 */
function renderCatalogGlobs(expr: string, globs: readonly string[]): string {
  const lp = `lower(${expr})`;
  const tests: string[] = [];
  const rests = globs.map(profileRest).filter((r): r is string => r !== null);
  if (rests.length > 0) {
    // A rest holds a backslash, so a path with none after the profile (instr 0: the whole tail) never matches.
    if (rests.some((r) => !r.includes('\\'))) throw new Error('a per-user rest must name a folder');
    const tail = `substr(${lp}, ${USERS.length + 1} + instr(substr(${lp}, ${USERS.length + 1}), '\\'))`;
    const shared = SHARED_PROFILE_NAMES.map((n) => `${USERS}${n}\\*`);
    tests.push(
      `(${lp} GLOB ${sqlGlob(`${USERS}*`)} AND NOT ${anyGlob(expr, shared)} AND (${rests.map((r) => `${tail} GLOB ${sqlGlob(r)}`).join(' OR ')}))`,
    );
  }
  for (const g of globs.filter((x) => profileRest(x) === null)) {
    const e = expandProfile(g);
    const match = `${lp} GLOB ${sqlGlob(e.match)}`;
    tests.push(e.unless.length === 0 ? match : `(${match} AND NOT ${anyGlob(expr, e.unless)})`);
  }
  return `(${tests.join(' OR ')})`;
}

/**
 * vendorNameMisplaced() of src/intel/vendor-components.ts: 1, 0, or 0 for an
 * uncatalogued name. Names installed in the same folders share one branch:
 * the SQL is prepared on every run, and its length is most of its cost.
 */
export function renderVendorMisplaced(path: string): string {
  const p = `lower(${path})`;
  const byFolders = new Map<string, string[]>();
  for (const v of VENDOR_COMPONENTS) {
    const key = JSON.stringify(v.paths);
    byFolders.set(key, [...(byFolders.get(key) ?? []), v.name]);
  }
  const whens = [...byFolders].map(
    ([key, names]) =>
      `WHEN ${names.map((n) => `${p} GLOB ${sqlGlob(`*\\${n}`)}`).join(' OR ')} THEN NOT ${renderCatalogGlobs(path, JSON.parse(key) as string[])}`,
  );
  return `(CASE ${whens.join(' ')} ELSE 0 END)`;
}

/** vendorActionText() of src/intel/vendor-components.ts. */
export function renderVendorActionText(action: string): string {
  return `replace(replace(replace(lower(${action}), '/', '\\'), '"', ''), '%programdata%', '?:\\programdata')`;
}

/**
 * isVendorTask() of src/intel/vendor-components.ts. `text`: the action's
 * renderVendorActionText(), when the query has it in a column already. The
 * entries are grouped by their comma count under one CASE, so the count is
 * taken once.
 */
export function renderVendorTask(name: string, action: string, text = renderVendorActionText(action)): string {
  const byCommas = new Map<number, string[]>();
  for (const t of VENDOR_TASKS) {
    const entry = `(lower(${name}) GLOB ${sqlGlob(t.name)} AND ${renderCatalogGlobs(text, [vendorActionText(t.action)])})`;
    byCommas.set(commas(t.action), [...(byCommas.get(commas(t.action)) ?? []), entry]);
  }
  const whens = [...byCommas].map(([n, entries]) => `WHEN ${n} THEN (${entries.join(' OR ')})`);
  return `(CASE length(${action}) - length(replace(${action}, ',', '')) ${whens.join(' ')} ELSE 0 END)`;
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

/**
 * isCodeHost() of src/intel/code-hosts.ts: the file name after the last
 * backslash is a code host. rtrim() strips the trailing run of characters
 * code-host names are made of (a bounded set, so linear in the path); the
 * path is one when that run is the whole file name and on the list. One IN
 * lookup, not a GLOB per name: the list is long and the SQL is prepared on
 * every run.
 */
export function renderCodeHost(path: string): string {
  const chars = [...new Set(CODE_HOSTS.join(''))].sort().join('');
  if (chars.includes('\\') || chars.includes("'")) throw new Error('code host names are file names');
  const lp = `lower(${path})`;
  const dir = `rtrim(${lp}, ${sqlString(chars)})`;
  return `(substr(${dir}, -1) = '\\' AND substr(${lp}, length(${dir}) + 1) IN (${CODE_HOSTS.map(sqlString).join(', ')}))`;
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
export function renderVouched(a: {
  status: string;
  result: string;
  renamed: string;
  verdict: string;
  reasons: string;
  path: string;
  misplaced?: string;
}): string {
  // An image deleted, replaced or changed since the process started: the signature judged may not be what runs.
  // CASE, not AND: SQLite evaluates every operand of AND in a value, and the name tests are the dear ones.
  return (
    `(CASE WHEN (${a.result} = 'trusted' OR ${a.status} = 'trusted') AND coalesce(${a.status}, '') NOT IN ('tampered', 'invalid')` +
    ` AND coalesce(${a.renamed}, 0) = 0 AND coalesce(${a.verdict}, '') NOT IN ('masquerade', 'renamed', 'suspicious')` +
    ` AND instr(coalesce(${a.reasons}, ''), 'image_') = 0` +
    ` THEN NOT ${a.misplaced ?? renderVendorMisplaced(a.path)} AND NOT ${renderCodeHost(a.path)} ELSE 0 END)`
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
    `WITH vp_k AS MATERIALIZED (SELECT pid, verdict, reasons, renamed, signature_status FROM process_signature_check)` +
    ` SELECT vp_k.pid FROM ${from} AS vp_v JOIN vp_k ON vp_k.pid = vp_v.pid LEFT JOIN authenticode AS vp_a ON vp_a.path = vp_v.path` +
    ` WHERE ${renderVouched({ status: 'vp_k.signature_status', result: 'vp_a.result', renamed: 'vp_k.renamed', verdict: 'vp_k.verdict', reasons: 'vp_k.reasons', path: 'vp_v.path' })}`
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
