// Safety on disk. The extension runs with osqueryd's rights (root or SYSTEM):
// anyone who can rewrite its binary, its config or its state can make it run
// their code or hide a miner from it. We cannot refuse to run (osqueryd would
// just respawn us and the host would lose its detection), so we say so loudly,
// once per file, with the exact fix.
//
// What we can check: POSIX mode bits and owner. On Windows, Node's stat()
// mode does not reflect ACLs, and reading ACLs needs a native module or a
// child process per file; osqueryd itself refuses to autoload an extension
// binary that is not owned by Administrators/SYSTEM or is writable by others
// (its extensions safe-permissions check), so there the binary is covered by
// osqueryd and we only document the icacls fix for config and state.
import { statSync } from 'node:fs';

export interface PermissionWarning {
  readonly path: string;
  readonly what: string;
  /** One line: problem + fix. */
  readonly message: string;
}

const isWindows = process.platform === 'win32';

function quote(path: string): string {
  // For the fix command shown to an operator: single-quoted POSIX shell word.
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Checks one path (file or directory) for group/other write access and for an
 * owner other than root or the current user. Returns the warnings (none on
 * Windows, where mode bits say nothing about ACLs) — the caller logs them.
 * A path that does not exist yields nothing: there is nothing to tamper with.
 */
export function checkPathSafety(path: string, what: string): PermissionWarning[] {
  if (isWindows) return [];
  let st;
  try {
    st = statSync(path);
  } catch {
    return [];
  }
  const out: PermissionWarning[] = [];
  const mode = st.mode & 0o7777;
  if ((mode & 0o022) !== 0) {
    const who = mode & 0o020 && mode & 0o002 ? 'group and others' : mode & 0o002 ? 'others' : 'group';
    out.push({
      path,
      what,
      message:
        `${what} ${path} is writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}): whoever can write it controls what this extension runs or reports; ` +
        `fix: chmod go-w ${quote(path)}`,
    });
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (uid >= 0 && st.uid !== 0 && st.uid !== uid) {
    out.push({
      path,
      what,
      message: `${what} ${path} is owned by uid ${st.uid}, neither root nor this process (uid ${uid}): that user can change it; fix: chown root ${quote(path)}`,
    });
  }
  return out;
}
