// The python-peer benchmark's floor: our extension server (src/sdk/server.ts)
// answering sdk_bench's generate with the reply's rows already encoded, once,
// at start. Every call still pays what the harness costs any extension (the
// manager's ping, two connections, our server's read, reply and socket
// write, the transfer and the manager's framing), and nothing for generating
// or encoding: what is left between this and our extension is those two.
//   node build/scripts/bench/python-peer/replay-server.js --path SOCKET --uuid N --rows N
// Prints "listening" on stdout once the socket accepts connections.
import { parseArgs } from 'node:util';
import { FIXTURE_TABLES, benchRows } from '../../../test/fixtures/sdk-extension.js';
import { EncodedRows } from '../../../src/sdk/registry.js';
import { createExtensionServer, type WireRows } from '../../../src/sdk/server.js';
import { BinaryWriter, ByteSink } from '../../../src/sdk/writer.js';

const { values } = parseArgs({
  options: { path: { type: 'string' }, uuid: { type: 'string' }, rows: { type: 'string' } },
});
if (!values.path || !values.uuid || !values.rows) throw new Error('usage: --path SOCKET --uuid N --rows N');
const n = Number(values.rows);
const table = FIXTURE_TABLES.find((t) => t.name === 'sdk_bench');
if (!table) throw new Error('the fixture has no sdk_bench table');

// The list exactly as our extension writes it for `WHERE n = <rows>`.
let list: Buffer | null = null;
const sink = new ByteSink((bytes) => {
  list = Buffer.from(bytes);
});
const writer = new BinaryWriter(sink);
new EncodedRows(table.columns, Array.from(benchRows(n))).writeList(writer);
writer.flush();
const encoded: Buffer = list!;

const replay: WireRows = {
  length: n,
  writeList(w: BinaryWriter): void {
    w.writeRaw(encoded);
  },
};

const server = createExtensionServer({
  path: values.path,
  uuid: BigInt(values.uuid),
  handler: {
    async call(registry, item, request) {
      if (registry !== 'table' || item !== 'sdk_bench' || request['action'] !== 'generate')
        return { code: 1, message: `the replay server answers only sdk_bench's generate`, response: [] };
      return { code: 0, message: 'OK', response: replay };
    },
    shutdown() {
      void server.close().then(() => process.exit(0));
    },
  },
});
await server.listen();
process.stdout.write('listening\n');
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
