// Restart at the extension level: the real extension process (an1489 with
// osqueryd's flags) against the test manager, over real Thrift. The manager
// answers the extension's processes queries with this machine's real
// processes (read from /proc, turned into osqueryd's all-strings rows). The
// extension is shut down and started again on the same state directory: the
// history of a still-running child continues.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { TestManager } from '../manager/manager.js';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { STATE_FILE_NAME } from '../../src/sampler/state.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** osqueryd's answers for the queries the osquery source sends, from real /proc. */
async function realOsqueryAnswer(source: ProcfsSource, sql: string): Promise<Record<string, string>[]> {
  if (sql.includes('process_open_sockets')) return [];
  const sample = await source.sample({ sockets: false });
  const s = (v: number | null) => (v === null ? '-1' : String(Math.round(v)));
  const m = /WHERE p\.pid IN \(([^)]*)\)/.exec(sql);
  if (m) {
    const want = new Set(m[1].split(',').map((x) => Number(x.trim())));
    return sample.processes
      .filter((p) => want.has(p.pid))
      .map((p) => ({
        pid: String(p.pid),
        start_time: String(p.startTime),
        cmdline: p.cmdline ?? '',
        username: p.user,
      }));
  }
  return sample.processes.map((p) => ({
    pid: String(p.pid),
    parent: String(p.ppid),
    name: p.name,
    path: p.path,
    start_time: String(p.startTime),
    user_time: s(p.userTimeMs),
    system_time: s(p.systemTimeMs),
    resident_size: s(p.residentBytes),
    threads: s(p.threads),
    uid: '0',
  }));
}

function launch(socket: string, env: Record<string, string>): { proc: ChildProcess; stderr: () => string } {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AN1489_')) clean[k] = v;
  const proc = spawn(process.execPath, [MAIN, '--socket', socket, '--timeout', '3', '--interval', '1'], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { proc, stderr: () => err };
}

test('extension restart: sustained history of a running process continues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-ext-restart-'));
  const stateDir = join(dir, 'state');
  const config = join(dir, 'an1489.config.json');
  writeFileSync(config, JSON.stringify({ sampleIntervalSeconds: 1, stateDir }), { mode: 0o600 });
  const busy = spawn(
    process.execPath,
    ['-e', 'const end = Date.now() + 60000; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);'],
    { stdio: 'ignore' },
  );
  const source = new ProcfsSource();
  const manager = new TestManager({
    socketPath: join(dir, 'osquery.em'),
    query: (sql) => realOsqueryAnswer(source, sql),
  });
  await manager.start();
  const children: ChildProcess[] = [];
  const ask = async (uuid: bigint) => {
    const context = JSON.stringify({
      constraints: [
        { name: 'pid', list: [{ op: 2, expr: String(busy.pid) }], affinity: 'BIGINT' },
        { name: 'min_duration', list: [{ op: 2, expr: '1' }], affinity: 'BIGINT' },
      ],
    });
    const r = await manager.callExtension(uuid, 'table', 'process_cpu_sustained', { action: 'generate', context });
    assert.is(r.status.code, 0, r.status.message);
    return r.response[0];
  };
  try {
    const first = launch(manager.socketPath, { AN1489_CONFIG: config });
    children.push(first.proc);
    const reg1 = await manager.waitForRegistration('an1489', 20_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${first.stderr()}`);
    });
    await sleep(4000);
    const before = await ask(reg1.uuid);
    assert.ok(before, `busy child tracked; stderr:\n${first.stderr()}`);
    assert.ok(Number(before.samples) >= 2, JSON.stringify(before));
    await manager.shutdownExtension(reg1.uuid);
    await once(first.proc, 'exit');
    assert.ok(existsSync(join(stateDir, STATE_FILE_NAME)), `state saved on shutdown; stderr:\n${first.stderr()}`);

    const second = launch(manager.socketPath, { AN1489_CONFIG: config });
    children.push(second.proc);
    await sleep(500);
    const reg2 = await manager.waitForRegistration('an1489', 20_000);
    assert.is.not(reg2.uuid, reg1.uuid);
    await sleep(2500);
    const after = await ask(reg2.uuid);
    assert.is(after.first_seen, before.first_seen, 'the same history, not a fresh one');
    assert.ok(Number(after.samples) >= Number(before.samples) + 1, `${before.samples} -> ${after.samples}`);
    assert.match(second.stderr(), /restored history of \d+ running process/);
  } finally {
    busy.kill('SIGKILL');
    for (const c of children) c.kill('SIGKILL');
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
