// Well-known vendor components (updaters, sync clients, security agents) and
// the folders their installers put them in, as data. Miners borrow these names
// (GoogleUpdate.exe, OneDrive.exe, MsMpEng.exe) because an analyst skims past
// them; the name outside its folders is the tell (T1036.005). Per-user
// installs under AppData and ProgramData homes (Defender's platform folder)
// are expected locations: those folders are user- or admin-writable, so the
// signature still decides whether the file there is the vendor's.
//
// Paths are ASCII case-insensitive globs over the whole image path, exactly
// SQLite's GLOB over lower() (src/intel/baseline.ts globMatches): `*` crosses
// folders, `?` is one character, and PROFILE stands for one user's own
// profile folder (expandProfile). The pack's SQL is rendered from this list
// (render.ts, markers @vendor_misplaced and @vendor_task).
import { asciiLower, globMatches } from './baseline.js';
import { osqueryTaskAction } from './task-action.js';

/**
 * In a catalog glob: one user's own profile folder under `?:\users\`. A
 * plain `*` there would cross folders, and a nested copy
 * (`Users\bob\AppData\Local\Temp\z\AppData\Local\Google\Update\`) or
 * the Public profile, which every user can write, would count as a per-user
 * install.
 */
export const PROFILE = '%profile%';

/** Profiles no single user owns: Public is writable by every user; the others are templates nobody runs from. */
const SHARED_PROFILES = ['public', 'default', 'default user', 'all users'];

/** A catalog glob as plain GLOB tests: a value matches when it matches `match` and none of `unless`. */
export interface GlobTest {
  readonly match: string;
  readonly unless: readonly string[];
}

/**
 * In a catalog glob: one folder name (a version folder, say), never a run of
 * folders: a plain `*` in a task's action would also take in a second program
 * (`...\\GoogleUpdater\\1 C:\\ProgramData\\m.exe \\ "...\\updater.exe"`).
 */
export const SEGMENT = '%segment%';

/**
 * A catalog glob with PROFILE or SEGMENT, as plain globs: each as `*`, unless
 * that `*` spans two folders or more, or a PROFILE is a shared profile. One
 * expansion serves both sides, so the SQL (render-binary.ts) and
 * catalogGlobMatches() cannot drift. Used for tokens inside a longer text (a
 * task's action); a path that starts with PROFILE is profileRest()'s.
 */
export function expandProfile(glob: string): GlobTest {
  const pieces = glob.split(/(%profile%|%segment%)/);
  const parts = pieces.filter((_, i) => i % 2 === 0);
  const tokens = pieces.filter((_, i) => i % 2 === 1);
  const withSegments = (k: number, seg: string) =>
    parts.map((part, i) => (i === 0 ? part : (i - 1 === k ? seg : '*') + part)).join('');
  const unless: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    unless.push(withSegments(k, '*\\*'));
    if (tokens[k] !== PROFILE) continue;
    // A shared profile there, whatever follows it (short globs: the SQL is prepared on every run).
    const before = parts
      .slice(0, k + 1)
      .map((part, i) => (i === 0 ? part : `*${part}`))
      .join('');
    for (const shared of SHARED_PROFILES) unless.push(`${before}${shared}\\*`);
  }
  return { match: withSegments(-1, '*'), unless };
}

/** Where a profile starts in a path: `?:\users\`, nine characters. */
export const USERS = '?:\\users\\';

/**
 * For a path glob `?:\users\<PROFILE>\<rest>` (PROFILE once), `rest`; else
 * null. Such a path is judged by its first segment under Users (the profile)
 * and what follows it: cheaper in SQL than expandProfile()'s globs, run on
 * every process of a host.
 */
export function profileRest(glob: string): string | null {
  const head = `${USERS}${PROFILE}\\`;
  if (!glob.startsWith(head)) return null;
  const rest = glob.slice(head.length);
  return rest.includes(PROFILE) || rest.includes(SEGMENT) ? null : rest;
}

/** Profiles no single user owns, as they would be lower-cased. */
export const SHARED_PROFILE_NAMES: readonly string[] = SHARED_PROFILES;

