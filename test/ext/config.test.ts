// Configuration and safety on disk: the loader against real files (corrupt,
// unknown key, bad value, relative paths, reload keeping the last good one),
// the 0600 atomic writer, the permission checks, and the real extension
// process reporting a config that others can write — from its stderr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import {
  CONFIG_FILE_NAME,
  ConfigStore,
  STATE_DIR_NAME,
  checkPathSafety,
  defaultConfig,
  loadConfigFile,
  locateConfig,
} from '../../src/config/index.js';
import { TestManager } from '../manager/manager.js';
import { ensureExtBinary, exitWithin, launchLikeOsqueryd, ROOT } from './helpers.js';

const tmp = mkdtempSync('/tmp/an1489-cfg-');
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(content: string): string {
  const dir = join(tmp, `c${++n}`);
  mkdirSync(dir);
  const p = join(dir, CONFIG_FILE_NAME);
  writeFileSync(p, content);
  return p;
}
function errorOf(path: string): string {
  const r = loadConfigFile(path, tmp);
  if (r.ok) throw new Error(`expected ${path} to be refused`);
  return r.error;
}

test('missing file: defaults, state dir beside the binary', () => {
  const r = loadConfigFile(join(tmp, 'nowhere', CONFIG_FILE_NAME), '/opt/ext');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.present, false);
  assert.is(r.config.sampleIntervalSeconds, defaultConfig().sampleIntervalSeconds);
  assert.is(r.config.stateDir, join('/opt/ext', STATE_DIR_NAME));
});

test('valid file: values in force, relative paths anchored at the config folder (never the cwd)', () => {
  const p = file(
    JSON.stringify({
      sampleIntervalSeconds: 1,
      thresholds: { minCpuPercent: 50 },
      stateDir: 'state',
      baselinePath: '../b.yaml',
      logLevel: 'warn',
    }),
  );
  const r = loadConfigFile(p, '/opt/ext');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.config.sampleIntervalSeconds, 1);
  assert.is(r.config.thresholds.minCpuPercent, 50);
  assert.is(
    r.config.thresholds.minDurationSeconds,
    defaultConfig().thresholds.minDurationSeconds,
    'unset nested field keeps its default',
  );
  assert.is(r.config.stateDir, join(p, '..', 'state'));
  assert.is(r.config.baselinePath, join(p, '..', '..', 'b.yaml'));
  assert.is(r.config.logLevel, 'warn');
});

test('corrupt, unknown key, bad value, wrong shape: one clear error naming the problem', () => {
  assert.match(errorOf(file('{"sampleIntervalSeconds": 5,')), /not valid JSON/);
  assert.match(errorOf(file('')), /not valid JSON/);
  assert.match(errorOf(file('[1,2]')), /must be a JSON object/);
  assert.match(errorOf(file(JSON.stringify({ sampleIntervalSecond: 5 }))), /unknown key "sampleIntervalSecond"/);
  assert.match(
    errorOf(file(JSON.stringify({ thresholds: { minCpuPercnt: 5 } }))),
    /unknown key "thresholds\.minCpuPercnt"/,
  );
  assert.match(
    errorOf(file(JSON.stringify({ thresholds: { minCpuPercent: -1 } }))),
    /field "thresholds\.minCpuPercent"/,
  );
  assert.match(errorOf(file(JSON.stringify({ maxTrackedProcesses: 1.5 }))), /field "maxTrackedProcesses"/);
  assert.match(errorOf(file(JSON.stringify({ logLevel: 'loud' }))), /field "logLevel"/);
  assert.match(
    errorOf(file(JSON.stringify({ signature: { maxBytesPerFile: '10' } }))),
    /field "signature\.maxBytesPerFile"/,
  );
  assert.match(
    errorOf(file(JSON.stringify({ sampleIntervalSeconds: 600, historyWindowMinutes: 5 }))),
    /field "sampleIntervalSeconds".*shorter than historyWindowMinutes/,
  );
  assert.match(errorOf(file(`{"stateDir": "${'x'.repeat(2 * 1024 * 1024)}"}`)), /more than the \d+ allowed/);
  const dir = join(tmp, 'adir');
  mkdirSync(join(dir, CONFIG_FILE_NAME), { recursive: true });
  assert.match(errorOf(join(dir, CONFIG_FILE_NAME)), /not a regular file/);
  // A BOM (Notepad) is not an error.
  const bom = loadConfigFile(file(`\ufeff${JSON.stringify({ logLevel: 'debug' })}`), tmp);
  assert.ok(bom.ok && bom.config.logLevel === 'debug');
});

