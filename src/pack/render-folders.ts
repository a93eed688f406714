// Folder markers: user-writable folders and paths named through environment variables (src/intel/folders.ts).
import { ENV_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import { sqlGlob, sqlString } from './sql-text.js';

/**
 * True when `expr` names a user-writable folder anywhere in it: a drive path
 * of USER_WRITABLE_FOLDERS, or an unexpanded environment variable that
 * expands to one (osquery reports scheduled_tasks.action with variables left
 * as the task stores them, and the working directory first).
 */
export function userWritableIn(expr: string): string {
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
export function namesPath(text: string, path: string): string {
  const t = `lower(${text})`;
  const p = `lower(${path})`;
  const viaVar = ENV_FOLDERS.filter((e) => e.folder).map((e) => {
    const f = sqlString(e.folder!);
    return `(instr(${p}, ${f}) > 0 AND instr(${t}, ${sqlString(e.var)} || substr(${p}, instr(${p}, ${f}) + ${e.folder!.length - 1})) > 0)`;
  });
  return `(instr(${t}, ${p}) > 0 OR ${viaVar.join(' OR ')})`;
}
