// Lists the pack's SQL shares with the TypeScript side are rendered from one
// source (src/intel), never written twice: these tests run the rendered SQL
// in SQLite and compare every entry with the TypeScript answer, and fail when
// a pack file spells such a list by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bandOf, CPU_BANDS } from '../../src/intel/cpu-bands.js';
import {
  hasSpoofedFolder,
  isSystemFolderPath,
  isUserWritablePath,
  SPOOFED_FOLDER_GLOBS,
  SYSTEM_FOLDERS,
  USER_WRITABLE_FOLDERS,
} from '../../src/intel/folders.js';
import {
  AN1489_VECTORS,
  LAUNCH_RULES,
  LAUNCH_VECTORS,
  launchVector,
  type LaunchVector,
} from '../../src/intel/launch-vectors.js';
import { judgeLocation, LOCATION_CATALOG } from '../../src/intel/locations.js';
import { MINER_FAMILIES } from '../../src/intel/miner-catalog.js';
import { IPV4_INTERNAL, IPV6_INTERNAL, isExternalAddress } from '../../src/intel/network.js';
import { parseBaseline } from '../../src/intel/baseline.js';
import { parseQueryFile } from '../../src/pack/query-file.js';
import {
  renderAn1489Vector,
  renderInternalAddress,
  renderCpuBand,
  renderLaunchReason,
  renderLaunchVector,
  renderLocationUnexpected,
  renderMentionsVector,
  renderSql,
} from '../../src/pack/render.js';

const db = new Database(':memory:');

test('launch vector CASE agrees with launchVector() for every rule name, cmdline shape and pid', () => {
  const sql = db.prepare(
    `SELECT ${renderLaunchVector('p.pid', 'p.name', 'p.cmdline')} AS v FROM (SELECT ? AS pid, ? AS name, ? AS cmdline) AS p`,
  );
  const cmdlines = [
    null,
    '',
    'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    'svchost.exe -k netsvcs',
    'svchost.exe -k netsvcs -p   -s\tSchedule',
    'x -S SCHEDULE',
  ];
  let checked = 0;
  for (const rule of LAUNCH_RULES) {
    for (const name of [...rule.names, ...rule.names.map((n) => n.toUpperCase())]) {
      for (const cmdline of cmdlines) {
        for (const pid of [1, 77]) {
          const want = launchVector([{ pid, name, cmdline }]);
          const got = (sql.get(pid, name, cmdline) as { v: string }).v;
          assert.is(got, want, `${name} pid ${pid} ${JSON.stringify(cmdline)}`);
          checked++;
        }
      }
    }
  }
  assert.equal((sql.get(5, 'notepad.exe', '') as { v: string }).v, 'other');
  assert.ok(checked > 100);
});

test('CPU band CASE agrees with bandOf() at and around every bound', () => {
  const sql = db.prepare(`SELECT ${renderCpuBand('x')} AS b FROM (SELECT ? AS x)`);
  const points = [0, 1000, ...CPU_BANDS.flatMap((b) => [b.min - 0.01, b.min, b.min + 0.01])];
  for (const x of points) assert.is((sql.get(x) as { b: string }).b, bandOf(x), String(x));
});

test('AN1489 vector test and reason CASE agree with LAUNCH_VECTORS for every vector', () => {
  const q = db.prepare(
    `SELECT ${renderAn1489Vector('x.v')} AS an, ${renderLaunchReason('x.v')} AS reason FROM (SELECT ? AS v) AS x`,
  );
  for (const v of Object.keys(LAUNCH_VECTORS) as LaunchVector[]) {
    const row = q.get(v) as { an: number; reason: string };
    const reason: string | null = LAUNCH_VECTORS[v].reason;
    assert.is(row.an === 1, reason !== null, v);
    assert.is(row.reason, reason ?? '', v);
  }
  assert.equal(
    AN1489_VECTORS.map((v) => v.vector),
    ['scheduled_task', 'wmi', 'powershell'],
  );
  assert.equal(q.get('bogus'), { an: 0, reason: '' });
});

