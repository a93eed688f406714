// The fixture extension as a real process against the test manager over real
// Unix sockets: registration, route info, generate with constraints, error
// statuses, precision of uuids, and the ways the lifecycle ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestManager } from '../manager/manager.js';
import { ManagerClient } from '../../src/sdk/client.js';
import { tempDir, startFixture, exitWithin, type Child } from './helpers.js';

const { dir, cleanup } = tempDir();
const socket = join(dir, 'em');
// First uuid above 2^53 (odd, so a double would round it), then one near 2^63.
const BIG = 2n ** 53n + 1n;
const HUGE = 2n ** 63n - 7n;
const manager = new TestManager({ socketPath: socket, uuids: [BIG, HUGE] });
let child: Child;

function ctx(constraints: { name: string; list: { op: number; expr: string }[] }[], colsUsed?: string[]): string {
  return JSON.stringify({
    constraints: constraints.map((c) => ({ ...c, affinity: 'TEXT' })),
    ...(colsUsed ? { colsUsed, colsUsedBitset: 3 } : {}),
  });
}

test.before(async () => {
  await manager.start();
  child = startFixture(['--socket', socket, '--timeout', '5', '--interval', '1']);
});

test.after(async () => {
  child.proc.kill('SIGKILL');
  await manager.stop();
  cleanup();
});

test('registers with name, version, sdk version and route info; gets a uuid above 2^53 exactly', async () => {
  const reg = await manager.waitForRegistration('sdk_fixture');
  assert.is(reg.uuid, BIG);
  assert.is(reg.info.version, '1.2.3');
  assert.ok(/^\d+\.\d+\.\d+$/.test(reg.info.sdk_version));
  const echo = reg.registry['table']!['sdk_echo']!;
  assert.equal(echo[0], { id: 'column', name: 'kind', type: 'TEXT', op: '0' });
  assert.equal(echo[1], { id: 'column', name: 'col', type: 'TEXT', op: '4' });
  assert.equal(echo.at(-1), { id: 'attributes', attributes: '0' });
  assert.equal(
    reg.registry['table']!['sdk_bench']!.find((r) => r['name'] === 'n'),
    { id: 'column', name: 'n', type: 'BIGINT', op: '20' },
  );
  // The extension listens on <socket>.<uuid> with every digit of the uuid.
  for (let i = 0; i < 100 && !existsSync(`${socket}.${BIG}`); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(`${socket}.${BIG}`));
  const pong = await manager.pingExtension(BIG);
  assert.equal(pong, { code: 0, message: 'pong', uuid: BIG });
});

test('the manager client reads the uuid back exactly from extensions()', async () => {
  const client = new ManagerClient(socket);
  try {
    const list = await client.extensions();
    assert.ok(list.has(BIG));
    assert.is(list.get(BIG)!.name, 'sdk_fixture');
  } finally {
    client.close();
  }
});

test('columns action answers the route rows', async () => {
  const r = await manager.callExtension(BIG, 'table', 'sdk_echo', { action: 'columns' });
  assert.is(r.status.code, 0);
  assert.is(r.response.filter((row) => row['id'] === 'column').length, 8);
  assert.equal(
    r.response.find((row) => row['name'] === 'small'),
    { id: 'column', name: 'small', type: 'INTEGER', op: '0' },
  );
});

test('generate receives =, >, LIKE, IN (several =) and colsUsed; unknown ops are dropped', async () => {
  const r = await manager.callExtension(BIG, 'table', 'sdk_echo', {
    action: 'generate',
    context: ctx(
      [
        {
          name: 'col',
          list: [
            { op: 2, expr: 'a' },
            { op: 2, expr: 'b' },
            { op: 2, expr: 'c' },
          ],
        },
        {
          name: 'expr',
          list: [
            { op: 4, expr: '10' },
            { op: 65, expr: '%.exe' },
            { op: 99, expr: 'ignored' },
          ],
        },
      ],
      ['kind', 'col'],
    ),
  });
  assert.is(r.status.code, 0);
  const constraints = r.response
    .filter((row) => row['kind'] === 'constraint')
    .map((row) => `${row['col']} ${row['op']} ${row['expr']}`);
  assert.equal(constraints, ['col = a', 'col = b', 'col = c', 'expr > 10', 'expr LIKE %.exe']);
  assert.equal(
    r.response.find((row) => row['kind'] === 'cols_used'),
    { kind: 'cols_used', expr: '["col","kind"]' },
  );
});

test('cells are text; NULL is an absent key; i64 and doubles keep their value; INTEGER overflow is encoded exactly and warned about', async () => {
  const r = await manager.callExtension(BIG, 'table', 'sdk_echo', { action: 'generate', context: ctx([]) });
  const values = r.response.find((row) => row['kind'] === 'values');
  assert.equal(values, { kind: 'values', big: String(2n ** 62n + 1n), ratio: '0.1', small: '2147483648' });
  assert.ok(!('maybe' in values!));
  assert.match(child.stderr(), /sdk_echo\.small is INTEGER but produced 2147483648/);
  // No context at all is an unconstrained query, as osquery treats it.
  const bare = await manager.callExtension(BIG, 'table', 'sdk_echo', { action: 'generate' });
  assert.is(bare.status.code, 0);
});

