// The manager client against the test manager (real sockets, in process):
// every ExtensionManager method with typed results, status errors, the test
// manager's osqueryd-like refusals, call serialization and call deadlines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { TestManager } from '../manager/manager.js';
import { ManagerClient, StatusError, ThriftCallError } from '../../src/sdk/client.js';
import { SDK_VERSION } from '../../src/sdk/lifecycle.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
const socket = join(dir, 'm.em');
const manager = new TestManager({
  socketPath: socket,
  uuids: [2n ** 53n + 3n],
  query: async (sql) => {
    if (sql.startsWith('FAIL')) return { code: 1, message: 'near "FAIL": syntax error' };
    if (sql.startsWith('SLEEP')) await new Promise((r) => setTimeout(r, Number(sql.slice(6))));
    return [{ sql, n: String(sql.length) }];
  },
  getQueryColumns: (): Record<string, string>[] => [{ pid: 'BIGINT' }, { name: 'TEXT' }],
});
const client = new ManagerClient(socket, { callTimeoutMs: 2000 });
const info = (name: string, sdk = SDK_VERSION) => ({
  name,
  version: '0.0.1',
  sdk_version: sdk,
  min_sdk_version: '0.0.0',
});
const route = { table: { t_one: [{ id: 'column', name: 'a', type: 'TEXT', op: '0' }] } };

test.before(async () => {
  await manager.start();
  await client.connect(2000);
});
test.after(async () => {
  client.close();
  await manager.stop();
  cleanup();
});

test('ping, options, query rows, getQueryColumns', async () => {
  assert.equal(await client.ping(), { code: 0, message: 'pong', uuid: 0n });
  const options = await client.options();
  assert.equal(options['extensions_socket'], { value: socket, default_value: '', type: 'string' });
  assert.equal(await client.query('SELECT 1'), [{ sql: 'SELECT 1', n: '8' }]);
  assert.equal(await client.getQueryColumns('SELECT pid, name FROM processes'), [
    { name: 'pid', type: 'BIGINT' },
    { name: 'name', type: 'TEXT' },
  ]);
});

test('onReply is told of each whole reply, by its size, before the call resolves', async () => {
  const seen: string[] = [];
  const timed = new ManagerClient(socket, { callTimeoutMs: 2000, onReply: (bytes) => seen.push(`reply ${bytes}`) });
  try {
    await timed.query('SELECT 1').then(() => seen.push('resolved'));
    await timed.query('SELECT 12').then(() => seen.push('resolved'));
  } finally {
    timed.close();
  }
  assert.is(seen.length, 4);
  assert.is(seen[1], 'resolved');
  assert.is(seen[3], 'resolved');
  const [a, b] = [seen[0]!, seen[2]!].map((s) => Number(s.split(' ')[1]));
  assert.ok(a! > 30, `a reply message is more than its header: ${a}`);
  // One more character in the echoed statement, the same digit count in n: one byte more.
  assert.is(b! - a!, 1);
});

test("query with a non-zero status throws a StatusError carrying osquery's message", async () => {
  try {
    await client.query('FAIL now');
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, StatusError);
    assert.is((err as StatusError).code, 1);
    assert.match((err as Error).message, /near "FAIL": syntax error/);
  }
  const raw = await client.queryResponse('FAIL again');
  assert.is(raw.status.code, 1);
});

test('register / extensions / deregister with a uuid above 2^53; osqueryd-style refusals', async () => {
  const ok = await client.registerExtension(info('one'), route);
  assert.equal(ok, { code: 0, message: 'OK', uuid: 2n ** 53n + 3n });
  const list = await client.extensions();
  assert.equal([...list.keys()], [2n ** 53n + 3n]);
  assert.is(list.get(2n ** 53n + 3n)!.sdkVersion, SDK_VERSION);

  assert.equal(await client.registerExtension(info('one'), route), {
    code: 1,
    message: 'Duplicate extension registered',
    uuid: 0n,
  });
  assert.is(
    (await client.registerExtension(info('old', '1.7.6'), { table: { t_two: route.table.t_one } })).message,
    'Incompatible extension SDK version',
  );
  assert.is(
    (await client.registerExtension(info('reg'), { nonsense: { x: route.table.t_one } })).message,
    'Failed adding registry: Unknown registry: nonsense',
  );
  assert.is(
    (await client.registerExtension(info('empty'), { table: { t_three: [] } })).message,
    'Failed adding registry: Invalid route info',
  );
  assert.is(
    (await client.registerExtension(info('core'), { table: { processes: route.table.t_one } })).message,
    'Failed adding registry: Duplicate registry item: processes',
  );
  assert.is(
    (await client.registerExtension(info('again'), route)).message,
    'Failed adding registry: Duplicate registry item: t_one',
  );

  assert.equal(await client.deregisterExtension(2n ** 53n + 3n), { code: 0, message: 'OK', uuid: 2n ** 53n + 3n });
  assert.is((await client.deregisterExtension(2n ** 53n + 3n)).message, 'No extension UUID found');
  assert.is((await client.extensions()).size, 0);
});

test('concurrent calls on one connection are serialized: each answer matches its question', async () => {
  const sqls = Array.from({ length: 60 }, (_, i) =>
    i % 7 === 0 ? `SLEEP ${i % 3}` : `SELECT ${i} -- ${'x'.repeat(i * 50)}`,
  );
  const results = await Promise.all(sqls.map((s) => client.query(s)));
  results.forEach((rows, i) => assert.is(rows[0]!['sql'], sqls[i]));
});

test('a stuck peer: the call times out, the connection is discarded, the next call reconnects', async () => {
  const stuckPath = join(dir, 'stuck.em');
  const sockets: Socket[] = [];
  let accepted = 0;
  const stuck = createServer((s) => {
    accepted += 1;
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => stuck.listen(stuckPath, r));
  const c = new ManagerClient(stuckPath, { callTimeoutMs: 300 });
  try {
    const t0 = Date.now();
    await c.ping().then(
      () => assert.unreachable('a silent peer cannot answer'),
      (err: unknown) => {
        assert.instance(err, ThriftCallError);
        assert.match((err as Error).message, /timed out after 300 ms; connection discarded/);
      },
    );
    assert.ok(Date.now() - t0 < 2000);
    assert.not.ok(c.connected);
    await c.ping().catch(() => undefined);
    assert.is(accepted, 2, 'second call opened a new connection');
  } finally {
    c.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => stuck.close(r));
  }
});

test('connect retries until the deadline, then names the socket', async () => {
  const late = join(dir, 'late.em');
  const lateManager = new TestManager({ socketPath: late });
  const c = new ManagerClient(late);
  setTimeout(() => void lateManager.start(), 400);
  try {
    await c.connect(3000);
    assert.is((await c.ping()).code, 0);
  } finally {
    c.close();
    await lateManager.stop();
  }
  const never = new ManagerClient(join(dir, 'never.em'));
  const t0 = Date.now();
  await never.connect(500).then(
    () => assert.unreachable(),
    (err: unknown) => assert.match((err as Error).message, /cannot connect to .*never\.em/),
  );
  assert.ok(Date.now() - t0 >= 450);
});

test.run();
