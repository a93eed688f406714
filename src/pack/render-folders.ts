// Folder markers: user-writable folders and paths named through environment variables (src/intel/folders.ts).
import { ENV_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import { sqlGlob, sqlString, sqlText } from './sql-text.js';

/** Variables Windows expands to a drive ("C:"), so that %SystemDrive%\Users is C:\Users. */
const DRIVE_VARS = ['%systemdrive%', '%homedrive%'];

/**
 * `expr` lower-cased as the path tests read it: `/` as `\`, runs of up to
 * eight backslashes as one, and an administrative share's `c$\` as `c:\`.
 * Windows opens each of these spellings as the plain path, so a test on the
 * raw text would let them past; the drive variables are matched as they
 * stand, and what is still not plain afterwards is pathObscured(). A query
 * folds a column once (marker @fold_path) and hands the result to the other
 * markers with folded=1; without it each marker folds for itself.
 */
export function foldPath(expr: string): string {
  let t = `replace(lower(${expr}), '/', '\\')`;
  for (let i = 0; i < 3; i++) t = `replace(${t}, '\\\\', '\\')`;
  // char(36) is `$`: fleetctl gitops would expand a `$` in the SQL text (src/pack/sql-text.ts).
  return `replace(${t}, char(36) || '\\', ':\\')`;
}

/**
 * True when `expr` names a path in a form that hides which folder it is,
 * even folded: `..` or `.` segments (which also make a relative path climb
 * out of the working directory), separators still doubled (more than
 * foldPath() folds), or an 8.3 short name (`PROGRA~3` is ProgramData on most
 * hosts, Program Files on others).
 */
export function pathObscured(expr: string, folded = false): string {
  return onFolded(
    expr,
    folded,
    'po',
    (t) => `instr(${t}, '..\\') > 0 OR instr(${t}, '\\.\\') > 0 OR instr(${t}, '\\\\') > 0 OR ${t} GLOB '*~[0-9]*'`,
  );
}

/** `test` over `expr` folded: as given when folded already, else folded once in a subquery (not once per use). */
function onFolded(expr: string, folded: boolean, alias: string, test: (t: string) => string): string {
  return folded ? `(${test(expr)})` : `(SELECT ${test(`${alias}.t`)} FROM (SELECT ${foldPath(expr)} AS t) AS ${alias})`;
}

/** Any drive variable in folded text `t`: the tests through them are skipped on the many texts without one. */
const anyDriveVar = (t: string) => `instr(${t}, 'drive%') > 0`;

/**
 * True when `expr` names a user-writable folder anywhere in it: a drive path
 * of USER_WRITABLE_FOLDERS (also through %SystemDrive%), or an unexpanded
 * environment variable that expands to one (osquery reports
 * scheduled_tasks.action with variables left as the task stores them, and
 * the working directory first), in any of foldPath()'s spellings.
 */
export function userWritableIn(expr: string, folded = false): string {
  return onFolded(expr, folded, 'uw', (t) => userWritableTests(t));
}

function userWritableTests(t: string): string {
  const globs = USER_WRITABLE_FOLDERS.map((g) => `${t} GLOB ${sqlGlob(`*${g}`)}`);
  // Each folder is "?:\<name>\*": through a drive variable it is a plain substring.
  const viaDrive = USER_WRITABLE_FOLDERS.flatMap((g) => {
    if (!g.startsWith('?:\\') || !g.endsWith('\\*') || /[*?]/.test(g.slice(3, -2)))
      throw new Error(`user-writable folder ${g}: not "?:\\<name>\\*"`);
    return DRIVE_VARS.map((v) => `instr(${t}, ${sqlText(v + g.slice(2, -1))}) > 0`);
  });
  const vars = [...new Set(ENV_FOLDERS.filter((e) => e.userWritable).map((e) => e.var))].map(
    (v) => `instr(${t}, ${sqlString(v)}) > 0`,
  );
  return [...globs, `(${anyDriveVar(t)} AND (${viaDrive.join(' OR ')}))`, ...vars].join(' OR ');
}

/**
 * True when `text` (an action or command line) names the file `path`: its
 * full path, its spelling through a drive variable (the path's own drive) or
 * through an environment variable of ENV_FOLDERS (%APPDATA%\x\m.exe for
 * C:\Users\a\AppData\Roaming\x\m.exe), in any of foldPath()'s spellings.
 */
export function namesPath(text: string, path: string, folded = false): string {
  const p = `lower(${path})`;
  return onFolded(text, folded, 'np', (t) => {
    const viaDrive = DRIVE_VARS.map((v) => `instr(${t}, ${sqlString(v)} || substr(${p}, 3)) > 0`);
    const viaVar = ENV_FOLDERS.filter((e) => e.folder).map((e) => {
      const f = sqlString(e.folder!);
      return `(instr(${p}, ${f}) > 0 AND instr(${t}, ${sqlString(e.var)} || substr(${p}, instr(${p}, ${f}) + ${e.folder!.length - 1})) > 0)`;
    });
    return `instr(${t}, ${p}) > 0 OR (${anyDriveVar(t)} AND (${viaDrive.join(' OR ')})) OR ${viaVar.join(' OR ')}`;
  });
}
