// The vendor-component catalog, the code-host list, sameProgram() and the
// Schedule-host launch vector are each one list in src/ rendered into the
// pack's SQL: these tests run the rendered SQL in SQLite and compare it with
// the TypeScript answer on every catalogued name and folder, on look-alikes
// and on the real Windows shapes the catalog is for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  catalogGlobMatches,
  isVendorTask,
  PROFILE,
  SEGMENT,
  VENDOR_COMPONENTS,
  VENDOR_TASKS,
  vendorNameMisplaced,
} from '../../src/intel/vendor-components.js';
import { CODE_HOSTS, LOLBAS_CODE_HOSTS, isCodeHost } from '../../src/intel/code-hosts.js';
import { LOLBAS_LOCATIONS } from '../../src/intel/locations-lolbas.generated.js';
import { osqueryTaskAction } from '../../src/intel/task-action.js';
import { svchostAncestor, withScheduleHost } from '../../src/intel/launch-vectors.js';
import { RENAME_EXCEPTIONS, sameProgram } from '../../src/intel/rename-exceptions.js';
import {
  renderCodeHost,
  renderSameProgram,
  renderScheduleHostVector,
  renderVendorMisplaced,
  renderVendorTask,
} from '../../src/pack/render.js';
import { renderVouched } from '../../src/pack/render-binary.js';

const db = new Database(':memory:');

/** A concrete path for a catalogue glob: drive C, `*` as a plausible segment, a profile as `profile`. */
const concrete = (glob: string, fill: string, profile = 'alice') =>
  glob.replace(/\?:/g, 'C:').replaceAll(PROFILE, profile).replaceAll(SEGMENT, '131.0.6759.0').replace(/\*/g, fill);

function vendorPaths(): string[] {
  const out: string[] = [];
  for (const v of VENDOR_COMPONENTS) {
    const upper = v.name.replace(/^./, (c) => c.toUpperCase());
    for (const g of v.paths) {
      out.push(concrete(g, 'alice').replace(/\\alice$/, `\\${upper}`));
      out.push(concrete(g, '4.18.24090.11-0').replace(/\\4\.18\.24090\.11-0$/, `\\x\\${v.name}`));
      // Look-alikes: a trailing space, a suffix on the folder, the name one folder up.
      out.push(
        concrete(g, 'alice')
          .replace(/\\alice$/, '')
          .replace(/\\([^\\]+)$/, '\\$1 ') + `\\${upper}`,
      );
      out.push(
        concrete(g, 'alice')
          .replace(/\\alice$/, '')
          .replace(/\\([^\\]+)$/, '\\$1 Advanced') + `\\${upper}`,
      );
    }
    // A per-user folder anywhere but in one user's own profile: nested in another folder, or a shared profile.
    for (const g of v.paths.filter((p) => p.includes(PROFILE))) {
      out.push(concrete(g, 'x', 'bob\\AppData\\Local\\Temp\\z').replace(/\\x$/, `\\${upper}`));
      for (const shared of ['Public', 'Default', 'Default User', 'All Users'])
        out.push(concrete(g, 'x', shared).replace(/\\x$/, `\\${upper}`));
    }
    out.push(
      `C:\\Users\\bob\\AppData\\Local\\Temp\\${upper}`,
      `C:\\ProgramData\\${upper}`,
      `D:\\${v.name}.bak`,
      `C:\\Users\\Public\\x${v.name}`,
    );
  }
  return out;
}

test('vendor catalog: names are unique, lower-case files; globs use only * and ?', () => {
  const names = VENDOR_COMPONENTS.map((v) => v.name);
  assert.is(new Set(names).size, names.length);
  for (const v of VENDOR_COMPONENTS) {
    assert.match(v.name, /^[a-z0-9_.-]+\.exe$/);
    for (const g of v.paths) assert.not.match(g, /[[\]]/);
  }
});

