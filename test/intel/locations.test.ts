// The expected-location catalog and Windows path normalization: every
// catalogued name at a legitimate and at an illegitimate location, and the
// path forms osquery and Windows produce.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  CORE_LOCATION_NAMES,
  LOCATION_CATALOG,
  judgeLocation,
  normalizeWindowsPath,
} from '../../src/intel/locations.js';

/** A concrete directory matching a catalog pattern (wildcards filled in). */
function concrete(pattern: string): string {
  return pattern.replace(/\\\*\*$/, '\\servicing').replace(/\*/g, 'x');
}

test('every catalogued name is expected in each of its directories and not in user-writable places', () => {
  assert.ok(LOCATION_CATALOG.size > 150);
  for (const [name, dirs] of LOCATION_CATALOG) {
    for (const d of dirs) {
      const v = judgeLocation(`${concrete(d)}\\${name}`);
      assert.is(v.expected, true, `${name} in ${d}`);
    }
    for (const bad of [
      'C:\\Windows\\Temp',
      'C:\\Users\\Public',
      'C:\\ProgramData',
      'C:\\Users\\bob\\AppData\\Roaming',
      'D:\\Windows\\System32',
    ]) {
      assert.is(judgeLocation(`${bad}\\${name}`).expected, false, `${name} in ${bad}`);
    }
  }
});

test("Sigma's System File Execution Location Anomaly names and osquery windows-attacks names are all catalogued", () => {
  const rule = parse(
    readFileSync('/work/shared/reference/sigma/proc_creation_win_susp_system_exe_anomaly.yml', 'utf8'),
  );
  const sigma: string[] = rule.detection.selection['Image|endswith'].map((s: string) =>
    s.replace(/^\\/, '').toLowerCase(),
  );
  const osqueryPack = [
    'svchost.exe',
    'dllhost.exe',
    'conhost.exe',
    'lsass.exe',
    'services.exe',
    'wininit.exe',
    'cmd.exe',
    'powershell.exe',
    'explorer.exe',
    'osk.exe',
    'sethc.exe',
    'narrator.exe',
    'magnify.exe',
    'displayswitch.exe',
  ];
  for (const n of [...sigma, ...osqueryPack]) {
    assert.ok(LOCATION_CATALOG.has(n), `${n} missing from the catalog`);
    assert.ok(CORE_LOCATION_NAMES.includes(n), `${n} not in the hand-kept core`);
  }
});

test('the required svchost cases', () => {
  assert.is(judgeLocation('\\Device\\HarddiskVolume3\\Windows\\System32\\svchost.exe').expected, true);
  assert.is(judgeLocation('C:\\Windows\\Temp\\svchost.exe').expected, false);
  assert.is(judgeLocation('C:\\Users\\Public\\svchost.exe').expected, false);
  assert.is(judgeLocation('C:\\Windows\\System32\\..\\Temp\\svchost.exe').expected, false);
  assert.is(judgeLocation('C:\\Windows\\SysWOW64\\svchost.exe').expected, true);
  assert.is(judgeLocation('C:\\Tools\\notepad++.exe').expected, null);
});

test('prefixes, variables, slashes, case and dot segments normalize to one form', () => {
  const forms = [
    'C:\\Windows\\System32\\svchost.exe',
    'c:/windows/system32/SVCHOST.EXE',
    '\\??\\C:\\Windows\\System32\\svchost.exe',
    '\\\\?\\C:\\Windows\\System32\\svchost.exe',
    '\\\\.\\C:\\Windows\\System32\\svchost.exe',
    '\\SystemRoot\\System32\\svchost.exe',
    '%SystemRoot%\\System32\\svchost.exe',
    '%windir%\\system32\\svchost.exe',
    'C:\\Windows\\.\\System32\\drivers\\..\\svchost.exe',
    'C:\\Windows\\\\System32\\svchost.exe',
    '\\Device\\HarddiskVolume1\\Windows\\System32\\svchost.exe',
  ];
  for (const f of forms) {
    const n = normalizeWindowsPath(f);
    assert.is(n.path, 'c:\\windows\\system32\\svchost.exe', f);
    assert.is(judgeLocation(f).expected, true, f);
  }
  assert.equal(normalizeWindowsPath('\\Device\\HarddiskVolume1\\x.exe').flags, ['device_path']);
});

test('NT-only folder names, 8.3 names and unresolvable paths are flagged, never expected', () => {
  const spoof = normalizeWindowsPath('C:\\Program Files \\x.exe');
  assert.is(spoof.path, 'c:\\program files \\x.exe');
  assert.ok(spoof.flags.includes('trailing_dot_space'));
  assert.is.not(spoof.path, normalizeWindowsPath('C:\\Program Files\\x.exe').path);
  assert.is(judgeLocation('C:\\Windows\\System32.\\svchost.exe').expected, false);
  assert.is(judgeLocation('C:\\Windows \\System32\\svchost.exe').expected, false);
  const short = judgeLocation('C:\\WINDOW~1\\SYSTEM~1\\svchost.exe');
  assert.is(short.expected, false);
  assert.ok(short.normalized.flags.includes('short_name'));
  assert.ok(normalizeWindowsPath('C:\\PROGRA~1\\x.exe').flags.includes('short_name'));
  for (const [p, flag] of [
    ['svchost.exe', 'relative_path'],
    ['Windows\\System32\\svchost.exe', 'relative_path'],
    ['\\\\server\\share\\Windows\\System32\\svchost.exe', 'unc_path'],
    ['%TEMP%\\svchost.exe', 'unexpanded_variable'],
    ['C:\\..\\..\\Windows\\System32\\svchost.exe', 'escapes_root'],
  ] as const) {
    const v = judgeLocation(p);
    assert.ok(v.normalized.flags.includes(flag), `${p}: ${v.normalized.flags}`);
    assert.is(v.expected, false, p);
  }
});

test('hostile and huge inputs stay data', () => {
  assert.is(judgeLocation("C:\\Windows\\System32\\sv'chost.exe; rm -rf /").expected, null);
  assert.is(judgeLocation('C:\\Windows\\System32\\ѕvchost.exe').expected, null); // Cyrillic ѕ is not svchost
  const long = 'C:\\' + 'a\\'.repeat(100_000) + 'svchost.exe';
  assert.is(judgeLocation(long).expected, false);
  assert.is(judgeLocation('').expected, null);
});

test.run();