test('errors are statuses: throwing generate, unknown action, table, registry, bad context; the extension lives on', async () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['table', 'sdk_fail', { action: 'generate', context: ctx([]) }, /synthetic failure/],
    ['table', 'sdk_echo', { action: 'insert' }, /Unknown table plugin action: insert/],
    ['table', 'sdk_echo', {}, /must include a request action/],
    ['table', 'no_such_table', { action: 'generate' }, /no_such_table/],
    ['config', 'sdk_echo', { action: 'generate' }, /Unknown registry: config/],
    ['table', 'sdk_echo', { action: 'generate', context: '{"constraints":' }, /not JSON/],
    ['table', 'sdk_echo', { action: 'generate', context: '{"constraints":[{"name":5}]}' }, /unexpected shape/],
  ];
  for (const [registry, item, request, message] of cases) {
    const r = await manager.callExtension(BIG, registry, item, request);
    assert.is(r.status.code, 1, `${registry}/${item} ${JSON.stringify(request)}`);
    assert.match(r.status.message, message);
    assert.equal(r.response, []);
  }
  assert.is((await manager.pingExtension(BIG)).code, 0);
});

test('a second extension with the same name is refused: clear error, non-zero exit', async () => {
  const dup = startFixture(['--socket', socket, '--timeout', '5', '--interval', '1']);
  const exit = await exitWithin(dup, 10_000);
  assert.is.not(exit.code, 0);
  assert.match(dup.stderr(), /refused to register extension sdk_fixture: Duplicate extension registered/);
});

test('shutdown() from osqueryd: deregisters and exits 0 within 1 s', async () => {
  const t0 = Date.now();
  await manager.shutdownExtension(BIG);
  const exit = await exitWithin(child, 5000);
  assert.is(exit.code, 0, child.stderr());
  assert.ok(exit.at - t0 < 1000, `took ${exit.at - t0} ms`);
  assert.ok(manager.deregistered.includes(BIG));
  assert.ok(!existsSync(`${socket}.${BIG}`), 'socket removed');
});

test('SIGTERM: exits 0 within 1 s, deregistered; a uuid near 2^63 round-trips', async () => {
  const second = startFixture(['--socket', socket, '--timeout', '5', '--interval', '1']);
  const reg = await manager.waitForRegistration('sdk_fixture');
  assert.is(reg.uuid, HUGE);
  assert.is((await manager.pingExtension(HUGE)).uuid, HUGE);
  const t0 = Date.now();
  second.proc.kill('SIGTERM');
  const exit = await exitWithin(second, 5000);
  assert.is(exit.code, 0, second.stderr());
  assert.ok(exit.at - t0 < 1000, `took ${exit.at - t0} ms`);
  assert.ok(manager.deregistered.includes(HUGE));
});

test('SIGINT: exits 0 within 1 s and deregisters, like SIGTERM', async () => {
  const third = startFixture(['--socket', socket, '--timeout', '5', '--interval', '1']);
  const reg = await manager.waitForRegistration('sdk_fixture');
  const t0 = Date.now();
  third.proc.kill('SIGINT');
  const exit = await exitWithin(third, 5000);
  assert.is(exit.code, 0, third.stderr());
  assert.ok(exit.at - t0 < 1000, `took ${exit.at - t0} ms`);
  assert.ok(manager.deregistered.includes(reg.uuid));
});

test('manager socket absent: exits non-zero after --timeout with a clear error', async () => {
  const t0 = Date.now();
  const lone = startFixture(['--socket', join(dir, 'absent.em'), '--timeout', '1', '--interval', '1']);
  const exit = await exitWithin(lone, 10_000);
  assert.is.not(exit.code, 0);
  assert.ok(exit.at - t0 >= 900, `gave up after ${exit.at - t0} ms`);
  assert.match(lone.stderr(), /manager socket .*absent\.em not available after 1s/);
});

test('unknown flags and subcommands: clear error, exit 1', async () => {
  for (const args of [
    ['--socket', socket, '--bogus'],
    ['query'],
    ['--socket'],
    ['--socket', socket, '--interval', 'soon'],
  ]) {
    const bad = startFixture(args);
    const exit = await exitWithin(bad, 10_000);
    assert.is(exit.code, 1, args.join(' '));
    assert.match(bad.stderr(), /ERROR .*(unknown flag|unexpected argument|needs a value|--interval)/);
  }
});

test('socket path too long: clear error, non-zero exit (for the manager path and for <path>.<uuid>)', async () => {
  const long = `${dir}/${'x'.repeat(120)}`;
  const a = startFixture(['--socket', long, '--timeout', '1', '--interval', '1']);
  assert.is.not((await exitWithin(a, 10_000)).code, 0);
  assert.match(a.stderr(), /socket path is \d+ bytes; linux allows 107/);

  // The manager's own path fits; ours, with ".<uuid>" appended, does not.
  const edge = join(dir, 'e'.repeat(107 - dir.length - 1 - 1));
  const edgeManager = new TestManager({ socketPath: edge, uuids: [HUGE] });
  await edgeManager.start();
  try {
    const b = startFixture(['--socket', edge, '--timeout', '3', '--interval', '1']);
    assert.is.not((await exitWithin(b, 10_000)).code, 0);
    assert.match(b.stderr(), /socket path is \d+ bytes; linux allows 107/);
    assert.ok(edgeManager.deregistered.includes(HUGE), 'registration undone');
  } finally {
    await edgeManager.stop();
  }
});

test.run();
