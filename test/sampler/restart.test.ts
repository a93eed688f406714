// History survives a restart: a sampler with a real state file is stopped and
// a new one (new store, new source, as after an extension restart) started on
// the same directory, with real child processes: one still running (its
// history continues), one that exited meanwhile (its history is dropped).
// Then a corrupt or foreign state file: one warning, a fresh start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { HistoryStore } from '../../src/sampler/store.js';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { Sampler } from '../../src/sampler/sampler.js';
import { STATE_FILE_NAME, defaultStateDir } from '../../src/sampler/state.js';
import { processCpuSustainedTable } from '../../src/tables/process_cpu_sustained.js';
import { emptyContext, type Row } from '../../src/sdk/table.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BUSY = 'const end = Date.now() + 60000; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);';
const IDLE = 'setTimeout(() => {}, 60000);';

const dir = mkdtempSync(join(tmpdir(), 'an1489-state-'));
const children: ChildProcess[] = [];

function child(code: string): ChildProcess {
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(c);
  return c;
}

function sustainedRow(store: HistoryStore, pid: number): Row | undefined {
  const rows = processCpuSustainedTable(store).generate({
    constraints: new Map([
      ['pid', [{ op: '=', expr: String(pid) }]],
      ['min_cpu_percent', [{ op: '=', expr: '5' }]],
      ['min_duration', [{ op: '=', expr: '1' }]],
    ]),
    colsUsed: null,
  });
  return [...(rows as Iterable<Row>)][0];
}

function run(logs: string[]) {
  const store = new HistoryStore({ intervalMs: 1000 });
  const sampler = new Sampler(new ProcfsSource(), store, {
    intervalSeconds: 1,
    stateDir: dir,
    log: (l, m) => logs.push(`${l} ${m}`),
  });
  return { store, sampler };
}

test.after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('state dir: AN1489_STATE_DIR overrides; per-platform defaults', () => {
  assert.is(defaultStateDir({ AN1489_STATE_DIR: '/srv/an1489' }, 'linux'), '/srv/an1489');
  assert.is(defaultStateDir({ XDG_STATE_HOME: '/x' }, 'linux'), '/x/an1489');
  assert.match(defaultStateDir({ ProgramData: 'D:\\PD' }, 'win32'), /^D:\\PD.an1489$/);
});

test('restart: history continues for processes still running, is dropped for those that exited', async () => {
  const busy = child(BUSY);
  const idle = child(IDLE);
  await sleep(300);
  const logs: string[] = [];
  const first = run(logs);
  await first.sampler.start();
  await sleep(3500);
  const before = sustainedRow(first.store, busy.pid!)!;
  assert.ok(Number(before.samples) >= 2, JSON.stringify(before));
  assert.ok(sustainedRow(first.store, idle.pid!), 'idle child tracked');
  await first.sampler.stop(); // saves
  const file = join(dir, STATE_FILE_NAME);
  assert.is(statSync(file).mode & 0o777, 0o600);
  assert.equal(readdirSync(dir), [STATE_FILE_NAME], 'no temp files left behind');

  idle.kill('SIGKILL');
  await once(idle, 'exit');
  const second = run(logs);
  await second.sampler.start();
  await sleep(2200);
  await second.sampler.stop();
  const after = sustainedRow(second.store, busy.pid!)!;
  assert.match(logs.join('\n'), /restored history of \d+ running process/);
  assert.is(after.first_seen, before.first_seen, 'same process, same history');
  assert.ok(Number(after.samples) >= Number(before.samples) + 2, `${before.samples} -> ${after.samples}`);
  // The first delta after the restart spans the restart (same boot), so the streak runs through it.
  assert.ok(
    Number(after.longest_streak_seconds) >= Number(before.longest_streak_seconds) + 2,
    `${before.longest_streak_seconds} -> ${after.longest_streak_seconds}`,
  );
  assert.is(sustainedRow(second.store, idle.pid!), undefined, 'exited process not restored');
  assert.ok(!logs.some((l) => l.startsWith('warn')), logs.join('\n'));
});

for (const [label, content, reason] of [
  ['bad JSON', '{"magic": "an1489-sampler-state", "vers', /is not JSON/],
  ['foreign file', JSON.stringify({ magic: 'something-else', version: 1 }), /is not an an1489 sampler state file/],
  ['wrong version', JSON.stringify({ magic: 'an1489-sampler-state', version: 99 }), /state version 99/],
  [
    'wrong shape',
    JSON.stringify({
      magic: 'an1489-sampler-state',
      version: 2,
      savedWallMs: 1,
      savedMonoMs: 1,
      entries: [{ pid: 'x' }],
    }),
    /wrong shape at entries\.0/,
  ],
  ['truncated gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]), /is not a readable gzip file/],
] as const satisfies readonly (readonly [string, string | Buffer, RegExp])[]) {
  test(`corrupt state (${label}): one warning, then a fresh start`, async () => {
    writeFileSync(join(dir, STATE_FILE_NAME), content, { mode: 0o600 });
    const logs: string[] = [];
    const { store, sampler } = run(logs);
    await sampler.start();
    await sampler.stop();
    const warnings = logs.filter((l) => l.startsWith('warn'));
    assert.is(warnings.length, 1, logs.join('\n'));
    assert.match(warnings[0], reason);
    assert.match(warnings[0], /starting fresh/);
    assert.ok(
      [...(processCpuSustainedTable(store).generate(emptyContext()) as Iterable<Row>)].every((r) => r.samples === 0),
      'fresh: no history yet',
    );
  });
}

test.run();