test('PROFILE: one segment under Users, never a shared profile, wherever it stands in a glob', () => {
  const g = `?:\\users\\${PROFILE}\\appdata\\local\\x\\*`;
  assert.ok(catalogGlobMatches(g, 'C:\\Users\\alice\\AppData\\Local\\X\\1.2\\x.exe'));
  assert.ok(catalogGlobMatches(g, 'D:\\Users\\Public Relations\\AppData\\Local\\X\\x.exe'));
  for (const p of [
    'C:\\Users\\alice\\Desktop\\AppData\\Local\\X\\x.exe',
    'C:\\Users\\PUBLIC\\AppData\\Local\\X\\x.exe',
    'C:\\Users\\Default User\\AppData\\Local\\X\\x.exe',
    'C:\\Users\\All Users\\AppData\\Local\\X\\x.exe',
    'C:\\Users\\AppData\\Local\\X\\x.exe',
  ])
    assert.not.ok(catalogGlobMatches(g, p), p);
  // Two in one glob (a task's working directory and its program): each is held to one profile.
  const two = `?:\\users\\${PROFILE}\\a\\ ?:\\users\\${PROFILE}\\b.exe`;
  assert.ok(catalogGlobMatches(two, 'C:\\Users\\al\\a\\ C:\\Users\\al\\b.exe'));
  assert.not.ok(catalogGlobMatches(two, 'C:\\Users\\al\\a\\ C:\\Users\\Public\\b.exe'));
  assert.not.ok(catalogGlobMatches(two, 'C:\\Users\\al\\a\\ C:\\Users\\al\\t\\b.exe'));
});

test('vendor misplaced: the rendered CASE agrees with vendorNameMisplaced() on every folder and look-alike', () => {
  const sql = db.prepare(`SELECT ${renderVendorMisplaced('x.p')} AS m FROM (SELECT ? AS p) AS x`);
  let misplaced = 0;
  let placed = 0;
  for (const p of [...vendorPaths(), 'C:\\Windows\\notepad.exe', '']) {
    const want = vendorNameMisplaced(p);
    const got = (sql.get(p) as { m: number }).m;
    assert.is(got, want === true ? 1 : 0, p);
    if (want === true) misplaced++;
    if (want === false) placed++;
  }
  assert.ok(misplaced > 50 && placed > 50, `${misplaced} misplaced, ${placed} in place`);
});

test('vendor misplaced: real install folders are expected, miners borrowing the names are not', () => {
  for (const p of [
    'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe',
    'C:\\Program Files\\Windows Defender\\MpCmdRun.exe',
    'C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe',
    'C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe',
    'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe',
    'C:\\Users\\alice\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe',
    'C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe',
    'C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun\\OfficeClickToRun.exe',
    'C:\\Users\\alice\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe',
  ])
    assert.is(vendorNameMisplaced(p), false, p);
  for (const p of [
    'C:\\ProgramData\\Microsoft\\Windows Defender Advanced\\MsMpEng.exe',
    'C:\\Users\\carol\\AppData\\Local\\Temp\\GoogleUpdate.exe',
    'C:\\ProgramData\\Microsoft OneDrive\\OneDriveStandaloneUpdater.exe',
    'C:\\Program Files \\Google\\Update\\GoogleUpdate.exe',
    'C:\\Users\\Public\\Libraries\\GoogleUpdate.exe',
    // Per-user folders are one user's own: not nested elsewhere, not a profile every user can write.
    'C:\\Users\\alice\\AppData\\Local\\Temp\\z\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe',
    'C:\\Users\\Public\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe',
    'C:\\Users\\Default\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe',
  ])
    assert.is(vendorNameMisplaced(p), true, p);
  assert.is(vendorNameMisplaced('C:\\Tools\\updater.exe'), null);
});