/** Each catalog glob's profileRest() and expandProfile(), worked out once (vendorNameMisplaced runs per process). */
const expanded = new Map<string, { rest: string | null; test: GlobTest }>();

/** globMatches() for a catalog glob that may hold PROFILE. */
export function catalogGlobMatches(glob: string, value: string): boolean {
  let e = expanded.get(glob);
  if (e === undefined) {
    e = { rest: profileRest(glob), test: expandProfile(glob) };
    expanded.set(glob, e);
  }
  const rest = e.rest;
  if (rest !== null) {
    if (!globMatches(`${USERS}*`, value)) return false;
    const tail = asciiLower(value).slice(USERS.length);
    const cut = tail.indexOf('\\');
    return cut >= 0 && !SHARED_PROFILES.includes(tail.slice(0, cut)) && globMatches(rest, tail.slice(cut + 1));
  }
  const t = e.test;
  return globMatches(t.match, value) && !t.unless.some((u) => globMatches(u, value));
}

export interface VendorComponent {
  /** Lower-case file name. */
  readonly name: string;
  readonly vendor: string;
  /** Globs of the full image path where the vendor installs it. */
  readonly paths: readonly string[];
}

const PF = ['?:\\program files', '?:\\program files (x86)'];
const under = (roots: readonly string[], rest: string) => roots.map((r) => `${r}\\${rest}\\*`);
/** Per-user installs: one user's own profile. */
const perUser = (rest: string) => [`?:\\users\\${PROFILE}\\appdata\\${rest}\\*`];

const GOOGLE_UPDATE = [...under(PF, 'google\\update'), ...perUser('local\\google\\update')];
const EDGE_UPDATE = [...under(PF, 'microsoft\\edgeupdate'), ...perUser('local\\microsoft\\edgeupdate')];
const ONEDRIVE = [...under(PF, 'microsoft onedrive'), ...perUser('local\\microsoft\\onedrive')];
const CLICK_TO_RUN = under(PF, 'common files\\microsoft shared\\clicktorun');
// Defender's servicing platform (updated monthly, one folder per version) and its inbox folder.
const DEFENDER = ['?:\\programdata\\microsoft\\windows defender\\platform\\*', ...under(PF, 'windows defender')];
const ADOBE_ARM = under(PF, 'common files\\adobe\\arm');
const JAVA_UPDATE = under(PF, 'common files\\java\\java update');

export const VENDOR_COMPONENTS: readonly VendorComponent[] = [
  { name: 'googleupdate.exe', vendor: 'Google', paths: GOOGLE_UPDATE },
  { name: 'googleupdatecore.exe', vendor: 'Google', paths: GOOGLE_UPDATE },
  { name: 'googlecrashhandler.exe', vendor: 'Google', paths: GOOGLE_UPDATE },
  { name: 'googlecrashhandler64.exe', vendor: 'Google', paths: GOOGLE_UPDATE },
  {
    name: 'chrome.exe',
    vendor: 'Google',
    paths: [
      ...under(PF, 'google\\chrome\\application'),
      ...under(PF, 'google\\chrome beta\\application'),
      ...perUser('local\\google\\chrome\\application'),
      ...perUser('local\\google\\chrome beta\\application'),
      ...perUser('local\\google\\chrome sxs\\application'),
    ],
  },
  { name: 'microsoftedgeupdate.exe', vendor: 'Microsoft', paths: EDGE_UPDATE },
  { name: 'microsoftedgeupdatecore.exe', vendor: 'Microsoft', paths: EDGE_UPDATE },
  {
    name: 'msedge.exe',
    vendor: 'Microsoft',
    paths: [
      ...under(PF, 'microsoft\\edge\\application'),
      ...under(PF, 'microsoft\\edge beta\\application'),
      ...under(PF, 'microsoft\\edge dev\\application'),
      ...perUser('local\\microsoft\\edge sxs\\application'),
    ],
  },
  { name: 'onedrive.exe', vendor: 'Microsoft', paths: ONEDRIVE },
  { name: 'onedrivestandaloneupdater.exe', vendor: 'Microsoft', paths: ONEDRIVE },
  { name: 'filecoauth.exe', vendor: 'Microsoft', paths: ONEDRIVE },
  { name: 'officeclicktorun.exe', vendor: 'Microsoft', paths: CLICK_TO_RUN },
  { name: 'officec2rclient.exe', vendor: 'Microsoft', paths: CLICK_TO_RUN },
  { name: 'msmpeng.exe', vendor: 'Microsoft', paths: DEFENDER },
  { name: 'mpcmdrun.exe', vendor: 'Microsoft', paths: DEFENDER },
  { name: 'nissrv.exe', vendor: 'Microsoft', paths: DEFENDER },
  { name: 'mpdefendercoreservice.exe', vendor: 'Microsoft', paths: DEFENDER },
  { name: 'ms-teams.exe', vendor: 'Microsoft', paths: ['?:\\program files\\windowsapps\\msteams_*'] },
  { name: 'teams.exe', vendor: 'Microsoft', paths: perUser('local\\microsoft\\teams') },
  { name: 'zoom.exe', vendor: 'Zoom', paths: [...under(PF, 'zoom\\bin'), ...perUser('roaming\\zoom\\bin')] },
  { name: 'adobearm.exe', vendor: 'Adobe', paths: ADOBE_ARM },
  { name: 'armsvc.exe', vendor: 'Adobe', paths: ADOBE_ARM },
  { name: 'jusched.exe', vendor: 'Oracle', paths: JAVA_UPDATE },
  { name: 'jucheck.exe', vendor: 'Oracle', paths: JAVA_UPDATE },
];

