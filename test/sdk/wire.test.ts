// The protocol layer in isolation: framing across arbitrary chunk
// boundaries, limits on declared sizes, exact i64 both ways (also against
// bytes written by the stock `thrift` library), and the small pure helpers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import thrift from 'thrift';
import { BinaryWriter, ByteSink } from '../../src/sdk/writer.js';
import { BinaryReader } from '../../src/sdk/reader.js';
import { MessageFramer } from '../../src/sdk/framer.js';
import { SERVER_LIMITS, WireError } from '../../src/sdk/wire.js';
import {
  Types,
  TType,
  MessageType,
  toBigInt64,
  int64ToBigInt,
  bigIntToInt64Bytes,
  type NodeInt64,
} from '../../src/protocol/index.js';
import { checkSocketPath, extensionSocketPath } from '../../src/sdk/socket-path.js';
import { parseExtensionArgs } from '../../src/sdk/args.js';
import { createLogger } from '../../src/sdk/log.js';

function message(write: (w: BinaryWriter) => void, name = 'call', seq = 7): Buffer {
  let out = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (out = Buffer.from(b))));
  w.writeMessageBegin(name, MessageType.CALL, seq);
  write(w);
  w.flush();
  return out;
}

const EDGE_I64 = [0n, -1n, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];

test('i64 round-trips exactly through our writer and reader, including above 2^53 and negative', () => {
  for (const v of EDGE_I64) {
    const bytes = message((w) => {
      w.writeFieldBegin('uuid', TType.I64, 3);
      w.writeI64(v);
      w.writeFieldStop();
    });
    const r = new BinaryReader(bytes);
    r.readMessageBegin();
    r.readFieldBegin();
    assert.is(r.readI64(), v);
  }
  assert.is(toBigInt64('18446744073709551'), 18446744073709551n);
  assert.throws(() => toBigInt64(2 ** 60), /not a safe integer/);
  assert.throws(() => toBigInt64('0x10'), /decimal/);
  assert.throws(() => bigIntToInt64Bytes(2n ** 63n), /does not fit/);
});

test('node-int64 objects from the stock library convert exactly, both directions', () => {
  const Int64 = (thrift as unknown as { Int64: new (b: Buffer) => NodeInt64 }).Int64;
  for (const v of EDGE_I64) {
    const obj = new Int64(bigIntToInt64Bytes(v));
    assert.is(int64ToBigInt(obj), v);
    assert.is(toBigInt64(obj), v);
  }
});

test('a struct written by the stock thrift TBinaryProtocol decodes with an exact uuid', () => {
  const chunks: Buffer[] = [];
  const transport = new thrift.TBufferedTransport(undefined, (buf?: Buffer) => {
    if (buf) chunks.push(Buffer.from(buf));
  });
  const proto = new thrift.TBinaryProtocol(transport);
  const Int64 = (thrift as unknown as { Int64: new (b: Buffer) => NodeInt64 }).Int64;
  const big = 2n ** 62n + 12345n;
  proto.writeMessageBegin('ping', MessageType.REPLY, 1);
  proto.writeStructBegin('r');
  proto.writeFieldBegin('success', TType.STRUCT, 0);
  const status = new Types.ExtensionStatus({ code: 0, message: 'pong' });
  (status as unknown as { uuid: NodeInt64 }).uuid = new Int64(bigIntToInt64Bytes(big));
  status.write(proto as never);
  proto.writeFieldEnd();
  proto.writeFieldStop();
  proto.writeStructEnd();
  proto.writeMessageEnd();
  transport.flush();
  const bytes = Buffer.concat(chunks);
  const framer = new MessageFramer(SERVER_LIMITS);
  framer.push(bytes);
  const msg = framer.next();
  assert.ok(msg);
  const r = new BinaryReader(msg!);
  assert.is(r.readMessageBegin().fname, 'ping');
  r.readStructBegin();
  assert.is(r.readFieldBegin().fid, 0);
  const decoded = new Types.ExtensionStatus();
  decoded.read(r);
  assert.is(decoded.uuid, big);
  assert.is(decoded.message, 'pong');
});

test('framer: byte-by-byte delivery yields the same messages as one chunk; back-to-back messages split', () => {
  const a = message((w) => {
    w.writeFieldBegin('request', TType.MAP, 3);
    w.writeMapBegin(TType.STRING, TType.STRING, 2);
    w.writeString('action');
    w.writeString('generate');
    w.writeString('context');
    w.writeString('{"constraints":[]}');
    w.writeFieldBegin('l', TType.LIST, 4);
    w.writeListBegin(TType.I64, 2);
    w.writeI64(1n);
    w.writeI64(2n);
    w.writeFieldStop();
  });
  const b = message((w) => w.writeFieldStop(), 'ping', 8);
  const both = Buffer.concat([a, b]);
  const framer = new MessageFramer(SERVER_LIMITS);
  const got: Buffer[] = [];
  for (const byte of both) {
    framer.push(Buffer.from([byte]));
    for (let m = framer.next(); m; m = framer.next()) got.push(Buffer.from(m));
  }
  assert.equal(got, [a, b]);
  assert.is(framer.buffered, 0);
});

