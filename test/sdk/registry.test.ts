// The table registry without sockets: declarations osqueryd would refuse,
// route rows, osquery's context JSON, cell encoding, and that the direct
// wire encoding of rows decodes to exactly what encodeRows produces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TableRegistry,
  declarationProblems,
  encodeCell,
  encodeRows,
  parseQueryContext,
  routeInfo,
  EncodedRows,
} from '../../src/sdk/registry.js';
import { BinaryWriter, ByteSink } from '../../src/sdk/writer.js';
import { BinaryReader } from '../../src/sdk/reader.js';
import { Types, TType } from '../../src/protocol/index.js';
import { ColumnOption, type Row, type TablePlugin } from '../../src/sdk/table.js';

function table(partial: Partial<TablePlugin>): TablePlugin {
  return {
    name: 't',
    description: '',
    examples: [],
    platforms: ['linux'],
    columns: [{ name: 'a', type: 'TEXT', description: '' }],
    generate: () => [],
    ...partial,
  };
}

test('declarations osqueryd would refuse are reported, and the registry refuses them', () => {
  assert.equal(declarationProblems(table({})), []);
  assert.match(declarationProblems(table({ name: 'bad-name' })).join(), /not an SQL identifier/);
  assert.match(declarationProblems(table({ columns: [] })).join(), /no columns/);
  assert.match(
    declarationProblems(
      table({
        columns: [
          { name: 'a', type: 'TEXT', description: '' },
          { name: 'a', type: 'TEXT', description: '' },
        ],
      }),
    ).join(),
    /duplicate column/,
  );
  assert.match(
    declarationProblems(table({ columns: [{ name: 'a', type: 'VARCHAR' as never, description: '' }] })).join(),
    /unknown type/,
  );
  assert.throws(() => new TableRegistry([table({ columns: [] })]), /invalid table declaration/);
  assert.throws(() => new TableRegistry([table({}), table({})]), /declared twice/);
});

test('route rows carry id, name, type and the options as decimal text, then the attributes row', () => {
  const t = table({
    columns: [
      { name: 'pid', type: 'BIGINT', description: '', options: ColumnOption.INDEX | ColumnOption.OPTIMIZED },
      { name: 'x', type: 'DOUBLE', description: '' },
    ],
  });
  assert.equal(routeInfo(t), [
    { id: 'column', name: 'pid', type: 'BIGINT', op: '9' },
    { id: 'column', name: 'x', type: 'DOUBLE', op: '0' },
    { id: 'attributes', attributes: '0' },
  ]);
  assert.equal(new TableRegistry([t]).routes(), { table: { t: routeInfo(t) } });
});

test("query context: osquery's JSON, every operator code, unknown ops dropped, colsUsed kept", () => {
  const ctx = parseQueryContext(
    JSON.stringify({
      constraints: [
        {
          name: 'a',
          list: [2, 4, 8, 16, 32, 65, 66, 67, 1, 70].map((op) => ({ op, expr: String(op) })),
          affinity: 'TEXT',
        },
        { name: 'b', list: [], affinity: 'BIGINT' },
      ],
      colsUsed: ['a', 'b'],
      colsUsedBitset: 3,
    }),
  );
  assert.equal(
    ctx.constraints.get('a')!.map((c) => c.op),
    ['=', '>', '<=', '<', '>=', 'LIKE', 'GLOB', 'REGEXP'],
  );
  assert.equal(ctx.constraints.get('b'), []);
  assert.equal([...ctx.colsUsed!], ['a', 'b']);
  assert.is(parseQueryContext(undefined).colsUsed, null);
  assert.is(parseQueryContext('{"constraints":[]}').colsUsed, null);
  assert.throws(() => parseQueryContext('[1'), /not JSON/);
  assert.throws(
    () => parseQueryContext('{"constraints":[{"name":"a","list":[{"op":"2","expr":"x"}]}]}'),
    /unexpected shape/,
  );
});

test('cells: integers as digits (never exponent form), doubles as shortest decimal, bigint exact, NaN/Infinity/null as NULL', () => {
  assert.is(encodeCell(42), '42');
  assert.is(encodeCell(-7), '-7');
  assert.is(encodeCell(1e21), '1000000000000000000000');
  assert.is(encodeCell(2 ** 53), '9007199254740992');
  assert.is(encodeCell(0.1), '0.1');
  assert.is(encodeCell(-2.5), '-2.5');
  assert.is(encodeCell(2n ** 64n + 1n), '18446744073709551617');
  assert.is(encodeCell(-(2n ** 63n)), '-9223372036854775808');
  assert.is(encodeCell(Number.NaN), undefined);
  assert.is(encodeCell(Number.POSITIVE_INFINITY), undefined);
  assert.is(encodeCell(null), undefined);
  assert.is(encodeCell(''), '');
});

