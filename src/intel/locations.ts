// Where Windows' own binaries legitimately live, as data, and the Windows path
// normalization the judgement needs. A process named svchost.exe running from
// anywhere but its catalogued directories is the classic masquerade (T1036).
//
// Sources (facts only; see docs/catalogs.md):
// - SigmaHQ "System File Execution Location Anomaly" (e4a6b256-...), Detection Rule License 1.1:
//   the names and the servicing directories its filters accept.
// - osquery's packs/windows-attacks.conf: svchost/dllhost/conhost/lsass/... "_incorrect_path" queries.
// - Splunk security_content lookups (Apache-2.0): lolbas_file_path (generated into
//   locations-lolbas.generated.ts) for further Windows binaries.
import { ENV_FOLDERS, SPOOFED_FOLDER_ENDINGS } from './folders.js';
import { LOLBAS_LOCATIONS } from './locations-lolbas.generated.js';

/**
 * Directory patterns are lower-case absolute paths without a trailing
 * backslash. `*` matches within one path segment, a final `\**` matches the
 * directory and everything below it.
 */
export interface LocationEntry {
  /** Lower-case file name. */
  readonly name: string;
  readonly dirs: readonly string[];
}

const SYS32 = 'c:\\windows\\system32';
const WOW64 = 'c:\\windows\\syswow64';
/**
 * Windows servicing and upgrade stores: component copies of system binaries
 * live (and run, during servicing) here. Sigma's rule filters the same set.
 */
const SERVICING = [
  'c:\\windows\\winsxs\\**',
  'c:\\windows\\softwaredistribution\\**',
  'c:\\windows\\systemtemp\\**',
  'c:\\windows\\uus\\**',
  'c:\\$windows.~bt\\**',
  'c:\\$winreagent\\**',
];
const BOTH = [SYS32, WOW64, ...SERVICING];
/** Processes that only ever run as the native 64-bit system image. */
const NATIVE = [SYS32, 'c:\\windows\\winsxs\\**'];

/** The hand-kept core: every name in Sigma's rule and in osquery's windows-attacks pack. */
const CORE: readonly LocationEntry[] = [
  { name: 'atbroker.exe', dirs: BOTH },
  { name: 'audiodg.exe', dirs: NATIVE },
  { name: 'bcdedit.exe', dirs: BOTH },
  { name: 'bitsadmin.exe', dirs: BOTH },
  { name: 'certreq.exe', dirs: BOTH },
  { name: 'certutil.exe', dirs: BOTH },
  { name: 'cmd.exe', dirs: BOTH },
  { name: 'cmstp.exe', dirs: BOTH },
  { name: 'conhost.exe', dirs: NATIVE },
  { name: 'consent.exe', dirs: NATIVE },
  { name: 'cscript.exe', dirs: BOTH },
  { name: 'csrss.exe', dirs: NATIVE },
  { name: 'dashost.exe', dirs: NATIVE },
  { name: 'defrag.exe', dirs: BOTH },
  { name: 'dfrgui.exe', dirs: BOTH },
  { name: 'displayswitch.exe', dirs: NATIVE },
  { name: 'dism.exe', dirs: BOTH },
  { name: 'dllhost.exe', dirs: BOTH },
  { name: 'dllhst3g.exe', dirs: BOTH },
  { name: 'dwm.exe', dirs: NATIVE },
  { name: 'eventvwr.exe', dirs: BOTH },
  { name: 'explorer.exe', dirs: ['c:\\windows', WOW64, ...SERVICING] },
  { name: 'finger.exe', dirs: BOTH },
  { name: 'fsquirt.exe', dirs: BOTH },
  { name: 'logonui.exe', dirs: NATIVE },
  { name: 'lsaiso.exe', dirs: NATIVE },
  { name: 'lsass.exe', dirs: NATIVE },
  { name: 'lsm.exe', dirs: NATIVE },
  { name: 'magnify.exe', dirs: BOTH },
  { name: 'msiexec.exe', dirs: BOTH },
  { name: 'narrator.exe', dirs: NATIVE },
  { name: 'ntoskrnl.exe', dirs: NATIVE },
  { name: 'osk.exe', dirs: BOTH },
  {
    name: 'powershell.exe',
    dirs: [SYS32 + '\\windowspowershell\\v1.0', WOW64 + '\\windowspowershell\\v1.0', ...SERVICING],
  },
  {
    name: 'powershell_ise.exe',
    dirs: [SYS32 + '\\windowspowershell\\v1.0', WOW64 + '\\windowspowershell\\v1.0', ...SERVICING],
  },
  {
    name: 'pwsh.exe',
    dirs: [
      'c:\\program files\\powershell\\7',
      'c:\\program files\\powershell\\7-preview',
      'c:\\program files\\windowsapps\\microsoft.powershell*',
      'c:\\users\\*\\appdata\\local\\microsoft\\windowsapps',
      'c:\\users\\*\\appdata\\local\\microsoft\\windowsapps\\microsoft.powershell*',
    ],
  },
  { name: 'regsvr32.exe', dirs: BOTH },
  { name: 'rundll32.exe', dirs: BOTH },
  { name: 'runonce.exe', dirs: BOTH },
  { name: 'runtimebroker.exe', dirs: NATIVE },
  { name: 'schtasks.exe', dirs: BOTH },
  { name: 'services.exe', dirs: NATIVE },
  { name: 'sethc.exe', dirs: NATIVE },
  { name: 'sihost.exe', dirs: NATIVE },
  { name: 'smartscreen.exe', dirs: NATIVE },
  { name: 'smss.exe', dirs: NATIVE },
  { name: 'spoolsv.exe', dirs: NATIVE },
  // osquery's pack accepts both System32 and SysWOW64 for svchost.
  { name: 'svchost.exe', dirs: [SYS32, WOW64, 'c:\\windows\\winsxs\\**'] },
  { name: 'taskhost.exe', dirs: NATIVE },
  { name: 'taskhostw.exe', dirs: NATIVE },
  { name: 'taskmgr.exe', dirs: BOTH },
  { name: 'userinit.exe', dirs: NATIVE },
  { name: 'werfault.exe', dirs: BOTH },
  { name: 'werfaultsecure.exe', dirs: BOTH },
  { name: 'wininit.exe', dirs: NATIVE },
  { name: 'winlogon.exe', dirs: NATIVE },
  { name: 'winver.exe', dirs: BOTH },
  { name: 'wlanext.exe', dirs: NATIVE },
  { name: 'wmic.exe', dirs: [SYS32 + '\\wbem', WOW64 + '\\wbem', ...SERVICING] },
  { name: 'wscript.exe', dirs: BOTH },
  {
    name: 'wsl.exe',
    dirs: [
      SYS32,
      'c:\\program files\\wsl',
      'c:\\program files\\windowsapps\\microsoftcorporationii.windowssubsystemforlinux*',
      'c:\\users\\*\\appdata\\local\\microsoft\\windowsapps',
      ...SERVICING,
    ],
  },
  { name: 'wsmprovhost.exe', dirs: BOTH },
];

