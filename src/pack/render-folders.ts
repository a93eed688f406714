// Folder markers: user-writable folders and paths named through environment variables (src/intel/folders.ts).
import { DRIVE_VARS, ENV_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import { sqlGlob, sqlString, sqlText } from './sql-text.js';

/** Variables that stand for one fixed folder ("%windir%" for "?:\windows"), and the drive variables ("?:"). */
const FIXED_VARS: readonly (readonly [string, string])[] = [
  ...DRIVE_VARS.map((v) => [v, '?:'] as const),
  // Only a variable with one meaning: %temp% is the user's own folder for a user's task, Windows' for SYSTEM's.
  ...ENV_FOLDERS.filter(
    (e) => e.folder?.startsWith(':\\') && ENV_FOLDERS.every((o) => o.var !== e.var || o.folder === e.folder),
  ).map((e) => [e.var, `?${e.folder!.slice(0, -1)}`] as const),
];

/** The variables left in folded text: per-user folders, which hold the user's name, so they are matched as they stand. */
const PROFILE_VARS = [...new Set(ENV_FOLDERS.filter((e) => !e.folder?.startsWith(':\\')).map((e) => e.var))].sort(
  (a, b) => b.length - a.length,
);

/**
 * `expr` lower-cased as the path tests read it. Windows (or cmd) opens each
 * of these spellings as the plain path, so a test on the raw text would let
 * them past: `/` as `\`; the device prefix `\\.\` as `\\?\`; cmd's quotes and
 * `^` escapes dropped; a variable naming a fixed folder as that folder on any
 * drive (`%windir%` as `?:\windows`, `%SystemDrive%` as `?:`, which a GLOB's
 * `?` matches); runs of up to eight backslashes as one; a drive root
 * working directory joined to the relative program after it
 * (`C:\ Users\...`); an administrative share's `c$\` as `c:\`. A path from
 * the current drive's root (` \Users\...`) is left as it is and tested as such. What is still not plain is
 * pathObscured(). A query folds a column once (marker @fold_path) and hands
 * the result to the other markers with folded=1; without it each marker
 * folds for itself.
 */
export function foldPath(expr: string): string {
  let t = `replace(replace(replace(replace(lower(${expr}), '/', '\\'), '\\\\.\\', '\\\\?\\'), '"', ''), '^', '')`;
  // Longest first: %programfiles(x86)% must not be cut short by %programfiles%.
  for (const [v, folder] of [...FIXED_VARS].sort((a, b) => b[0].length - a[0].length))
    t = `replace(${t}, ${sqlString(v)}, ${sqlString(folder)})`;
  for (let i = 0; i < 3; i++) t = `replace(${t}, '\\\\', '\\')`;
  t = `replace(${t}, ':\\ ', ':\\')`;
  // char(36) is `$`: fleetctl gitops would expand a `$` in the SQL text (src/pack/sql-text.ts).
  return `replace(${t}, char(36) || '\\', ':\\')`;
}

/** `test` over `expr` folded: as given when folded already, else folded once in a subquery (not once per use). */
function onFolded(expr: string, folded: boolean, alias: string, test: (t: string) => string): string {
  return folded ? `(${test(expr)})` : `(SELECT ${test(`${alias}.t`)} FROM (SELECT ${foldPath(expr)} AS t) AS ${alias})`;
}

/**
 * True when `expr` names a path in a form that hides which folder it is,
 * even folded: `..` or `.` segments (which also make a relative path climb
 * out of the working directory), a folder name ending in a dot (Win32 drops
 * it: `C:\Users.\`), separators still doubled (more than foldPath() folds),
 * an 8.3 short name (`PROGRA~3` is ProgramData on most hosts, Program Files
 * on others), an NT device or volume path (`\\?\GLOBALROOT\...`,
 * `\\?\Volume{...}\`), or a variable we cannot expand used as a folder (a
 * user's own, set in their environment).
 */
export function pathObscured(expr: string, folded = false): string {
  return onFolded(expr, folded, 'po', (t) => {
    let others = t;
    for (const v of PROFILE_VARS) others = `replace(${others}, ${sqlString(v)}, '')`;
    return [
      `instr(${t}, '..\\') > 0`,
      `instr(${t}, '\\.\\') > 0`,
      `${t} GLOB '*[^ .\\].\\*'`,
      `instr(${t}, '\\\\') > 0`,
      `${t} GLOB '*~[1-9]\\*'`,
      `${t} GLOB '*~[1-9][0-9]\\*'`,
      `${t} GLOB '*~[1-9].[a-z][a-z][a-z]*'`,
      `instr(${t}, '\\?\\globalroot\\') > 0`,
      `instr(${t}, '\\?\\volume{') > 0`,
      `instr(${t}, '\\device\\harddiskvolume') > 0`,
      `(instr(${t}, '%') > 0 AND ${others} GLOB '*%[a-z_]*%\\*')`,
    ].join(' OR ');
  });
}

/**
 * True when `expr` names a user-writable folder anywhere in it: a path of
 * USER_WRITABLE_FOLDERS on any drive, in any of foldPath()'s spellings, or a
 * per-user variable (osquery reports scheduled_tasks.action with variables
 * left as the task stores them, and the working directory first).
 */
export function userWritableIn(expr: string, folded = false): string {
  const glob = (t: string, g: string) => `${t} GLOB ${sqlGlob(`*${g}`)}`;
  const inWindows = USER_WRITABLE_FOLDERS.filter((g) => g.startsWith('?:\\windows\\'));
  const elsewhere = USER_WRITABLE_FOLDERS.filter((g) => !inWindows.includes(g));
  // A per-user variable as `%name` (also cmd's substring form %appdata:~0%), every writable one
  // as PowerShell's `env:name`, and PowerShell's ~\ home; a token inside a longer one is enough.
  const perUser = ENV_FOLDERS.filter((e) => e.userWritable && !e.folder?.startsWith(':\\'));
  const tokens = [
    ...new Set([
      ...perUser.map((e) => e.var.slice(0, -1)),
      ...ENV_FOLDERS.filter((e) => e.userWritable).map((e) => `env:${e.var.slice(1, -1)}`),
      ' ~\\',
    ]),
  ];
  const vars = tokens.filter((v) => !tokens.some((o) => o !== v && v.includes(o)));
  return onFolded(expr, folded, 'uw', (t) =>
    [
      ...elsewhere.map((g) => glob(t, g)),
      // From the current drive's root (` \Users\...`): a path on whichever drive that is.
      ...elsewhere.map((g) => `instr(${t}, ${sqlText(` ${g.slice(2, -1)}`)}) > 0`),
      // The folders inside Windows, on any drive or from the root (a nested copy elsewhere counts too).
      ...inWindows.map((g) => `instr(${t}, ${sqlText(g.slice(2, -1))}) > 0`),
      ...vars.map((v) => `instr(${t}, ${sqlText(v)}) > 0`),
    ].join(' OR '),
  );
}

/**
 * True when `text` (an action or command line) names the file `path`: its
 * full path on its own drive or through a fixed folder's variable (folded to
 * `?:\...`), or through a per-user variable of ENV_FOLDERS (%APPDATA%\x\m.exe
 * for C:\Users\a\AppData\Roaming\x\m.exe), in any of foldPath()'s spellings.
 */
export function namesPath(text: string, path: string, folded = false): string {
  const p = `lower(${path})`;
  return onFolded(text, folded, 'np', (t) => {
    // Through the variables foldPath() leaves as they stand (per-user ones, and %temp%'s either meaning).
    const folded = new Set(FIXED_VARS.map(([v]) => v));
    const viaVar = ENV_FOLDERS.filter((e) => e.folder && !folded.has(e.var)).map((e) => {
      const f = sqlString(e.folder!);
      return `(instr(${p}, ${f}) > 0 AND instr(${t}, ${sqlString(e.var)} || substr(${p}, instr(${p}, ${f}) + ${e.folder!.length - 1})) > 0)`;
    });
    return [
      `instr(${t}, ${p}) > 0`,
      `instr(${t}, '?:' || substr(${p}, 3)) > 0`,
      // From the current drive's root.
      `instr(${t}, ' ' || substr(${p}, 3)) > 0`,
      ...viaVar,
    ].join(' OR ');
  });
}