test('vendor tasks: the rendered test agrees with isVendorTask(); a second action or other arguments are not the vendor task', () => {
  const sql = db.prepare(
    `SELECT ${renderVendorTask('t.name', 't.action')} AS v FROM (SELECT ? AS name, ? AS action) AS t`,
  );
  const cases: [string, string][] = [];
  for (const t of VENDOR_TASKS) {
    const name = concrete(t.name, '3623811015-3361044348-30300820-1013');
    const action = concrete(t.action, 'alice');
    assert.ok(isVendorTask(name, action), `the catalogued task itself: ${name} | ${action}`);
    cases.push(
      [name, action],
      [name, `${action}, C:\\Users\\Public\\m.exe`],
      [name, `${action} -o pool.x:3333`],
      ['Other Task', action],
      [name, action.toUpperCase()],
    );
    if (t.action.includes(PROFILE)) {
      for (const profile of ['Public', 'alice\\AppData\\Local\\Temp\\z']) {
        const elsewhere = concrete(t.action, '131.0.6759.0', profile);
        cases.push([name, elsewhere]);
        assert.not.ok(isVendorTask(name, elsewhere), elsewhere);
      }
    }
  }
  let yes = 0;
  for (const [name, action] of cases) {
    const want = isVendorTask(name, action);
    assert.is((sql.get(name, action) as { v: number }).v, want ? 1 : 0, `${name} | ${action}`);
    if (want) yes++;
  }
  assert.ok(yes >= VENDOR_TASKS.length, `${yes} vendor tasks recognised`);
  // As osquery prints them (osqueryTaskAction: both separating spaces always there).
  const oneDrive = 'OneDrive Standalone Update Task-S-1-5-21-1-2-3-1013';
  const updater = '%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe';
  assert.ok(isVendorTask(oneDrive, osqueryTaskAction(['', updater, ''])));
  assert.not.ok(isVendorTask(oneDrive, updater), 'not the shape osquery prints');
  assert.not.ok(isVendorTask(oneDrive, osqueryTaskAction(['', updater, ''], ['', 'C:\\m.exe', ''])));
  assert.not.ok(isVendorTask('SvcUpd', osqueryTaskAction(['', updater, ''])));
  assert.ok(
    isVendorTask(
      'Windows Defender Cache Maintenance',
      osqueryTaskAction([
        '',
        'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe',
        '-IdleTask -TaskName WdCacheMaintenance',
      ]),
    ),
  );
  // Real shapes: Firefox's updater logging into ProgramData; Defender's program quoted or through %ProgramData%.
  const firefox = (extra: string) =>
    osqueryTaskAction([
      '',
      'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      `--MOZ_LOG sync,prependheader,timestamp,append,maxsize:1,Dump:5 --MOZ_LOG_FILE ${extra}C:\\ProgramData\\Mozilla-1de4eec8-1241-4177-a864-e594e8d1fb38\\updates\\308046B0AF4A39CB\\backgroundupdate.moz_log --backgroundtask backgroundupdate`,
    ]);
  // Its commas are the catalogued ones; one more may start a second action.
  assert.not.ok(isVendorTask('Firefox Background Update 308046B0AF4A39CB', firefox(', C:\\Users\\a\\m.exe ')));
  assert.ok(
    isVendorTask(
      'Firefox Background Update 308046B0AF4A39CB',
      osqueryTaskAction([
        '',
        'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
        '--MOZ_LOG sync,prependheader,timestamp,append,maxsize:1,Dump:5 --MOZ_LOG_FILE C:\\ProgramData\\Mozilla-1de4eec8-1241-4177-a864-e594e8d1fb38\\updates\\308046B0AF4A39CB\\backgroundupdate.moz_log --backgroundtask backgroundupdate',
      ]),
    ),
  );
  for (const program of [
    '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe"',
    '%ProgramData%\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe',
  ])
    assert.ok(
      isVendorTask(
        'Windows Defender Scheduled Scan',
        osqueryTaskAction(['', program, 'Scan -ScheduleJob -ScanTrigger 55']),
      ),
      program,
    );
  // A forward slash is a separator to Windows: this profile is Public.
  assert.not.ok(
    isVendorTask(
      'GoogleUpdateTaskUserS-1-5-21-9',
      osqueryTaskAction(['', 'C:\\Users\\Public/x\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe', '/c']),
    ),
  );
  // A second program hidden in the updater's version folder: a version is one folder name.
  const g = 'C:\\Users\\alice\\AppData\\Local\\Google\\GoogleUpdater\\1';
  assert.not.ok(
    isVendorTask(
      'GoogleUpdaterTaskUserS-1-5-21-9',
      osqueryTaskAction([
        `${g} C:\\Users\\alice\\AppData\\Roaming\\svcupdate\\svcupdate.exe --config config.json \\`,
        `"${g}\\updater.exe"`,
        '--wake',
      ]),
    ),
  );
});