function merge(core: readonly LocationEntry[], extra: readonly LocationEntry[]): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const e of core) out.set(e.name, e.dirs);
  // The hand-kept core wins; generated entries only add names, plus the servicing stores.
  for (const e of extra) if (!out.has(e.name)) out.set(e.name, [...e.dirs, ...SERVICING]);
  return out;
}

export const LOCATION_CATALOG: ReadonlyMap<string, readonly string[]> = merge(CORE, LOLBAS_LOCATIONS);
/** The names Sigma's anomaly rule and osquery's pack name, for tests and docs. */
export const CORE_LOCATION_NAMES: readonly string[] = CORE.map((e) => e.name);

/** Windows' system drive as judged from outside: osquery's \Device\HarddiskVolumeN fallback maps here. */
export const SYSTEM_DRIVE = 'c:';

/** %SystemRoot%-style variables (ENV_FOLDERS naming the Windows folder), anchored: linear on any input. */
const WINDOWS_DIR_VARS = new RegExp(
  `^(?:${ENV_FOLDERS.filter((e) => e.folder === ':\\windows\\')
    .map((e) => e.var.replace(/[()]/g, '\\$&'))
    .join('|')})`,
  'i',
);

/** Observations about a path that matter for judging it. */
export type PathFlag =
  /** A folder name ends in a space or dot: only creatable via NT paths, and not the folder it imitates. */
  | 'trailing_dot_space'
  /** A segment looks like an 8.3 short name (PROGRA~1); we do not guess its long name. */
  | 'short_name'
  /** \Device\HarddiskVolumeN\ was taken to be the system drive. */
  | 'device_path'
  /** A network (UNC) path. */
  | 'unc_path'
  /** Not an absolute drive path after normalization. */
  | 'relative_path'
  /** An environment variable other than SystemRoot/windir was left unexpanded. */
  | 'unexpanded_variable'
  /** `..` climbed above the root. */
  | 'escapes_root'
  /** Longer than the NT path limit: no such file can exist on Windows. */
  | 'too_long';

export interface NormalizedPath {
  /** Lower-case, backslashes, `.`/`..` resolved, drive-qualified when possible. */
  readonly path: string;
  /** Lower-case directory part of `path`. */
  readonly dir: string;
  /** Lower-case final component. */
  readonly name: string;
  readonly flags: readonly PathFlag[];
}