/**
 * Vendors' own per-user scheduled tasks: the task name (it carries the user's
 * SID or a version) and the exact action osquery reports (working directory
 * first, variables unexpanded). Such a task points into the user's profile by
 * design, so its action is not a user-writable finding; what it runs is still
 * judged when it runs (signature, CPU, connections).
 */
export interface VendorTask {
  readonly vendor: string;
  readonly name: string;
  readonly action: string;
}

const DEFENDER_PLATFORM = `?:\\programdata\\microsoft\\windows defender\\platform\\${SEGMENT}\\mpcmdrun.exe`;
const PER_USER = (rest: string) => `?:\\users\\${PROFILE}\\appdata\\local\\${rest}`;
const GOOGLE_UPDATER = PER_USER(`google\\googleupdater\\${SEGMENT}\\`);
const ONEDRIVE_UPDATER = ['%localappdata%\\microsoft\\onedrive\\', PER_USER('microsoft\\onedrive\\')].map(
  (dir) => `${dir}onedrivestandaloneupdater.exe`,
);

/**
 * Catalogued actions are written as vendorActionText() reads an action:
 * lower case, no quotes, %ProgramData% as `?:\programdata`.
 */
export const VENDOR_TASKS: readonly VendorTask[] = [
  ...ONEDRIVE_UPDATER.flatMap((program) => [
    {
      vendor: 'Microsoft',
      name: 'OneDrive Standalone Update Task-S-1-5-21-*',
      action: osqueryTaskAction(['', program, '']),
    },
    {
      vendor: 'Microsoft',
      name: 'OneDrive Reporting Task-S-1-5-21-*',
      action: osqueryTaskAction(['', program, '/reporting']),
    },
  ]),
  {
    vendor: 'Microsoft',
    name: 'OneDrive Startup Task-S-1-5-21-*',
    action: osqueryTaskAction(['', '%localappdata%\\microsoft\\onedrive\\onedrivelauncher.exe', '/startinstances']),
  },
  {
    vendor: 'Microsoft',
    name: 'OneDrive Per-Machine Standalone Update Task',
    action: osqueryTaskAction(['', '?:\\program files\\microsoft onedrive\\onedrivestandaloneupdater.exe', '']),
  },
  ...[GOOGLE_UPDATER, ''].map((dir) => ({
    vendor: 'Google',
    name: 'GoogleUpdaterTaskUser*',
    action: osqueryTaskAction([dir, `${GOOGLE_UPDATER}updater.exe`, '--wake']),
  })),
  ...['/c', '/ua /installsource scheduler'].flatMap((args) => [
    {
      vendor: 'Google',
      name: 'GoogleUpdateTaskUserS-1-5-21-*',
      action: osqueryTaskAction(['', PER_USER('google\\update\\googleupdate.exe'), args]),
    },
    {
      vendor: 'Microsoft',
      name: 'MicrosoftEdgeUpdateTaskUserS-1-5-21-*',
      action: osqueryTaskAction(['', PER_USER('microsoft\\edgeupdate\\microsoftedgeupdate.exe'), args]),
    },
    {
      vendor: 'Dropbox',
      name: 'DropboxUpdateTaskUserS-1-5-21-*',
      action: osqueryTaskAction(['', PER_USER('dropbox\\update\\dropboxupdate.exe'), args]),
    },
  ]),
  // Firefox's background updater from Program Files logs into its ProgramData folder.
  {
    vendor: 'Mozilla',
    name: 'Firefox Background Update *',
    action: osqueryTaskAction([
      '',
      '?:\\program files\\mozilla firefox\\firefox.exe',
      `--moz_log sync,prependheader,timestamp,append,maxsize:1,dump:5 --moz_log_file ?:\\programdata\\mozilla-${SEGMENT}\\updates\\${SEGMENT}\\backgroundupdate.moz_log --backgroundtask backgroundupdate`,
    ]),
  },
  // Defender's own tasks run MpCmdRun from its platform folder under ProgramData (admin-only, one folder per version).
  ...[
    ['Windows Defender Cache Maintenance', '-idletask -taskname wdcachemaintenance'],
    ['Windows Defender Cleanup', '-idletask -taskname wdcleanup'],
    ['Windows Defender Verification', '-idletask -taskname wdverification'],
    ['Windows Defender Scheduled Scan', 'scan -schedulejob -scantrigger 55 -idlescheduledjob'],
    ['Windows Defender Scheduled Scan', 'scan -schedulejob -scantrigger 55'],
  ].map(([name, args]) => ({
    vendor: 'Microsoft',
    name: name!,
    action: osqueryTaskAction(['', DEFENDER_PLATFORM, args!]),
  })),
];

