// Folder markers: user-writable folders and paths named through environment variables (src/intel/folders.ts).
import { ENV_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import { sqlGlob, sqlString } from './sql-text.js';

/** Variables Windows expands to a drive ("C:"), so that %SystemDrive%\Users is C:\Users. */
const DRIVE_VARS = ['%systemdrive%', '%homedrive%'];

/**
 * `expr` lower-cased as the path tests read it: `/` as `\`, runs of up to
 * eight backslashes as one, an administrative share's `c$\` as `c:\`, and
 * the drive variables as `drive` (an SQL expression). Windows opens each of
 * these spellings as the plain path, so a test on the raw text would let
 * them past; what is still not plain afterwards is pathObscured().
 */
export function pathText(expr: string, drive: string): string {
  let t = `replace(lower(${expr}), '/', '\\')`;
  for (let i = 0; i < 3; i++) t = `replace(${t}, '\\\\', '\\')`;
  // char(36) is `$`: fleetctl gitops would expand a `$` in the SQL text (src/pack/sql-text.ts).
  t = `replace(${t}, char(36) || '\\', ':\\')`;
  for (const v of DRIVE_VARS) t = `replace(${t}, ${sqlString(v)}, ${drive})`;
  return t;
}

/**
 * True when `expr` names a path in a form that hides which folder it is,
 * even after pathText(): `..` or `.` segments (which also make a relative
 * path climb out of the working directory), separators still doubled
 * (more than pathText() folds), or an 8.3 short name (`PROGRA~3` is
 * ProgramData on most hosts, Program Files on others).
 */
export function pathObscured(expr: string): string {
  const t = pathText(expr, "'c:'");
  return `(instr(${t}, '..\\') > 0 OR instr(${t}, '\\.\\') > 0 OR instr(${t}, '\\\\') > 0 OR ${t} GLOB '*~[0-9]*')`;
}

/**
 * True when `expr` names a user-writable folder anywhere in it: a drive path
 * of USER_WRITABLE_FOLDERS, or an unexpanded environment variable that
 * expands to one (osquery reports scheduled_tasks.action with variables left
 * as the task stores them, and the working directory first), in any of
 * pathText()'s spellings.
 */
export function userWritableIn(expr: string): string {
  const t = pathText(expr, "'c:'");
  const globs = USER_WRITABLE_FOLDERS.map((g) => `${t} GLOB ${sqlGlob(`*${g}`)}`);
  const vars = [...new Set(ENV_FOLDERS.filter((e) => e.userWritable).map((e) => e.var))].map(
    (v) => `instr(${t}, ${sqlString(v)}) > 0`,
  );
  return `(${[...globs, ...vars].join(' OR ')})`;
}

/**
 * True when `text` (an action or command line) names the file `path`: its
 * full path, or its spelling through an environment variable of
 * ENV_FOLDERS (%APPDATA%\x\m.exe for C:\Users\a\AppData\Roaming\x\m.exe),
 * in any of pathText()'s spellings (the drive variables as the path's drive).
 */
export function namesPath(text: string, path: string): string {
  const p = `lower(${path})`;
  const t = pathText(text, `substr(${p}, 1, 2)`);
  const viaVar = ENV_FOLDERS.filter((e) => e.folder).map((e) => {
    const f = sqlString(e.folder!);
    return `(instr(${p}, ${f}) > 0 AND instr(${t}, ${sqlString(e.var)} || substr(${p}, instr(${p}, ${f}) + ${e.folder!.length - 1})) > 0)`;
  });
  return `(instr(${t}, ${p}) > 0 OR ${viaVar.join(' OR ')})`;
}
