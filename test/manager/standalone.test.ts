// The test manager as its own process, driven only through files (as the
// Wine test and the soak script drive it): state out, commands and query
// rows in; with the real fixture extension registering against it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagerClient, StatusError } from '../../src/sdk/client.js';
import { tempDir, startFixture, exitWithin, sleep } from '../sdk/helpers.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

interface State {
  pid: number;
  listening: boolean;
  extensions: { uuid: string; name: string }[];
  results: Record<string, { ok: boolean; value?: unknown; error?: string }>;
}

function readState(path: string): State | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as State;
  } catch {
    return null;
  }
}

async function until<T>(what: string, f: () => T | null | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('runs from files: registration in the state, commands from the control file, query rows from the rows file', async () => {
  const { dir, cleanup } = tempDir();
  const socket = join(dir, 'sa.em');
  const state = join(dir, 'state.json');
  const control = join(dir, 'control.jsonl');
  const rows = join(dir, 'rows.json');
  writeFileSync(
    rows,
    JSON.stringify({
      queries: [
        { match: '^SELECT .* FROM processes', rows: [{ pid: '4', name: 'System' }] },
        { match: 'broken', error: 'near "broken": syntax error' },
      ],
    }),
  );
  writeFileSync(control, '');
  const proc = spawn(
    process.execPath,
    [MAIN, '--socket', socket, '--state', state, '--control', control, '--rows', rows],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const ext = startFixture(['--socket', socket, '--timeout', '5', '--interval', '1']);
  try {
    const reg = await until('registration', () => readState(state)?.extensions.find((e) => e.name === 'sdk_fixture'));
    assert.ok(BigInt(reg.uuid) > 2n ** 53n, 'first uuid is above 2^53 and written as exact decimal text');

    const client = new ManagerClient(socket);
    assert.equal(await client.query('SELECT pid, name FROM processes'), [{ pid: '4', name: 'System' }]);
    await client.query('broken').then(
      () => assert.unreachable(),
      (err: unknown) => assert.instance(err, StatusError),
    );
    writeFileSync(rows, JSON.stringify({ queries: [{ match: 'processes', rows: [] }] }));
    assert.equal(await client.query('SELECT * FROM processes'), []);
    client.close();

    // Wait until the extension listens, then call it through the control file.
    appendFileSync(control, `${JSON.stringify({ id: 'p', cmd: 'ping', name: 'sdk_fixture' })}\n`);
    await until('ping', () => readState(state)?.results['p']);
    appendFileSync(
      control,
      `${JSON.stringify({ id: 'c', cmd: 'call', name: 'sdk_fixture', registry: 'table', item: 'sdk_echo', request: { action: 'generate', context: '{"constraints":[{"name":"col","list":[{"op":2,"expr":"z"}]}]}' } })}\n`,
    );
    appendFileSync(control, '{"id":"bad","cmd":"fly"}\n');
    const call = await until('call result', () => readState(state)?.results['c']);
    assert.ok(call.ok, JSON.stringify(call));
    const response = (call.value as { response: Record<string, string>[] }).response;
    assert.ok(response.some((r) => r['col'] === 'col' && r['expr'] === 'z'));
    const bad = await until('bad command result', () => readState(state)?.results['bad']);
    assert.is(bad.ok, false);

    // A restart empties the registry; the extension notices and exits non-zero.
    appendFileSync(control, '{"id":"r","cmd":"restart"}\n');
    const extExit = await exitWithin(ext, 10_000);
    assert.is.not(extExit.code, 0);
    assert.equal(readState(state)?.extensions, []);

    appendFileSync(control, '{"id":"x","cmd":"exit"}\n');
    assert.is(await exited, 0, stderr);
    assert.not.ok(existsSync(socket), 'socket removed on exit');
  } finally {
    ext.proc.kill('SIGKILL');
    proc.kill('SIGKILL');
    cleanup();
  }
});

test.run();
