// How fast the extension serves generate results to osqueryd: rows per second
// for 1k, 10k and 100k rows of 10 columns, served by the real fixture
// extension process (real lifecycle, real server, Unix socket) to a real
// client, against the floor of the same run: the stock `thrift` library
// (TBinaryProtocol into a TBufferedTransport) merely encoding the same rows.
// Target: a 100k-row result is served in at most 2 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import thrift from 'thrift';
import { TestManager } from '../../test/manager/manager.js';
import { benchRows, FIXTURE_TABLES } from '../../test/fixtures/sdk-extension.js';
import { ExtensionClient } from '../../src/sdk/client.js';
import { encodeRows } from '../../src/sdk/registry.js';
import { Types } from '../../src/protocol/index.js';

const TARGET_100K_MS = 2000;
const SIZES = [1_000, 10_000, 100_000];
const REPEATS = 5;

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, '..', '..', 'test', 'fixtures', 'sdk-extension.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The floor: stock thrift encoding an ExtensionResponse of these rows into memory. */
function thriftEncodeMs(rows: Record<string, string>[]): { ms: number; bytes: number } {
  let bytes = 0;
  const t0 = performance.now();
  const transport = new thrift.TBufferedTransport(undefined, (buf?: Buffer) => {
    bytes += buf ? buf.length : 0;
  });
  const proto = new thrift.TBinaryProtocol(transport);
  const response = new Types.ExtensionResponse({ status: { code: 0, message: 'OK' } });
  response.response = rows;
  proto.writeMessageBegin('call', thrift.Thrift.MessageType.REPLY, 1);
  proto.writeStructBegin('Extension_call_result');
  proto.writeFieldBegin('success', thrift.Thrift.Type.STRUCT, 0);
  response.write(proto as never);
  proto.writeFieldEnd();
  proto.writeFieldStop();
  proto.writeStructEnd();
  proto.writeMessageEnd();
  transport.flush();
  return { ms: performance.now() - t0, bytes };
}

async function main(): Promise<number> {
  const dir = mkdtempSync('/tmp/an1489-bench-');
  const socket = join(dir, 'b.em');
  const manager = new TestManager({ socketPath: socket });
  await manager.start();
  // A long --interval: this process also plays the manager, and while it
  // decodes a 100k-row result it cannot answer the extension's liveness ping.
  const child = spawn(process.execPath, [fixture, '--socket', socket, '--timeout', '5', '--interval', '600'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let childLog = '';
  child.stderr!.on('data', (d: Buffer) => (childLog += d.toString()));
  const client = (path: string) => new ExtensionClient(path, { callTimeoutMs: 60_000 });
  let failed = false;
  try {
    const reg = await manager.waitForRegistration('sdk_fixture');
    const c = client(manager.extensionPath(reg.uuid));
    const columns = FIXTURE_TABLES.find((t) => t.name === 'sdk_bench')!.columns;
    console.log('rows      served (median of 5)   rows/s        thrift-encode floor   ratio served/floor');
    let served100k = Infinity;
    for (const n of SIZES) {
      const context = JSON.stringify({ constraints: [{ name: 'n', list: [{ op: 2, expr: String(n) }], affinity: 'BIGINT' }] });
      const servedMs: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const t0 = performance.now();
        const r = await c.call('table', 'sdk_bench', { action: 'generate', context });
        servedMs.push(performance.now() - t0);
        if (r.status.code !== 0 || r.response.length !== n || r.response[n - 1]!['c0'] !== String(n - 1)) {
          throw new Error(`bad result for n=${n}: status ${r.status.code} ${r.status.message}, ${r.response.length} rows`);
        }
      }
      const rows = encodeRows(columns, benchRows(n));
      const floorMs: number[] = [];
      let bytes = 0;
      for (let i = 0; i < REPEATS; i++) {
        const f = thriftEncodeMs(rows);
        floorMs.push(f.ms);
        bytes = f.bytes;
      }
      const served = median(servedMs);
      const floor = median(floorMs);
      if (n === 100_000) served100k = served;
      console.log(
        `${String(n).padEnd(9)} ${served.toFixed(1).padStart(8)} ms           ${Math.round((n / served) * 1000).toLocaleString('en-US').padStart(11)}   ${floor.toFixed(1).padStart(8)} ms (${(bytes / 2 ** 20).toFixed(1)} MiB)   ${(served / floor).toFixed(2)}`,
      );
    }
    c.close();
    const ok = served100k <= TARGET_100K_MS;
    failed = !ok;
    if (!ok) process.stderr.write(childLog);
    console.log(`BENCH thrift-serve: ${ok ? 'PASS' : 'FAIL'} 100k rows x 10 columns served in ${served100k.toFixed(0)} ms (target <= ${TARGET_100K_MS} ms)`);
  } catch (err) {
    process.stderr.write(childLog);
    throw err;
  } finally {
    child.kill('SIGTERM');
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(`BENCH thrift-serve: FAIL ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
