// How the test manager calls an extension's table, checked against osqueryd's
// own sequence, on which the python-peer benchmark's timing rests:
//   osquery/registry/registry_interface.cpp, RegistryInterface::call: an item
//     an extension broadcast is answered by callExtension(uuid, ...);
//   osquery/extensions/extensions.cpp, callExtension(path, ...): first
//     extensionPathActive(path), which opens an ExtensionManagerClient on the
//     extension's socket and pings it, then a new ExtensionClient whose
//     call() carries the request. Two connections, ping then call.
// A recording proxy sits on the extension's socket in front of a real server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { TestManager } from './manager.js';
import { createExtensionServer } from '../../src/sdk/server.js';
import { tempDir } from '../sdk/helpers.js';

const UUID = 7n;

/** The method name of the first message on a connection (strict binary protocol header). */
function methodName(bytes: Buffer): string | null {
  if (bytes.length < 8) return null;
  const len = bytes.readInt32BE(4);
  return bytes.length >= 8 + len ? bytes.subarray(8, 8 + len).toString('latin1') : null;
}

test('a table call is a ping on one connection, then the call on a second', async () => {
  const { dir, cleanup } = tempDir();
  const manager = new TestManager({ socketPath: join(dir, 'em') });
  await manager.start();
  const upstream = createExtensionServer({
    path: join(dir, 'real'),
    uuid: UUID,
    handler: {
      async call(_registry, item) {
        return { code: 0, message: 'OK', response: [{ item }] };
      },
      shutdown() {},
    },
  });
  await upstream.listen();
  // Per connection, in the order they were opened: the first method it carried.
  const seen: { method: string | null }[] = [];
  const proxy = createServer((client: Socket) => {
    const entry = { method: null as string | null };
    seen.push(entry);
    let head = Buffer.alloc(0);
    const server = createConnection(join(dir, 'real'));
    client.on('data', (d: Buffer) => {
      if (entry.method === null) {
        head = Buffer.concat([head, d]);
        entry.method = methodName(head);
      }
      server.write(d);
    });
    server.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('close', end);
    client.on('error', end);
    server.on('close', end);
    server.on('error', end);
  });
  await new Promise<void>((resolve) => proxy.listen(manager.extensionPath(UUID), resolve));
  try {
    const r = await manager.callExtension(UUID, 'table', 'probe', { action: 'generate' });
    assert.equal(r.response, [{ item: 'probe' }]);
    assert.equal(
      seen.map((s) => s.method),
      ['ping', 'call'],
    );
  } finally {
    proxy.close();
    await upstream.close();
    await manager.stop();
    cleanup();
  }
});

test.run();
