// The shipped artefact as osqueryd autoloads it: the single executable,
// copied somewhere else, started with osqueryd's exact argv and environment
// from an unrelated working directory, registers, serves every table it
// announced (columns and generate), and exits 0 when osqueryd says shutdown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestManager } from '../manager/manager.js';
import { ensureExtBinary, exitWithin, launchLikeOsqueryd } from './helpers.js';
import { createRuntime } from '../../src/runtime.js';
import { defaultConfig } from '../../src/config/index.js';

const tmp = mkdtempSync('/tmp/an1489-ext-');
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('autoloaded single executable registers, serves every table, exits 0 on shutdown', async () => {
  const built = await ensureExtBinary('native');
  console.log(`  binary ready in ${built.ms} ms (${/up to date/.test(built.log) ? 'reused' : 'built'})`);

  // Installed like a package would: its own folder, 0755, nothing else writable.
  const binDir = join(tmp, 'osquery-extensions');
  mkdirSync(binDir, { mode: 0o755 });
  chmodSync(binDir, 0o755);
  const binary = join(binDir, 'an1489.ext');
  copyFileSync(built.path, binary);
  chmodSync(binary, 0o755);

  // osqueryd's working directory is whatever it was started from; a config
  // planted there must be ignored (it would be an unknown-key error if read).
  const cwd = join(tmp, 'elsewhere');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'an1489.config.json'), JSON.stringify({ plantedKey: true, logLevel: 'debug' }));

  const manager = new TestManager({ socketPath: join(tmp, 'osquery.em'), query: () => [] });
  await manager.start();
  const child = launchLikeOsqueryd(binary, { socket: manager.socketPath, timeout: 10, interval: 1, cwd });
  try {
    const reg = await manager.waitForRegistration('an1489', 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; extension stderr:\n${child.stderr()}`);
    });
    assert.is(reg.info.name, 'an1489');
    assert.ok(reg.info.sdk_version.length > 0);

    // Every table the runtime builds is announced, and nothing else.
    const runtime = await createRuntime({
      mode: 'extension',
      osqueryQuery: async () => [],
      config: { ...defaultConfig(), stateDir: join(tmp, 'unused-state') },
    });
    const expected = runtime.tables.map((t) => t.name).sort();
    const announced = Object.keys(reg.registry['table'] ?? {}).sort();
    assert.equal(announced, expected, "announced tables = the runtime's tables");

    for (const name of announced) {
      const cols = await manager.callExtension(reg.uuid, 'table', name, { action: 'columns' });
      assert.is(cols.status.code, 0, `${name} columns: ${cols.status.message}`);
      assert.ok(cols.response.length > 0, `${name} has columns`);
      const colNames = cols.response.map((r) => r['name']);
      const gen = await manager.callExtension(reg.uuid, 'table', name, {
        action: 'generate',
        context: JSON.stringify({ constraints: [] }),
      });
      assert.is(gen.status.code, 0, `${name} generate: ${gen.status.message}`);
      for (const row of gen.response)
        for (const k of Object.keys(row)) assert.ok(colNames.includes(k), `${name}: row column ${k} is declared`);
    }

    const stderr = child.stderr();
    assert.match(stderr, `no config file at ${join(binDir, 'an1489.config.json')}`);
    assert.not.match(stderr, 'plantedKey');
    assert.not.match(stderr, cwd);
    assert.not.match(stderr, /WARN .* writable by/);

    await manager.shutdownExtension(reg.uuid);
    const exit = await exitWithin(child, 5000);
    assert.is(exit.code, 0, `exit code; stderr:\n${child.stderr()}`);
    assert.equal(manager.deregistered, [reg.uuid]);
  } finally {
    child.proc.kill('SIGKILL');
    await manager.stop();
  }
});

test.run();