test('framer: a result set (list of string maps, and maps of other flat or nested types) splits the same at every chunking', () => {
  const rows = message((w) => {
    w.writeFieldBegin('response', TType.LIST, 2);
    w.writeListBegin(TType.MAP, 4);
    for (let r = 0; r < 3; r++) {
      w.writeMapBegin(TType.STRING, TType.STRING, 3);
      for (let c = 0; c < 3; c++) {
        w.writeString(`c${c}`);
        w.writeString(r === 1 && c === 2 ? '' : `v${r}.${c}-ünï`);
      }
    }
    w.writeMapBegin(TType.STRING, TType.STRING, 0);
    w.writeFieldBegin('typed', TType.LIST, 3);
    w.writeListBegin(TType.MAP, 2);
    w.writeMapBegin(TType.I32, TType.I64, 2);
    w.writeI32(1);
    w.writeI64(2n);
    w.writeI32(3);
    w.writeI64(4n);
    w.writeMapBegin(TType.STRING, TType.LIST, 1);
    w.writeString('k');
    w.writeListBegin(TType.STRING, 2);
    w.writeString('a');
    w.writeString('b');
    w.writeFieldStop();
  });
  const tail = message((w) => w.writeFieldStop(), 'ping', 9);
  const both = Buffer.concat([rows, tail]);
  for (const size of [1, 2, 3, 5, 7, 11, 64, both.length]) {
    const framer = new MessageFramer(SERVER_LIMITS);
    const got: Buffer[] = [];
    for (let at = 0; at < both.length; at += size) {
      framer.push(both.subarray(at, at + size));
      for (let m = framer.next(); m; m = framer.next()) got.push(Buffer.from(m));
    }
    assert.equal(got, [rows, tail], `chunks of ${size}`);
  }
});

test("framer: inside a result set, a map's lying size or bad types and nesting beyond the limit are WireErrors", () => {
  const rowsWith = (k: number, v: number, size: number) =>
    message((w) => {
      w.writeFieldBegin('response', TType.LIST, 2);
      w.writeListBegin(TType.MAP, 2);
      w.writeMapBegin(TType.STRING, TType.STRING, 1);
      w.writeString('a');
      w.writeString('b');
      w.writeMapBegin(k, v, size);
    });
  const frame = (bytes: Buffer, limits = SERVER_LIMITS) => {
    const f = new MessageFramer(limits);
    f.push(bytes);
    return f.next();
  };
  assert.throws(
    () => frame(rowsWith(TType.STRING, TType.STRING, -1)),
    (e: unknown) => e instanceof WireError && /negative/.test(e.message),
  );
  assert.throws(
    () => frame(rowsWith(TType.STRING, TType.STRING, 2 ** 30)),
    (e: unknown) => e instanceof WireError,
  );
  assert.throws(
    () => frame(rowsWith(99, TType.STRING, 1)),
    (e: unknown) => e instanceof WireError && /type 99/.test(e.message),
  );
  // Still incomplete, not an error: the second map's entry has not arrived.
  assert.is(frame(rowsWith(TType.STRING, TType.STRING, 1)), null);
  assert.throws(
    () => frame(rowsWith(TType.STRING, TType.STRING, 0), { ...SERVER_LIMITS, maxDepth: 2 }),
    (e: unknown) => e instanceof WireError && /nesting/.test(e.message),
  );
});