test('code hosts: the rendered test agrees with isCodeHost() for every entry, case and look-alike', () => {
  const sql = db.prepare(`SELECT ${renderCodeHost('x.p')} AS h FROM (SELECT ? AS p) AS x`);
  for (const n of CODE_HOSTS) {
    for (const p of [
      `C:\\Windows\\System32\\${n}`,
      `C:\\Windows\\System32\\${n.toUpperCase()}`,
      `C:\\x\\${n}.exe`,
      `C:\\x\\x${n}`,
      `C:\\x\\ ${n}`,
      `C:\\x\\${n} `,
      `C:\\x y\\${n}`,
      `C:\\x\\y.${n}`,
      `\\${n}`,
      n,
    ]) {
      assert.is((sql.get(p) as { h: number }).h, isCodeHost(p) ? 1 : 0, p);
    }
  }
  assert.ok(isCodeHost('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'));
  assert.not.ok(isCodeHost('C:\\Windows\\System32\\defrag.exe'));
  assert.is(new Set(CODE_HOSTS).size, CODE_HOSTS.length);
});

test('code hosts from LOLBAS: each is a Windows binary of the LOLBAS lookup; its compressors and downloaders are not hosts', () => {
  const lolbas = new Set(LOLBAS_LOCATIONS.map((l) => l.name));
  for (const n of LOLBAS_CODE_HOSTS) assert.ok(lolbas.has(n), `${n} is not in the LOLBAS lookup`);
  assert.ok(isCodeHost('C:\\Windows\\System32\\wuauclt.exe'));
  assert.ok(isCodeHost('C:\\Windows\\SysWOW64\\odbcconf.exe'));
  for (const n of ['makecab.exe', 'tar.exe', 'bitsadmin.exe', 'certutil.exe'])
    assert.not.ok(isCodeHost(`C:\\Windows\\System32\\${n}`), n);
});

test('vouched: a trusted, placed binary is, unless the judged bytes may not be what runs or the reader found it suspicious', () => {
  const sql = db.prepare(
    `SELECT ${renderVouched({ status: 'x.s', result: 'x.r', renamed: 'x.n', verdict: 'x.v', reasons: 'x.why', path: 'x.p' })} AS v` +
      ' FROM (SELECT ? AS s, ? AS r, 0 AS n, ? AS v, ? AS why, ? AS p) AS x',
  );
  const vouched = (
    verdict: string | null,
    reasons: string | null,
    status = 'trusted',
    result: string | null = 'trusted',
  ) => (sql.get(status, result, verdict, reasons, 'C:\\Program Files\\Vendor\\tool.exe') as { v: number }).v;
  assert.is(vouched('ok', ''), 1);
  assert.is(vouched(null, null), 1, 'no reader row: Windows trusts it');
  // A running image renamed away and a trusted file put at its path (Windows allows renaming a running EXE).
  assert.is(vouched('unknown', 'image_changed_after_start'), 0);
  assert.is(vouched('unknown', 'image_deleted,image_replaced'), 0);
  assert.is(vouched('suspicious', 'miner_strings'), 0);
  assert.is(vouched('ok', '', 'missing', 'untrusted'), 0);
  // Windows signed these and they sit where Windows puts them, but they run what they are handed.
  const at = (p: string) => (sql.get('trusted', 'trusted', 'ok', '', p) as { v: number }).v;
  assert.is(at('C:\\Windows\\System32\\wuauclt.exe'), 0);
  assert.is(at('C:\\Windows\\System32\\odbcconf.exe'), 0);
  assert.is(at('C:\\Windows\\System32\\rundll32.exe'), 0);
  assert.is(at('C:\\Windows\\System32\\MoUsoCoreWorker.exe'), 1);
  // A vendor name in a profile every user can write is not the vendor's per-user install.
  assert.is(at('C:\\Users\\alice\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe'), 1);
  assert.is(at('C:\\Users\\Public\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe'), 0);
});