/**
 * true when the image path ends in `\<name>` of a catalogued vendor component
 * and lies in none of its install folders; false when it lies in one; null
 * when no catalogued name ends the path. The name is the path's (the bytes
 * that run), never the process name, ASCII case-insensitive like SQL's lower().
 */
export function vendorNameMisplaced(path: string): boolean | null {
  const p = asciiLower(path);
  const v = VENDOR_COMPONENTS.find((c) => p.endsWith(`\\${c.name}`));
  if (v === undefined) return null;
  return !v.paths.some((g) => catalogGlobMatches(g, path));
}

/**
 * Whether a scheduled task is a catalogued vendor task: its name and its whole
 * action match one entry, and the action has no comma the entry does not
 * (commas()).
 */
export function isVendorTask(name: string, action: string): boolean {
  const text = vendorActionText(action);
  return VENDOR_TASKS.some(
    (t) =>
      commas(t.action) === commas(action) &&
      globMatches(t.name, name) &&
      catalogGlobMatches(vendorActionText(t.action), text),
  );
}

/**
 * Commas in an action. osquery joins a task's actions with ',', so a comma
 * the catalogued action does not hold (in literal text) may start a second
 * action that could run anything: the counts must be equal.
 */
export function commas(text: string): number {
  let n = 0;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) n++;
  return n;
}

/**
 * An action as the vendor tasks are matched against it, and each catalogued
 * action too (so `/c` matches `/c`): lower case, `/` as the separator Windows
 * reads it as, quotes dropped, %ProgramData% as `?:\programdata` (the spellings vendors' own
 * installers use for the same task). render-binary.ts renderVendorTask does
 * the same in SQL.
 */
export function vendorActionText(action: string): string {
  return asciiLower(action).replaceAll('/', '\\').replaceAll('"', '').replaceAll('%programdata%', '?:\\programdata');
}