test('AN1489_CONFIG must be absolute; the default location is beside the binary', () => {
  assert.throws(
    () => locateConfig({ AN1489_CONFIG: 'an1489.config.json' }, '/opt/ext/an1489.ext'),
    /not an absolute path/,
  );
  assert.is(locateConfig({}, '/opt/ext/an1489.ext').path, join('/opt/ext', CONFIG_FILE_NAME));
  assert.is(locateConfig({ AN1489_CONFIG: '/etc/an1489.json' }, '/opt/ext/an1489.ext').path, '/etc/an1489.json');
  const lines: string[] = [];
  const store = ConfigStore.open(
    (l, m) => lines.push(`${l} ${m}`),
    { AN1489_CONFIG: 'relative.json' },
    join(tmp, 'bin', 'an1489.ext'),
  );
  assert.equal(store.current.logLevel, 'info');
  assert.match(lines.join('\n'), /error AN1489_CONFIG="relative.json" is not an absolute path.*using the defaults/);
});

test('a broken file at start means defaults; a broken reload keeps the last good config', () => {
  const lines: string[] = [];
  const p = file('{ broken');
  const store = ConfigStore.open((l, m) => lines.push(`${l} ${m}`), { AN1489_CONFIG: p }, '/opt/ext/an1489.ext');
  assert.is(store.current.sampleIntervalSeconds, defaultConfig().sampleIntervalSeconds);
  assert.match(lines.at(-1)!, /^error config .* not valid JSON.*using the defaults$/);

  const seen: number[] = [];
  store.subscribe((c) => seen.push(c.sampleIntervalSeconds));
  writeFileSync(p, JSON.stringify({ sampleIntervalSeconds: 2 }));
  assert.ok(store.reload());
  assert.is(store.current.sampleIntervalSeconds, 2);
  writeFileSync(p, JSON.stringify({ sampleIntervalSeconds: 2, bogus: 1 }));
  assert.not.ok(store.reload());
  assert.is(store.current.sampleIntervalSeconds, 2, 'last good kept');
  assert.match(lines.at(-1)!, /unknown key "bogus".*keeping the last good configuration/);
  assert.equal(seen, [2]);
  store.close();
});