test('same program: the rendered test agrees with sameProgram() on apphosts, .mui, exceptions and renames', () => {
  const sql = db.prepare(`SELECT ${renderSameProgram('x.n', 'x.o')} AS s FROM (SELECT ? AS n, ? AS o) AS x`);
  const pairs: [string, string][] = [
    ['pwsh.exe', 'pwsh.dll'],
    ['PWSH.EXE', 'pwsh.dll'],
    ['testhost.exe', 'testhost.dll'],
    ['svchelper.exe', 'NBMiner.dll'],
    ['svcupd.exe', 'xmrig.exe'],
    ['notepad.exe', 'NOTEPAD.EXE.MUI'],
    ['notepad.exe', 'notepad.exe'],
    ['a.exe', 'a.dll.mui'],
    ['x.dll', 'x.exe'],
    ['an1489.ext.exe', 'an1489.ext.exe'],
    ['an1489.ext.exe', 'an1489.ext.dll'],
    ['an1489.ext.exe', 'node.exe'],
    ...RENAME_EXCEPTIONS.flatMap(
      (e) =>
        [
          [e.onDisk, e.original],
          [e.onDisk, 'other.exe'],
          ['other.exe', e.original],
        ] as [string, string][],
    ),
  ];
  for (const [n, o] of pairs) assert.is((sql.get(n, o) as { s: number }).s, sameProgram(n, o) ? 1 : 0, `${n} / ${o}`);
  assert.ok(sameProgram('pwsh.exe', 'pwsh.dll'));
  assert.not.ok(sameProgram('svchelper.exe', 'NBMiner.dll'));
});

test('Schedule host: the rendered vector agrees with withScheduleHost() on ancestries with and without the services row', () => {
  const schema = db.prepare('CREATE TABLE IF NOT EXISTS services (name TEXT COLLATE NOCASE, pid INTEGER)');
  schema.run();
  const sql = db.prepare(`SELECT ${renderScheduleHostVector('s.v', 's.a')} AS v FROM (SELECT ? AS v, ? AS a) AS s`);
  const ancestries = [
    'miner.exe(8600) <- svchost.exe(1100) <- services.exe(700)',
    'miner.exe(8600) <- cmd.exe(8590) <- SVCHOST.EXE(1100) <- services.exe(700)',
    'miner.exe(8600) <- svchost.exe(11000) <- services.exe(700)',
    'svchost.exe(1100) <- services.exe(700)',
    'miner.exe(8600) <- explorer.exe(3000)',
    '',
  ];
  for (const pid of [null, 1100, 0]) {
    db.prepare('DELETE FROM services').run();
    db.prepare("INSERT INTO services VALUES ('Winmgmt', 1100)").run();
    if (pid !== null) db.prepare("INSERT INTO services VALUES ('schedule', ?)").run(pid);
    for (const a of ancestries) {
      for (const v of ['other', 'wmi', 'scheduled_task', 'interactive']) {
        const want = withScheduleHost(v as 'other', a, pid);
        assert.is((sql.get(v, a) as { v: string }).v, want, `${pid} ${a} ${v}`);
      }
    }
  }
  assert.is(withScheduleHost('service', 'm.exe(1) <- svchost.exe(1100) <- services.exe(700)', 1100), 'scheduled_task');
  assert.is(svchostAncestor(1100), ' <- svchost.exe(1100)');
});

test('no pack query spells a vendor component by hand', () => {
  // (System names are core_masquerade's own catalog; code hosts only ever come from @vouched.)
  const names = VENDOR_COMPONENTS.map((v) => v.name);
  for (const d of ['queries', 'core-only', 'policies']) {
    const dir = join(process.cwd(), 'packs', d);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
      const code = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .toLowerCase();
      for (const n of names)
        assert.not.ok(code.includes(`'${n}'`) || code.includes(`\\${n}'`), `${f} lists ${n} by hand`);
    }
  }
});

test.run();