test('framer: lies and breaches are WireErrors before any allocation', () => {
  const cases: [string, Buffer][] = [
    [
      'negative string',
      message((w) => {
        w.writeFieldBegin('s', TType.STRING, 1);
        w.writeI32(-5);
      }),
    ],
    [
      'huge string',
      message((w) => {
        w.writeFieldBegin('s', TType.STRING, 1);
        w.writeI32(0x7fffffff);
      }),
    ],
    [
      'huge list',
      message((w) => {
        w.writeFieldBegin('l', TType.LIST, 1);
        w.writeListBegin(TType.STRING, 0x7ffffff0);
      }),
    ],
    [
      'negative map',
      message((w) => {
        w.writeFieldBegin('m', TType.MAP, 1);
        w.writeMapBegin(TType.STRING, TType.STRING, -1);
      }),
    ],
    [
      'bad field type',
      message((w) => {
        w.writeFieldBegin('x', 99, 1);
      }),
    ],
    [
      'bad element type',
      message((w) => {
        w.writeFieldBegin('l', TType.LIST, 1);
        w.writeListBegin(42, 3);
      }),
    ],
    [
      'deep nesting',
      message((w) => {
        for (let i = 0; i < 40; i++) w.writeFieldBegin('s', TType.STRUCT, 1);
      }),
    ],
    ['no version', Buffer.from([0, 0, 0, 4, 0x70, 0x69, 0x6e, 0x67, 1, 0, 0, 0, 1, 0])],
    ['bad version', Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['huge name', Buffer.from([0x80, 0x01, 0, 1, 0x7f, 0, 0, 0])],
  ];
  for (const [what, bytes] of cases) {
    const framer = new MessageFramer(SERVER_LIMITS);
    assert.throws(
      () => {
        framer.push(bytes);
        framer.next();
      },
      (e: unknown) => e instanceof WireError,
      what,
    );
  }
  const small = new MessageFramer({ ...SERVER_LIMITS, maxBufferedBytes: 64 });
  small.push(Buffer.alloc(60, 0x80));
  assert.throws(() => small.push(Buffer.alloc(10)), /more than 64 bytes/);
});

test('reader: running past the end of a message is a WireError, not a wait', () => {
  const r = new BinaryReader(Buffer.from([0x80, 0x01, 0x00, 0x01, 0, 0, 0, 9, 0x61]));
  assert.throws(
    () => r.readMessageBegin(),
    (e: unknown) => e instanceof WireError,
  );
});

test('socket paths: Linux 107 bytes, macOS 103, Windows pipes 256 characters; extension path keeps every uuid digit', () => {
  assert.is(
    extensionSocketPath('/var/osquery/osquery.em', 2n ** 63n - 1n),
    '/var/osquery/osquery.em.9223372036854775807',
  );
  checkSocketPath(`/${'a'.repeat(106)}`, 'linux');
  assert.throws(() => checkSocketPath(`/${'a'.repeat(107)}`, 'linux'), /108 bytes; linux allows 107/);
  assert.throws(() => checkSocketPath(`/${'é'.repeat(54)}`, 'linux'), /109 bytes/);
  checkSocketPath(`/${'a'.repeat(102)}`, 'darwin');
  assert.throws(() => checkSocketPath(`/${'a'.repeat(103)}`, 'darwin'), /darwin allows 103/);
  checkSocketPath(`\\\\.\\pipe\\${'a'.repeat(247)}`, 'win32');
  assert.throws(
    () => checkSocketPath(`\\\\.\\pipe\\${'a'.repeat(248)}`, 'win32'),
    /257 characters; Windows allows 256/,
  );
  assert.throws(() => checkSocketPath('C:\\osquery\\shell.em', 'win32'), /named pipe/);
});

test("arguments: exactly osqueryd's flags, both spellings; anything else refused", () => {
  assert.equal(parseExtensionArgs(['--socket', '/s', '--timeout', '3', '--interval', '5', '--verbose']), {
    socket: '/s',
    timeout: 3,
    interval: 5,
    verbose: true,
  });
  assert.equal(parseExtensionArgs(['--socket=/s', '--timeout=0.5', '--interval=2']), {
    socket: '/s',
    timeout: 0.5,
    interval: 2,
    verbose: false,
  });
  assert.equal(parseExtensionArgs(['--socket', '/s']), { socket: '/s', timeout: 3, interval: 3, verbose: false });
  for (const bad of [
    [],
    ['--timeout', '3'],
    ['--socket', '/s', '--x'],
    ['run'],
    ['--socket', '/s', '--interval', '0'],
    ['--socket', '/s', '--timeout', '-1'],
    ['--socket', '/s', '--socket', '/t'],
  ]) {
    assert.throws(() => parseExtensionArgs(bad), /./, bad.join(' '));
  }
});

test('log lines: one per event, control characters escaped, details only when verbose', () => {
  const lines: string[] = [];
  const quiet = createLogger({ name: 'x', write: (l) => lines.push(l) });
  quiet('info', 'evil\nFAKE ERROR line', { a: 1 });
  quiet('debug', 'hidden');
  const loud = createLogger({ name: 'x', verbose: true, write: (l) => lines.push(l) });
  loud('debug', 'shown', { uuid: 2n ** 60n });
  assert.is(lines.length, 2);
  assert.match(lines[0]!, / x INFO evil\\nFAKE ERROR line\n$/);
  assert.match(lines[1]!, /DEBUG shown \{"uuid":"1152921504606846976"\}\n$/);
});

test.run();
