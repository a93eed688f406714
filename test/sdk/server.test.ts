// The server's handling of its socket path: a stale socket left by a killed
// process is replaced, anything else in the way is refused, and an unknown
// method gets Thrift's exception reply rather than a dead connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createExtensionServer } from '../../src/sdk/server.js';
import { ExtensionClient } from '../../src/sdk/client.js';
import { BinaryWriter, ByteSink } from '../../src/sdk/writer.js';
import { BinaryReader } from '../../src/sdk/reader.js';
import { MessageFramer } from '../../src/sdk/framer.js';
import { SERVER_LIMITS } from '../../src/sdk/wire.js';
import { MessageType, TType } from '../../src/protocol/index.js';
import { tempDir, sleep } from './helpers.js';

const { dir, cleanup } = tempDir();
test.after(() => cleanup());

const handler = { call: async () => ({ code: 0, message: 'OK', response: [{ a: '1' }] }), shutdown: () => undefined };

test('a stale socket file from a SIGKILLed process is removed and the server listens', async () => {
  const path = join(dir, 'stale.em.1');
  const holder = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((r) => holder.stdout!.once('data', () => r()));
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  assert.ok(lstatSync(path).isSocket(), 'the killed process left its socket behind');
  const server = createExtensionServer({ path, uuid: 1n, handler });
  await server.listen();
  const client = new ExtensionClient(path);
  try {
    assert.equal((await client.call('table', 'x', {})).response, [{ a: '1' }]);
  } finally {
    client.close();
    await server.close();
  }
  assert.not.ok(existsSync(path), 'removed on close');
});

test('a regular file at the socket path is refused, not deleted', async () => {
  const path = join(dir, 'file.em.2');
  writeFileSync(path, 'precious');
  const server = createExtensionServer({ path, uuid: 2n, handler });
  await server.listen().then(
    () => assert.unreachable('must not listen over a regular file'),
    (err: unknown) => assert.match((err as Error).message, /non-socket file is in the way/),
  );
  assert.ok(existsSync(path));
});

test('an unknown method gets a Thrift exception reply and the connection stays usable', async () => {
  const path = join(dir, 'unk.em.3');
  const server = createExtensionServer({ path, uuid: 3n, handler });
  await server.listen();
  const msg = (name: string, seq: number) => {
    let out = Buffer.alloc(0);
    const w = new BinaryWriter(new ByteSink((b) => (out = Buffer.from(b))));
    w.writeMessageBegin(name, MessageType.CALL, seq);
    w.writeFieldBegin('x', TType.I32, 1);
    w.writeI32(5);
    w.writeFieldStop();
    w.flush();
    return out;
  };
  const socket = connect({ path });
  const framer = new MessageFramer(SERVER_LIMITS);
  const replies: { fname: string; mtype: number; rseqid: number }[] = [];
  socket.on('data', (d: Buffer) => {
    framer.push(d);
    for (let m = framer.next(); m; m = framer.next()) replies.push(new BinaryReader(m).readMessageBegin());
  });
  socket.write(Buffer.concat([msg('frobnicate', 1), msg('ping', 2)]));
  for (let i = 0; i < 100 && replies.length < 2; i++) await sleep(20);
  socket.destroy();
  await server.close();
  assert.equal(replies, [
    { fname: 'frobnicate', mtype: MessageType.EXCEPTION, rseqid: 1 },
    { fname: 'ping', mtype: MessageType.REPLY, rseqid: 2 },
  ]);
});

test('a message left incomplete is dropped after maxIncompleteMs; a slow but complete one is answered', async () => {
  const path = join(dir, 'slow.em.4');
  const server = createExtensionServer({ path, uuid: 4n, handler, limits: { ...SERVER_LIMITS, maxIncompleteMs: 300 } });
  await server.listen();
  let ping = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (ping = Buffer.from(b))));
  w.writeMessageBegin('ping', MessageType.CALL, 9);
  w.writeFieldStop();
  w.flush();
  try {
    // Half a message, then silence: closed by the server.
    const t0 = Date.now();
    const half = connect({ path });
    half.on('error', () => undefined);
    half.on('connect', () => half.write(ping.subarray(0, 5)));
    await new Promise((r) => half.once('close', r));
    const waited = Date.now() - t0;
    assert.ok(waited >= 250 && waited < 5000, `closed after ${waited} ms`);

    // The same message in two parts 100 ms apart: answered.
    const slow = connect({ path });
    let answered = false;
    slow.on('data', () => (answered = true));
    await new Promise((r) => slow.once('connect', r));
    slow.write(ping.subarray(0, 5));
    await sleep(100);
    slow.write(ping.subarray(5));
    for (let i = 0; i < 50 && !answered; i++) await sleep(20);
    assert.ok(answered);
    // An idle connection with nothing buffered is not a partial message.
    await sleep(500);
    assert.not.ok(slow.destroyed);
    slow.destroy();
  } finally {
    await server.close();
  }
});

test.run();