test('a vector mention is true for every program of its rules and false otherwise', () => {
  for (const v of Object.keys(LAUNCH_VECTORS)) {
    const rules = LAUNCH_RULES.filter((r) => r.vector === v);
    if (rules.length === 0) {
      assert.throws(() => renderMentionsVector(v, 'x.a'));
      continue;
    }
    const q = db.prepare(`SELECT ${renderMentionsVector(v, 'x.a')} FROM (SELECT ? AS a) AS x`).pluck();
    for (const n of rules.flatMap((r) => r.names)) assert.is(q.get(`C:\\Dir ${n.toUpperCase()} -x`), 1, `${v} ${n}`);
  }
  const ps = db.prepare(`SELECT ${renderMentionsVector('powershell', 'x.a')} FROM (SELECT ? AS a) AS x`).pluck();
  assert.is(ps.get('powershell -enc AAAA'), 1);
  assert.is(ps.get('cmd.exe /c start x.exe'), 0);
  assert.throws(() => renderMentionsVector('bogus', 'x'), /unknown launch vector/);
});

test('the internal-address marker agrees with isExternalAddress() at and around every range bound', () => {
  const q = db.prepare(`SELECT ${renderInternalAddress('x.a')} FROM (SELECT ? AS a) AS x`).pluck();
  const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const num = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const addrs = [
    '0',
    '',
    '::',
    '::1',
    '8.8.8.8',
    '2606:4700::1111',
    '2001:db8::1',
    '1::',
    'fe7f::1',
    'fec0::1',
    'fbff::1',
    'fe00::1',
    '239::1',
    '224::1',
  ];
  for (const [net, len] of IPV4_INTERNAL) {
    const lo = num(net);
    const hi = lo + 2 ** (32 - len) - 1;
    for (const n of [lo - 1, lo, lo + 1, hi - 1, hi, hi + 1]) if (n >= 0 && n < 2 ** 32) addrs.push(v4(n));
  }
  for (const [net, len] of IPV6_INTERNAL) {
    const hi = net + 2 ** (16 - len) - 1;
    for (const g of [net - 1, net, hi, hi + 1])
      if (g > 0 && g < 0x10000) addrs.push(`${g.toString(16)}::1`, `${g.toString(16)}:0:1::2`);
  }
  for (const a of addrs) assert.is(q.get(a) === 1, !isExternalAddress(a), a);
  assert.ok(addrs.length > 60);
});

test('a query that reports launch reasons declares each, and docs/siem.md explains each', () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'siem.md'), 'utf8');
  for (const v of AN1489_VECTORS) assert.ok(doc.includes(v.reason), `docs/siem.md does not explain ${v.reason}`);
  let users = 0;
  for (const d of ['queries', 'core-only', 'policies']) {
    const dir = join(process.cwd(), 'packs', d);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
      const q = parseQueryFile(readFileSync(join(dir, f), 'utf8'), f);
      if (!/@(launch_reason|launch_vector)\b/.test(q.sql)) continue;
      users++;
      for (const v of AN1489_VECTORS)
        assert.ok(q.metadata.reasons.includes(v.reason), `${f}: header reasons lack ${v.reason}`);
    }
  }
  assert.ok(users >= 3, String(users));
});

const RENDER = { baseline: parseBaseline('version: 1\n') };
const PATHS = [
  'C:\\Users\\bob\\AppData\\Roaming\\x\\m.exe',
  'c:\\users\\public\\svchost.exe',
  'C:\\ProgramData\\Microsoft\\Windows Defender\\MsMpEng.exe',
  'C:\\Windows\\Temp\\a.exe',
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Windows\\SysWOW64\\cmd.exe',
  'C:\\Windows\\explorer.exe',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Steam\\game.exe',
  'C:\\Program Files \\Microsoft\\Edge\\msedge.exe',
  'D:\\$Recycle.Bin\\S-1-5-21\\x.exe',
  'C:\\PerfLogs\\x.exe',
  'C:\\Intel\\x.exe',
  'C:\\Windows.\\System32\\x.exe',
  'C:\\tools\\a.b\\x.exe',
  '\\\\srv\\share\\x.exe',
];

test('folder markers agree with the TypeScript folder tests on every path', () => {
  const row = (sql: string, p: string) =>
    db
      .prepare(`SELECT ${renderSql(sql, RENDER)} AS b FROM (SELECT ? AS p) AS x`)
      .pluck()
      .get(p) as number;
  for (const p of PATHS) {
    assert.is(row('0 /*@user_writable expr=x.p*/', p) === 1, isUserWritablePath(p), `user_writable ${p}`);
    assert.is(row('0 /*@system_path expr=x.p*/', p) === 1, isSystemFolderPath(p), `system_path ${p}`);
    assert.is(row('0 /*@spoofed_folder expr=x.p*/', p) === 1, hasSpoofedFolder(p), `spoofed ${p}`);
    // A spoofed folder is what judgeLocation calls trailing_dot_space.
    assert.is(hasSpoofedFolder(p), judgeLocation(p).normalized.flags.includes('trailing_dot_space'), `trailing ${p}`);
  }
  assert.ok(USER_WRITABLE_FOLDERS.length > 0 && SYSTEM_FOLDERS.length > 0 && SPOOFED_FOLDER_GLOBS.length > 0);
});

