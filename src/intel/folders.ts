// Windows folder catalogs as data: which folders an unprivileged user can
// write, where system binaries live, what a spoofed folder name looks like and
// what the environment variables of task actions expand to. The pack's SQL is
// rendered from these lists (src/pack/render.ts) and the TypeScript side
// matches with the same globs (matchesFolderGlob), so the two cannot drift.

/**
 * Folders an unprivileged user can write to; a long-running binary there is
 * not something an installer put in place. SQLite GLOB syntax over the
 * lower-cased path (`?` one character, `*` any run), ASCII case-insensitive.
 */
export const USER_WRITABLE_FOLDERS: readonly string[] = [
  '?:\\users\\*',
  '?:\\programdata\\*',
  '?:\\windows\\temp\\*',
  '?:\\$recycle.bin\\*',
  '?:\\perflogs\\*',
  // The junction Windows keeps to C:\Users (and its All Users to C:\ProgramData).
  '?:\\documents and settings\\*',
  // Folders inside Windows that any user may create files in by default, the
  // classic places to hide a binary under C:\Windows (AppLocker bypass lists).
  '?:\\windows\\tasks\\*',
  '?:\\windows\\tracing\\*',
  '?:\\windows\\registration\\crmlog\\*',
  '?:\\windows\\system32\\tasks\\*',
  '?:\\windows\\syswow64\\tasks\\*',
  '?:\\windows\\system32\\spool\\drivers\\color\\*',
  '?:\\windows\\system32\\spool\\printers\\*',
  '?:\\windows\\system32\\spool\\servers\\*',
  '?:\\windows\\system32\\microsoft\\crypto\\rsa\\machinekeys\\*',
  '?:\\windows\\system32\\com\\dmp\\*',
  '?:\\windows\\syswow64\\com\\dmp\\*',
  '?:\\windows\\system32\\fxstmp\\*',
  '?:\\windows\\syswow64\\fxstmp\\*',
];

/** Windows folders where signed system binaries live; an unsigned binary here is a masquerade candidate. */
export const SYSTEM_FOLDERS: readonly string[] = [
  '?:\\windows\\system32\\*',
  '?:\\windows\\syswow64\\*',
  '?:\\windows\\*',
  '?:\\program files\\*',
  '?:\\program files (x86)\\*',
];

/**
 * Characters a folder name can end in only when made through an NT path
 * ("C:\Program Files \x.exe"): Win32 strips them, so such a folder looks like
 * the real one in Explorer and logs but is not it.
 */
export const SPOOFED_FOLDER_ENDINGS: readonly string[] = [' ', '.'];

/** The same test as globs over a whole path: a non-final segment ending in one of SPOOFED_FOLDER_ENDINGS. */
export const SPOOFED_FOLDER_GLOBS: readonly string[] = SPOOFED_FOLDER_ENDINGS.map((c) => `*${c}\\*`);

export interface EnvFolder {
  /** Lower case, as %name%. */
  readonly var: string;
  /** The path fragment it expands to, from `\` or `:\` to a trailing `\`; absent when it holds a user name. */
  readonly folder?: string;
  readonly userWritable: boolean;
}

/**
 * Environment variables a scheduled task or WMI consumer may carry unexpanded
 * (osquery reports scheduled_tasks.action as the task stores it). %TEMP% is
 * per-user for user tasks and C:\Windows\Temp for SYSTEM ones, hence two entries.
 */
export const ENV_FOLDERS: readonly EnvFolder[] = [
  { var: '%appdata%', folder: '\\appdata\\roaming\\', userWritable: true },
  { var: '%localappdata%', folder: '\\appdata\\local\\', userWritable: true },
  { var: '%temp%', folder: '\\appdata\\local\\temp\\', userWritable: true },
  { var: '%temp%', folder: ':\\windows\\temp\\', userWritable: true },
  { var: '%tmp%', folder: '\\appdata\\local\\temp\\', userWritable: true },
  { var: '%userprofile%', userWritable: true },
  // The profile without its drive (%HOMEDRIVE%%HOMEPATH%), and the user's OneDrive folder.
  { var: '%homepath%', userWritable: true },
  { var: '%onedrive%', userWritable: true },
  { var: '%onedriveconsumer%', userWritable: true },
  { var: '%onedrivecommercial%', userWritable: true },
  // Not folders on this host: a logon script's server, a domain, a name (not obscured, not writable).
  { var: '%logonserver%', userWritable: false },
  { var: '%userdnsdomain%', userWritable: false },
  { var: '%userdomain%', userWritable: false },
  { var: '%computername%', userWritable: false },
  { var: '%username%', userWritable: false },
  { var: '%public%', folder: ':\\users\\public\\', userWritable: true },
  { var: '%programdata%', folder: ':\\programdata\\', userWritable: true },
  { var: '%allusersprofile%', folder: ':\\programdata\\', userWritable: true },
  { var: '%systemroot%', folder: ':\\windows\\', userWritable: false },
  { var: '%windir%', folder: ':\\windows\\', userWritable: false },
  { var: '%programfiles%', folder: ':\\program files\\', userWritable: false },
  { var: '%programfiles(x86)%', folder: ':\\program files (x86)\\', userWritable: false },
  { var: '%programw6432%', folder: ':\\program files\\', userWritable: false },
  { var: '%commonprogramfiles%', folder: ':\\program files\\common files\\', userWritable: false },
  { var: '%commonprogramfiles(x86)%', folder: ':\\program files (x86)\\common files\\', userWritable: false },
  { var: '%commonprogramw6432%', folder: ':\\program files\\common files\\', userWritable: false },
];

/** Variables that expand to a drive ("C:"): %SystemDrive%\Users is C:\Users. */
export const DRIVE_VARS: readonly string[] = ['%systemdrive%', '%homedrive%'];

const globCache = new Map<string, RegExp>();

/**
 * SQLite GLOB semantics for the catalogs' globs (`*`, `?`; no classes) over
 * the ASCII-lower-cased text, as the rendered SQL's `lower(x) GLOB ...` does.
 * At most one `*` besides a final one keeps the regex linear on attacker text.
 */
export function matchesFolderGlob(text: string, glob: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    if (glob.includes('[') || glob.slice(0, -1).split('*').length > 2)
      throw new Error(`folder glob ${glob}: classes or more than one inner * are not supported`);
    re = new RegExp(
      `^${[...glob].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|\\]/g, '\\$&'))).join('')}$`,
    );
    globCache.set(glob, re);
  }
  return re.test(text.replace(/[A-Z]+/g, (m) => m.toLowerCase()));
}

/** A path in a user-writable folder (USER_WRITABLE_FOLDERS). */
export function isUserWritablePath(path: string): boolean {
  return USER_WRITABLE_FOLDERS.some((g) => matchesFolderGlob(path, g));
}

/** A path in a system folder (SYSTEM_FOLDERS). */
export function isSystemFolderPath(path: string): boolean {
  return SYSTEM_FOLDERS.some((g) => matchesFolderGlob(path, g));
}

/** A path with a spoofed folder name (SPOOFED_FOLDER_GLOBS). */
export function hasSpoofedFolder(path: string): boolean {
  return SPOOFED_FOLDER_GLOBS.some((g) => matchesFolderGlob(path, g));
}
