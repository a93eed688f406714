// 10,000 malformed, truncated and oversized messages (fixed seed) sent to a
// real extension process's socket. Afterwards the process must be alive, its
// memory flat, and it must still answer ping and generate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TestManager } from '../manager/manager.js';
import { BinaryWriter, ByteSink } from '../../src/sdk/writer.js';
import { TType, MessageType } from '../../src/protocol/index.js';
import { tempDir, startFixture, rssBytes, sleep } from './helpers.js';
import { prng } from '../support/prng.js';

const TOTAL = 10_000;
const WORKERS = 8;

function encode(write: (w: BinaryWriter) => void): Buffer {
  let out = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (out = Buffer.from(b))));
  write(w);
  w.flush();
  return out;
}

function validCall(rand: () => number): Buffer {
  return encode((w) => {
    w.writeMessageBegin('call', MessageType.CALL, Math.floor(rand() * 1000));
    w.writeFieldBegin('registry', TType.STRING, 1);
    w.writeString('table');
    w.writeFieldBegin('item', TType.STRING, 2);
    w.writeString(rand() < 0.5 ? 'sdk_echo' : 'sdk_fail');
    w.writeFieldBegin('request', TType.MAP, 3);
    w.writeMapBegin(TType.STRING, TType.STRING, 2);
    w.writeString('action');
    w.writeString('generate');
    w.writeString('context');
    w.writeString(
      JSON.stringify({ constraints: [{ name: 'col', list: [{ op: 2, expr: String(rand()) }], affinity: 'TEXT' }] }),
    );
    w.writeFieldStop();
  });
}

function header(name: string): (w: BinaryWriter) => void {
  return (w) => w.writeMessageBegin(name, MessageType.CALL, 1);
}

/** One hostile input: bytes to send, and whether to send them in small chunks. */
function hostile(rand: () => number, i: number): { bytes: Buffer; chunked: boolean } {
  const kind = i % 10;
  const chunked = rand() < 0.2;
  switch (kind) {
    case 0: {
      // A valid call with a few bytes flipped.
      const b = validCall(rand);
      for (let k = 0, n = 1 + Math.floor(rand() * 4); k < n; k++)
        b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return { bytes: b, chunked };
    }
    case 1: {
      // Truncated anywhere, then the connection ends.
      const b = validCall(rand);
      return { bytes: b.subarray(0, Math.floor(rand() * b.length)), chunked };
    }
    case 2:
      // A string declared far larger than any limit.
      return {
        bytes: encode((w) => {
          header('call')(w);
          w.writeFieldBegin('registry', TType.STRING, 1);
          w.writeI32(0x7fffffff - Math.floor(rand() * 1000));
        }),
        chunked,
      };
    case 3:
      // A map/list declared with billions of elements, or a negative count.
      return {
        bytes: encode((w) => {
          header('call')(w);
          w.writeFieldBegin('request', TType.MAP, 3);
          if (rand() < 0.5)
            w.writeMapBegin(TType.STRING, TType.STRING, rand() < 0.5 ? 0x7fffffff : -Math.floor(rand() * 100) - 1);
          else w.writeListBegin(TType.STRUCT, 0x40000000 + Math.floor(rand() * 1000));
        }),
        chunked,
      };
    case 4: {
      // Random garbage.
      const b = Buffer.alloc(1 + Math.floor(rand() * 200));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
      return { bytes: b, chunked };
    }
    case 5:
      // Deep nesting.
      return {
        bytes: encode((w) => {
          header('call')(w);
          for (let k = 0; k < 100; k++) w.writeFieldBegin('s', TType.STRUCT, 1);
        }),
        chunked,
      };
    case 6:
      // Well framed but an unknown method, or wrong field types for a known one.
      return {
        bytes: encode((w) => {
          header(rand() < 0.5 ? `no_such_${i}` : 'call')(w);
          w.writeFieldBegin('registry', TType.I64, 1);
          w.writeI64(BigInt(i));
          w.writeFieldBegin('request', TType.LIST, 3);
          w.writeListBegin(TType.DOUBLE, 2);
          w.writeDouble(rand());
          w.writeDouble(rand());
          w.writeFieldStop();
        }),
        chunked,
      };
    case 7:
      // Bad version / non-strict header / absurd method name length.
      return {
        bytes: Buffer.from([
          rand() < 0.5 ? 0x80 : 0x00,
          Math.floor(rand() * 256),
          0,
          1,
          0x7f,
          0xff,
          0xff,
          0xff,
          1,
          2,
          3,
        ]),
        chunked,
      };
    case 8:
      // A valid ping followed by junk on the same connection.
      return {
        bytes: Buffer.concat([
          encode((w) => {
            header('ping')(w);
            w.writeFieldStop();
          }),
          Buffer.from([0x0c, 0xff, 0xff]),
        ]),
        chunked,
      };
    default:
      // A valid call: the extension answers, then we hang up.
      return { bytes: validCall(rand), chunked };
  }
}