/** Every place a catalogued name might be found: each folder it is given, instantiated, and near misses. */
function locationCases(name: string, dirs: readonly string[]): string[] {
  const out = new Set<string>();
  const inst = (d: string) => d.replace(/\*/g, 'ab');
  for (const d of dirs) {
    const subtree = d.endsWith('\\**');
    const base = inst(subtree ? d.slice(0, -3) : d);
    out.add(`${base}\\${name}`);
    out.add(`${base.toUpperCase()}\\${name.toUpperCase()}`);
    out.add(`${base}\\deeper\\${name}`);
    out.add(`${base.replace(/^c:/, 'd:')}\\${name}`);
    out.add(`${base} \\${name}`);
    if (d.includes('*') && !subtree) out.add(`${d.replace(/\*/g, 'a\\b')}\\${name}`);
    if (d.includes('*')) out.add(`${d.replace(/\*/g, 'progra~1')}\\${name}`);
  }
  for (const p of [
    'c:\\users\\public',
    'c:\\windows\\temp',
    'c:\\programdata\\x',
    'c:\\windows\\system32\\x',
    'c:\\windows',
    'c:\\program files\\x',
  ])
    out.add(`${p}\\${name}`);
  return [...out];
}

test('the location marker agrees with judgeLocation() for every catalogued name and its folders', () => {
  const q = db.prepare(
    `SELECT ${renderLocationUnexpected('x.name', 'x.path')} AS u FROM (SELECT ? AS name, ? AS path) AS x`,
  );
  let checked = 0;
  for (const [name, dirs] of LOCATION_CATALOG) {
    for (const path of locationCases(name, dirs)) {
      const file = path.slice(path.lastIndexOf('\\') + 1);
      const got = q.pluck().get(file, path) as number;
      assert.is(got === 1, judgeLocation(path).expected === false, `${path}`);
      checked++;
    }
  }
  // Names the catalog does not hold are never judged.
  assert.is(q.pluck().get('miner.exe', 'c:\\users\\public\\miner.exe'), 0);
  assert.ok(checked > 1000, String(checked));
});

test('no pack query spells a catalog, a vector list or the CPU bands by hand', () => {
  const dirs = ['queries', 'core-only', 'policies'].map((d) => join(process.cwd(), 'packs', d));
  const names = new Set(
    LAUNCH_RULES.filter((r) => r.vector !== 'other')
      .flatMap((r) => r.names)
      .map((n) => n.toLowerCase()),
  );
  const needles = MINER_FAMILIES.flatMap((f) => f.contains).map((n) => n.toLowerCase());
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
      // Comments may name them; code may not.
      const code = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .toLowerCase();
      for (const n of names)
        assert.not.ok(
          code.includes(`'${n}'`),
          `${f} lists '${n}' by hand; use /*@launch_vector*/ or /*@location_unexpected*/`,
        );
      for (const n of LOCATION_CATALOG.keys())
        assert.not.ok(code.includes(`'${n}'`), `${f} lists '${n}' by hand; use /*@location_unexpected*/`);
      for (const v of Object.keys(LAUNCH_VECTORS))
        assert.not.ok(
          code.includes(`'${v}'`),
          `${f} spells the vector '${v}'; use /*@an1489_vector*/ or /*@launch_reason*/`,
        );
      for (const v of AN1489_VECTORS)
        assert.not.ok(code.includes(`'${v.reason.toLowerCase()}`), `${f} spells ${v.reason}; use /*@launch_reason*/`);
      for (const b of CPU_BANDS)
        assert.not.ok(code.includes(`'${b.label}'`), `${f} spells the CPU band '${b.label}'; use /*@cpu_band*/`);
      for (const n of needles)
        assert.not.ok(code.includes(n), `${f} spells the miner needle ${n}; use /*@miner_match*/`);
      assert.not.ok(/'\?:\\/.test(code) || /'[a-z]:\\/.test(code), `${f} spells a Windows folder; use a folder marker`);
      assert.not.ok(/\b(3333|4444|14444)\b/.test(code), `${f} spells pool ports; use /*@pool_port*/`);
      assert.not.ok(
        /'(10|127|192\.168|169\.254|172)\.|fe\[89ab\]/.test(code),
        `${f} spells address ranges; use /*@internal_address*/`,
      );
    }
  }
});

test.run();
