// How fast the extension serves generate results to osqueryd, against a
// floor measured in the same run.
//
// Served: a `generate` of 1k, 10k and 100k rows of 10 columns, from the
// fixture extension process (real lifecycle, real server, Unix socket) to a
// real client, timed at the client from request to decoded rows.
// Floor: the bytes' own cost — the SDK's writer encoding those same rows
// (EncodedRows into a reused buffer, as the server reuses its previous
// reply's) plus the client's reader decoding them (BinaryReader's string-map
// loop, what the client runs per row), in process: no generate, no socket.
// Serving cannot cost less, so served/floor is what generate, the socket and
// the two processes' scheduling add. The encode-only figure is printed too.
//
// Target: at every size, served <= 3x the floor (medians). Once the writer
// became several times faster than the reader, encode alone stopped bounding
// a path that decodes every byte it encodes (docs/benchmarks.md).
// Answer: the rows the client received, encoded again by the floor's writer,
// are byte-identical to the floor's bytes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestManager } from '../../test/manager/manager.js';
import { benchRows, FIXTURE_TABLES } from '../../test/fixtures/sdk-extension.js';
import { ExtensionClient } from '../../src/sdk/client.js';
import { EncodedRows } from '../../src/sdk/registry.js';
import { BinaryWriter, ByteSink } from '../../src/sdk/writer.js';
import { BinaryReader } from '../../src/sdk/reader.js';
import { CLIENT_LIMITS } from '../../src/sdk/wire.js';
import type { Row } from '../../src/sdk/table.js';
import { median, report, rounds, runBench, time, x } from './bench.js';

const NAME = 'thrift-serve';
const LIMIT = 3;
const SIZES = [1_000, 10_000, 100_000];
// Small sizes are short and noisy (a round trip, a GC), so they get more rounds for a stable median.
const ROUNDS: Record<number, number> = { 1000: rounds(31, 11), 10000: rounds(15, 5), 100000: rounds(7, 3) };

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, '..', '..', 'test', 'fixtures', 'sdk-extension.js');
const columns = FIXTURE_TABLES.find((t) => t.name === 'sdk_bench')!.columns.filter((c) => c.name !== 'n');

/**
 * The floor: the rows' list<map<string,string>> encoded by the SDK's writer
 * into a buffer kept from the previous round, as the server reuses the
 * buffer of its previous reply. Returns a view valid until the next call.
 */
let spare: Buffer | null = null;
function encode(rows: readonly Row[]): Buffer {
  let out: Buffer = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (out = b), spare ?? 1024));
  new EncodedRows(columns, rows).writeList(w);
  spare = w.sink.buf;
  w.sink.flush();
  return out;
}

/** The client's per-row decode of the floor's bytes: list<map<string,string>> through BinaryReader. */
function decode(bytes: Buffer): Record<string, string>[] {
  const r = new BinaryReader(bytes, CLIENT_LIMITS);
  const list = r.readListBegin();
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < list.size; i++) rows.push(r.readStringMapBody(r.readMapBegin().size));
  return rows;
}

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/an1489-bench-');
  const socket = join(dir, 'b.em');
  const manager = new TestManager({ socketPath: socket });
  await manager.start();
  // A long --interval: this process also plays the manager, and while it
  // decodes a 100k-row result it cannot answer the extension's liveness ping.
  const child = spawn(process.execPath, [fixture, '--socket', socket, '--timeout', '5', '--interval', '600'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let childLog = '';
  child.stderr!.on('data', (d: Buffer) => (childLog += d.toString()));
  try {
    const reg = await manager.waitForRegistration('sdk_fixture');
    const c = new ExtensionClient(manager.extensionPath(reg.uuid), { callTimeoutMs: 60_000 });
    console.log(`rows      served (median)   rows/s      encode   encode+decode floor      served/floor`);
    const ratios: string[] = [];
    let met = true;
    let same = true;
    for (const n of SIZES) {
      const context = JSON.stringify({
        constraints: [{ name: 'n', list: [{ op: 2, expr: String(n) }], affinity: 'BIGINT' }],
      });
      const expected = [...benchRows(n)];
      const servedMs: number[] = [];
      const floorMs: number[] = [];
      const encodeMs: number[] = [];
      let floorBytes: Buffer = Buffer.alloc(0);
      let received: Record<string, string>[] = [];
      // Interleaved, so that machine load falls on both sides alike.
      for (let i = 0; i < ROUNDS[n]!; i++) {
        const s = await time(() => c.call('table', 'sdk_bench', { action: 'generate', context }));
        if (s.value.status.code !== 0)
          throw new Error(`generate n=${n}: status ${s.value.status.code} ${s.value.status.message}`);
        servedMs.push(s.ms);
        received = s.value.response;
        const f = await time(() => encode(expected));
        floorBytes = Buffer.from(f.value);
        const d = await time(() => decode(floorBytes));
        encodeMs.push(f.ms);
        floorMs.push(f.ms + d.ms);
        same &&= d.value.length === n;
      }
      same &&= received.length === n && encode(received).equals(floorBytes);
      const served = median(servedMs);
      const floor = median(floorMs);
      const ratio = served / floor;
      met &&= ratio <= LIMIT;
      ratios.push(`${n / 1000}k ${x(ratio)}`);
      console.log(
        `${String(n).padEnd(9)} ${served.toFixed(1).padStart(8)} ms ${Math.round((n / served) * 1000)
          .toLocaleString('en-US')
          .padStart(14)}   ${median(encodeMs).toFixed(1).padStart(6)} ms ${floor.toFixed(1).padStart(9)} ms (${(
          floorBytes.length / 2 ** 20
        ).toFixed(1)} MiB)   ${x(ratio)}`,
      );
    }
    c.close();
    if (!met || !same) process.stderr.write(childLog);
    report(NAME, {
      against: 'floor',
      versus: 'encode+decode (the same rows through the SDK writer and the client reader, no generate, no socket)',
      met,
      figures: `served/floor ${ratios.join(', ')} (target <= ${LIMIT}x at every size)`,
      sameAnswer: same,
      answer: `received rows re-encode byte-identical to the floor's bytes (${SIZES.join(', ')} rows)`,
    });
  } catch (err) {
    process.stderr.write(childLog);
    throw err;
  } finally {
    child.kill('SIGTERM');
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(NAME, main);