test("the direct wire encoding decodes to exactly encodeRows' maps (NULLs omitted, undeclared keys dropped)", () => {
  const columns = [
    { name: 'n', type: 'INTEGER' as const, description: '' },
    { name: 's', type: 'TEXT' as const, description: '' },
    { name: 'b', type: 'BIGINT' as const, description: '' },
  ];
  const rows: Row[] = [
    { n: 1, s: 'plain', b: 2n ** 62n },
    { n: null, s: 'ünïcode ✓ \u0000 nul', b: undefined, extra: 'dropped' },
    { n: 2 ** 31, s: 'x'.repeat(5000) },
    {},
  ];
  const overflows: string[] = [];
  let bytes = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (bytes = Buffer.from(b))));
  w.writeStructBegin('ExtensionResponse');
  w.writeFieldBegin('response', TType.LIST, 2);
  new EncodedRows(columns, rows, (c, v) => overflows.push(`${c}=${v}`)).writeList(w);
  w.writeFieldStop();
  w.flush();
  const decoded = new Types.ExtensionResponse();
  decoded.read(new BinaryReader(bytes));
  assert.equal(decoded.response, encodeRows(columns, rows));
  assert.equal(decoded.response![1], { s: 'ünïcode ✓ \u0000 nul' });
  assert.equal(overflows, ['n=2147483648']);
});

test('the row encoder spells every integer as String() does and every string as UTF-8, whatever its length or content', () => {
  const ints = [
    0,
    -0,
    1,
    -1,
    9,
    10,
    99,
    100,
    12345678,
    99999999,
    100000000,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 40 + 7,
  ];
  ints.push(
    1e15,
    1e15 - 1,
    1e16 - 2,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 53,
    1e20,
    1e21,
    2.5,
    -0.1,
  );
  for (let i = 0; i < 200; i++) ints.push(Math.floor(Math.random() * 2 ** (1 + (i % 53))) * (i % 3 === 0 ? -1 : 1));
  const texts = ['', 'a', 'é', '✓', '\u{1f600}', '\ud800', 'x\udc00y', '\u0000', 'ascii then é'];
  for (const n of [47, 48, 49, 4096, 4097]) texts.push('a'.repeat(n), `${'a'.repeat(n - 1)}é`, `é${'a'.repeat(n - 1)}`);
  const columns = [
    { name: 'i', type: 'BIGINT' as const, description: '' },
    { name: 't', type: 'TEXT' as const, description: '' },
  ];
  const rows: Row[] = ints.map((i, k) => ({ i, t: texts[k % texts.length] }));
  let bytes = Buffer.alloc(0);
  const w = new BinaryWriter(new ByteSink((b) => (bytes = Buffer.from(b)), 16));
  new EncodedRows(columns, rows).writeList(w);
  w.flush();
  const r = new BinaryReader(bytes);
  const list = r.readListBegin();
  assert.is(list.size, rows.length);
  for (const row of rows) {
    const m = r.readMapBegin();
    assert.is(m.size, 2);
    const got = r.readStringMapBody(m.size);
    assert.is(got['i'], encodeCell(row['i']), `integer ${String(row['i'])}`);
    // Lone surrogates go out as U+FFFD, as Buffer.from writes them.
    assert.is(got['t'], Buffer.from(row['t'] as string, 'utf8').toString('utf8'));
  }
});

test("call(): generate rows arrive as wire rows; failures are statuses with osquery's messages", async () => {
  const reg = new TableRegistry([
    table({ generate: () => [{ a: 'x' }] }),
    table({
      name: 'gen',
      generate: function* () {
        yield { a: '1' };
        throw new Error('midway');
      },
    }),
  ]);
  const ok = await reg.call('table', 't', { action: 'generate' });
  assert.is(ok.code, 0);
  assert.is((ok.response as EncodedRows).length, 1);
  assert.match((await reg.call('table', 'gen', { action: 'generate' })).message, /generate gen failed: midway/);
  assert.match((await reg.call('logger', 't', { action: 'generate' })).message, /Unknown registry: logger/);
});

test.run();