test('a watched config file is reloaded when it changes, and a broken edit is not taken', async () => {
  const p = file(JSON.stringify({ logLevel: 'info' }));
  const lines: string[] = [];
  const store = ConfigStore.open((l, m) => lines.push(`${l} ${m}`), { AN1489_CONFIG: p }, '/opt/ext/an1489.ext');
  const changes: string[] = [];
  store.subscribe((c) => changes.push(c.logLevel));
  store.watch(50);
  const waitFor = async (what: () => boolean, label: string) => {
    const deadline = Date.now() + 10_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`${label} did not happen; log:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  try {
    writeFileSync(p, JSON.stringify({ logLevel: 'debug', thresholds: { minCpuPercent: 40 } }));
    await waitFor(() => store.current.logLevel === 'debug', 'reload');
    assert.is(store.current.thresholds.minCpuPercent, 40);
    writeFileSync(p, '{"logLevel": "warn", ');
    await waitFor(() => lines.some((l) => /not valid JSON.*keeping the last good/.test(l)), 'broken edit logged');
    assert.is(store.current.logLevel, 'debug');
    assert.equal(changes, ['debug']);
  } finally {
    store.close();
  }
});

test('checkPathSafety: group/other-writable paths get one line with the fix; safe ones none', () => {
  const p = file('{}');
  chmodSync(p, 0o600);
  assert.equal(checkPathSafety(p, 'config file'), []);
  chmodSync(p, 0o666);
  const w = checkPathSafety(p, 'config file');
  assert.is(w.length, 1);
  assert.match(w[0]!.message, /config file .* is writable by group and others \(mode 0666\).*fix: chmod go-w '/);
  chmodSync(p, 0o620);
  assert.match(checkPathSafety(p, 'config file')[0]!.message, /writable by group \(mode 0620\)/);
  assert.equal(checkPathSafety(join(tmp, 'absent'), 'x'), []);
});

test('the documented sample deploy/an1489.config.json is valid and spells out exactly the defaults', () => {
  const sample = join(ROOT, 'deploy', 'an1489.config.json');
  const r = loadConfigFile(sample, '/opt/ext');
  assert.ok(r.ok, r.ok ? '' : r.error);
  if (!r.ok) return;
  assert.equal(r.config, { ...defaultConfig(), stateDir: join('/opt/ext', STATE_DIR_NAME) });
  const keys = (o: object): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v).map((s) => `${k}.${s}`) : [k]));
  assert.equal(
    keys(JSON.parse(readFileSync(sample, 'utf8'))).sort(),
    keys(defaultConfig()).sort(),
    'every setting is in the sample',
  );
});

test('the real extension: config beside the binary read, warnings for a group-writable binary and a world-writable config and state dir, cwd ignored', async () => {
  const built = await ensureExtBinary('native');
  const binDir = join(tmp, 'ext');
  mkdirSync(binDir, { mode: 0o755 });
  chmodSync(binDir, 0o755);
  const binary = join(binDir, 'an1489.ext');
  copyFileSync(built.path, binary);
  chmodSync(binary, 0o775);
  const cfg = join(binDir, CONFIG_FILE_NAME);
  writeFileSync(cfg, JSON.stringify({ stateDir: 'state', logLevel: 'debug' }));
  chmodSync(cfg, 0o666);
  mkdirSync(join(binDir, 'state'), { mode: 0o777 });
  chmodSync(join(binDir, 'state'), 0o777);
  const cwd = join(tmp, 'cwd');
  mkdirSync(cwd);
  writeFileSync(join(cwd, CONFIG_FILE_NAME), '{ "this file": "must never be read" ');

  const manager = new TestManager({ socketPath: join(tmp, 'm.em'), query: () => [] });
  await manager.start();
  // A stray NODE_OPTIONS in osqueryd's environment is applied by Node before our code runs: it must be reported.
  const child = launchLikeOsqueryd(binary, {
    socket: manager.socketPath,
    timeout: 10,
    interval: 1,
    cwd,
    env: { NODE_OPTIONS: '--max-old-space-size=256' },
  });
  try {
    const reg = await manager.waitForRegistration('an1489', 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; stderr:\n${child.stderr()}`);
    });
    const err = child.stderr();
    assert.match(
      err,
      /WARN NODE_OPTIONS is set in osqueryd's environment \("--max-old-space-size=256"\).*fix: remove NODE_OPTIONS/,
    );
    assert.match(err, `INFO config loaded from ${cfg}`);
    const warns = err.split('\n').filter((l) => / WARN .*writable by/.test(l));
    assert.is(warns.length, 3, `one line each for binary, config and state dir:\n${err}`);
    assert.match(warns.join('\n'), `extension binary ${binary} is writable by group (mode 0775)`);
    assert.match(warns.join('\n'), `config file ${cfg} is writable by group and others (mode 0666)`);
    assert.match(
      warns.join('\n'),
      `state directory ${join(binDir, 'state')} is writable by group and others (mode 0777)`,
    );
    assert.match(warns.join('\n'), /fix: chmod go-w/);
    assert.not.match(err, 'must never be read');
    assert.not.match(err, /not valid JSON/);
    await manager.shutdownExtension(reg.uuid);
    assert.is((await exitWithin(child, 5000)).code, 0);
    // What the extension wrote on the way out (the sampler's history) is its owner's alone.
    const written = readdirSync(join(binDir, 'state'));
    assert.ok(written.length > 0, 'state persisted on shutdown');
    for (const f of written)
      assert.is(statSync(join(binDir, 'state', f)).mode & 0o077, 0, `${f} is not readable or writable by others`);
  } finally {
    child.proc.kill('SIGKILL');
    await manager.stop();
  }
});

test('the plain entry under node: AN1489_CONFIG with a bad value → error naming the field, defaults, still serves', async () => {
  const cfg = file(JSON.stringify({ thresholds: { minCpuPercent: 'high' } }));
  chmodSync(cfg, 0o600);
  const manager = new TestManager({ socketPath: join(tmp, 'p.em'), query: () => [] });
  await manager.start();
  const entry = join(ROOT, 'build', 'extension', 'main.js');
  const proc = spawn(process.execPath, [entry, '--socket', manager.socketPath, '--timeout', '10', '--interval', '1'], {
    cwd: tmp,
    env: { ...process.env, AN1489_CONFIG: cfg, OSQUERY_EXTENSION: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  try {
    const reg = await manager.waitForRegistration('an1489', 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; stderr:\n${err}`);
    });
    assert.match(err, /ERROR config .* field "thresholds\.minCpuPercent": .*; using the defaults/);
    const tables = Object.keys(reg.registry['table'] ?? {});
    if (tables.length > 0) {
      const r = await manager.callExtension(reg.uuid, 'table', tables[0]!, {
        action: 'generate',
        context: '{"constraints":[]}',
      });
      assert.is(r.status.code, 0);
    }
    await manager.shutdownExtension(reg.uuid);
    assert.is(await exited, 0);
  } finally {
    proc.kill('SIGKILL');
    await manager.stop();
  }
});

test.run();
