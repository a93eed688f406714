// The extension must notice when osqueryd goes away or restarts under it,
// and exit non-zero so that osqueryd's watcher starts a fresh copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestManager } from '../manager/manager.js';
import { ExtensionClient } from '../../src/sdk/client.js';
import { extensionSocketPath } from '../../src/sdk/socket-path.js';
import { tempDir, startFixture, exitWithin, sleep } from './helpers.js';

const MANAGER_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'manager', 'main.js');

const { dir, cleanup } = tempDir();
test.after(() => cleanup());

const INTERVAL_S = 1;

/** The standalone test manager as a real process, so that it can be SIGKILLed or SIGSTOPped. */
async function managerProcess(socket: string) {
  const state = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.state.json`);
  const proc = spawn(process.execPath, [MANAGER_MAIN, '--socket', socket, '--state', state], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', () => undefined);
  // Registered (in the manager's state) and listening (answers a ping): the
  // state is written before the registration reply leaves, so a kill right
  // after seeing it would hit the extension's startup, not its liveness check.
  const registered = async () => {
    for (let i = 0; i < 500; i++) {
      try {
        const st = JSON.parse(readFileSync(state, 'utf8')) as { extensions: { name: string; uuid: string }[] };
        const ext = st.extensions.find((e) => e.name === 'sdk_fixture');
        if (ext) {
          const client = new ExtensionClient(extensionSocketPath(socket, BigInt(ext.uuid)), { callTimeoutMs: 1000 });
          try {
            if ((await client.ping()).code === 0) return;
          } finally {
            client.close();
          }
        }
      } catch {
        // Not written yet, or not listening yet.
      }
      await sleep(20);
    }
    throw new Error('fixture never registered with the manager process');
  };
  return { proc, registered };
}

test('manager process killed (SIGKILL, stale socket left behind): the extension exits non-zero within 2 x --interval', async () => {
  const socket = join(dir, 'killed.em');
  const manager = await managerProcess(socket);
  const child = startFixture(['--socket', socket, '--timeout', '5', '--interval', String(INTERVAL_S)]);
  try {
    await manager.registered();
    const t0 = Date.now();
    manager.proc.kill('SIGKILL');
    const exit = await exitWithin(child, 10_000);
    assert.is.not(exit.code, 0);
    assert.ok(exit.at - t0 <= 2 * INTERVAL_S * 1000 + 500, `took ${exit.at - t0} ms`);
    assert.ok(/manager at .* is gone/.test(child.stderr()), child.stderr());
  } finally {
    child.proc.kill('SIGKILL');
    manager.proc.kill('SIGKILL');
  }
});

test('manager process hung (SIGSTOP: connected but silent): the liveness call times out and the extension exits non-zero', async () => {
  const socket = join(dir, 'hung.em');
  const manager = await managerProcess(socket);
  const child = startFixture(['--socket', socket, '--timeout', '5', '--interval', String(INTERVAL_S)]);
  try {
    await manager.registered();
    const t0 = Date.now();
    manager.proc.kill('SIGSTOP');
    const exit = await exitWithin(child, 10_000);
    assert.is.not(exit.code, 0);
    // One interval to the next check, at most one interval for its deadline.
    assert.ok(exit.at - t0 <= 2 * INTERVAL_S * 1000 + 1000, `took ${exit.at - t0} ms`);
    assert.match(child.stderr(), /timed out/);
  } finally {
    child.proc.kill('SIGKILL');
    manager.proc.kill('SIGKILL');
  }
});

test('manager restarted at once with an empty registry: pings succeed, but our uuid is gone, so exit non-zero', async () => {
  const socket = join(dir, 'restart.em');
  const manager = new TestManager({ socketPath: socket });
  await manager.start();
  const child = startFixture(['--socket', socket, '--timeout', '5', '--interval', String(INTERVAL_S)]);
  try {
    const reg = await manager.waitForRegistration('sdk_fixture');
    const t0 = Date.now();
    await manager.restart();
    const exit = await exitWithin(child, 10_000);
    assert.is.not(exit.code, 0);
    assert.ok(exit.at - t0 <= 2 * INTERVAL_S * 1000 + 500, `took ${exit.at - t0} ms`);
    assert.match(child.stderr(), new RegExp(`no longer lists our uuid ${reg.uuid}`));
    assert.ok(manager.listening, 'the manager stayed up: the exit was the uuid check, not a failed ping');
  } finally {
    child.proc.kill('SIGKILL');
    await manager.stop();
  }
});

test('a manager that stays up keeps the extension running across several intervals', async () => {
  const socket = join(dir, 'steady.em');
  const manager = new TestManager({ socketPath: socket });
  await manager.start();
  const child = startFixture(['--socket', socket, '--timeout', '5', '--interval', '0.3', '--verbose']);
  try {
    const reg = await manager.waitForRegistration('sdk_fixture');
    await new Promise((r) => setTimeout(r, 1500));
    assert.is(child.proc.exitCode, null, child.stderr());
    assert.ok((child.stderr().match(/manager alive/g) ?? []).length >= 2, child.stderr());
    assert.is((await manager.pingExtension(reg.uuid)).code, 0);
  } finally {
    child.proc.kill('SIGKILL');
    await manager.stop();
  }
});

test.run();