const MAX_PATH_CHARS = 32_767; // the NT path limit

/** Normalizes a Windows path for comparison with the catalog. Never throws. */
export function normalizeWindowsPath(input: string): NormalizedPath {
  const flags = new Set<PathFlag>();
  // Work is linear in the input; a path beyond the NT limit is judged but flagged.
  if (input.length > MAX_PATH_CHARS) flags.add('too_long');
  let p = input.replace(/\//g, '\\').trim();
  // Environment-variable forms of the Windows directory.
  p = p.replace(WINDOWS_DIR_VARS, `${SYSTEM_DRIVE}\\windows`);
  if (/%[^%\\]+%/.test(p)) flags.add('unexpanded_variable');
  // NT and Win32 namespace prefixes.
  let m: RegExpExecArray | null;
  if ((m = /^\\(?:\?\?|\\\?|\\\.)\\unc\\/i.exec(p))) {
    p = '\\\\' + p.slice(m[0].length);
  } else if ((m = /^\\(?:\?\?|\\\?|\\\.)\\(?=[a-z]:)/i.exec(p))) {
    p = p.slice(m[0].length);
  }
  if ((m = /^\\device\\harddiskvolume\d+(?=\\|$)/i.exec(p))) {
    flags.add('device_path');
    p = SYSTEM_DRIVE + p.slice(m[0].length);
  } else if ((m = /^\\systemroot(?=\\|$)/i.exec(p))) {
    p = `${SYSTEM_DRIVE}\\windows` + p.slice(m[0].length);
  }
  let root: string;
  let rest: string;
  if (/^\\\\[^\\]/.test(p)) {
    flags.add('unc_path');
    root = '\\\\';
    rest = p.slice(2);
  } else if (/^[a-z]:\\/i.test(p) || /^[a-z]:$/i.test(p)) {
    root = p.slice(0, 2).toLowerCase();
    rest = p.slice(3);
  } else {
    flags.add('relative_path');
    root = '';
    rest = p.replace(/^\\+/, '');
  }
  const out: string[] = [];
  const segments = rest.split('\\');
  segments.forEach((seg, i) => {
    if (seg === '' || seg === '.') return;
    if (seg === '..') {
      if (out.length === 0) flags.add('escapes_root');
      else out.pop();
      return;
    }
    // Win32 strips trailing dots/spaces at creation; a folder that kept them was made via an NT path.
    if (SPOOFED_FOLDER_ENDINGS.includes(seg.slice(-1)) && i < segments.length - 1) flags.add('trailing_dot_space');
    if (/~\d+(\.[^.]*)?$/.test(seg)) flags.add('short_name');
    out.push(seg.toLowerCase());
  });
  const name = out.length > 0 ? out[out.length - 1] : '';
  const dirParts = out.slice(0, -1);
  const join = (parts: string[]): string =>
    root === '\\\\' ? '\\\\' + parts.join('\\') : root === '' ? parts.join('\\') : [root, ...parts].join('\\');
  return { path: join(out), dir: out.length > 0 ? join(dirParts) : join([]), name, flags: [...flags].sort() };
}

const patternCache = new Map<string, RegExp>();
function patternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const subtree = pattern.endsWith('\\**');
    const body = subtree ? pattern.slice(0, -3) : pattern;
    const escaped = body
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^\\\\]*');
    re = new RegExp(`^${escaped}${subtree ? '(?:\\\\.*)?' : ''}$`);
    patternCache.set(pattern, re);
  }
  return re;
}

export interface LocationVerdict {
  /** true/false when the name is catalogued, null when it is not. */
  readonly expected: boolean | null;
  /** The catalogued directory patterns for the name (empty when uncatalogued). */
  readonly expectedDirs: readonly string[];
  readonly normalized: NormalizedPath;
}

/** Judges whether a Windows path is a catalogued name in one of its legitimate directories. */
export function judgeLocation(
  windowsPath: string,
  catalog: ReadonlyMap<string, readonly string[]> = LOCATION_CATALOG,
): LocationVerdict {
  const normalized = normalizeWindowsPath(windowsPath);
  const dirs = catalog.get(normalized.name);
  if (!dirs) return { expected: null, expectedDirs: [], normalized };
  // A path we cannot resolve exactly (short names, NT-only folder names, relative) is never "expected".
  const unsure = normalized.flags.some((f) => f !== 'device_path');
  const expected = !unsure && dirs.some((d) => patternRegex(d).test(normalized.dir));
  return { expected, expectedDirs: dirs, normalized };
}