/** Sends one input on its own connection; resolves whether anything came back. */
function send(path: string, bytes: Buffer, chunked: boolean, rand: () => number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    let replied = false;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(replied);
    };
    // A message the extension is still waiting on (truncated) ends with our hang-up.
    const timer = setTimeout(done, 2000);
    s.on('error', done);
    s.on('close', done);
    s.on('data', () => {
      replied = true;
    });
    s.on('connect', () => {
      if (!chunked) {
        s.end(bytes);
        return;
      }
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(rand() * 16);
        s.write(bytes.subarray(at, at + n));
        at += n;
      }
      s.end();
    });
  });
}

/** 17 MiB without ever completing a message: must hit the per-connection byte cap. */
function flood(path: string): Promise<{ closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const s = connect({ path });
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    // A call whose registry string claims 15 MiB; the bytes then run past the cap.
    const head = encode((w) => {
      header('call')(w);
      w.writeFieldBegin('registry', TType.STRING, 1);
      w.writeI32(15 * 1024 * 1024);
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ closedByPeer: false });
    }, 20_000);
    s.on('error', () => {
      clearTimeout(timer);
      resolve({ closedByPeer: true });
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closedByPeer: true });
    });
    s.on('connect', () => {
      s.write(head);
      const pump = () => {
        while (sent < 17) {
          sent += 1;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

test('10,000 hostile messages: the extension stays up, memory stays flat, ping and generate still work', async () => {
  const { dir, cleanup } = tempDir();
  const socket = join(dir, 'fz.em');
  const manager = new TestManager({ socketPath: socket });
  await manager.start();
  // A tight heap keeps V8 collecting often, so RSS samples reflect live
  // memory rather than garbage not yet collected, and a real leak would end
  // in an out-of-memory crash that the test reports.
  const child = startFixture(['--socket', socket, '--timeout', '5', '--interval', '2'], {
    NODE_OPTIONS: '--max-old-space-size=48',
  });
  try {
    const reg = await manager.waitForRegistration('sdk_fixture');
    const path = manager.extensionPath(reg.uuid);
    const pid = child.proc.pid!;
    const rand = prng(0x1489);
    const inputs = Array.from({ length: TOTAL }, (_, i) => hostile(rand, i));

    const t0 = Date.now();
    let next = 0;
    let replies = 0;
    const runBatch = async (until: number) => {
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (next < until) {
            const { bytes, chunked } = inputs[next++]!;
            if (await send(path, bytes, chunked, rand)) replies += 1;
          }
        }),
      );
    };
    // Warm up first, floods included, so that the baseline holds the steady
    // state of every code path and the allocator's 16 MiB high-water mark.
    const floods = [await flood(path), await flood(path), await flood(path)];
    await runBatch(1000);
    // Then nine rounds of 1,000. RSS swings with garbage-collection timing
    // (the floods' buffers are freed whenever V8 gets to them), so the
    // comparison is of peaks: the highest RSS of the last three rounds
    // against the highest of the first three. Retention per connection or
    // per message would raise the later peaks round after round.
    const peaks: number[] = [];
    for (let round = 1; round <= 9; round++) {
      await runBatch(1000 + round * 1000);
      let peak = 0;
      for (let k = 0; k < 3; k++) {
        peak = Math.max(peak, rssBytes(pid));
        await sleep(50);
      }
      peaks.push(peak);
    }
    const before = Math.max(...peaks.slice(0, 3));
    const after = Math.max(...peaks.slice(6));
    const seconds = (Date.now() - t0) / 1000;
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(
      `fuzz: ${TOTAL} messages (${replies} answered) in ${seconds.toFixed(1)} s; RSS peaks per 1,000 (MiB): ${peaks.map(mib).join(' ')}`,
    );

    assert.is(next, TOTAL);
    // The well-formed tenth (and the valid pings) were answered throughout: the fuzz hit a working server.
    assert.ok(replies >= TOTAL / 10, `only ${replies} replies`);
    assert.ok(seconds < 60, `took ${seconds} s`);
    assert.is(child.proc.exitCode, null, `extension died: ${child.stderr()}`);
    assert.ok(
      floods.every((f) => f.closedByPeer),
      'an over-cap connection is closed by the extension',
    );
    assert.ok(after - before < 8 * 2 ** 20, `RSS peak grew by ${mib(after - before)} MiB`);
    assert.is((await manager.pingExtension(reg.uuid)).code, 0);
    const r = await manager.callExtension(reg.uuid, 'table', 'sdk_echo', {
      action: 'generate',
      context: '{"constraints":[]}',
    });
    assert.is(r.status.code, 0);
  } finally {
    child.proc.kill('SIGKILL');
    await manager.stop();
    cleanup();
  }
});

test.run();
