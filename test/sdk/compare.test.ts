// The narrowing our tables apply to an integer column (src/sdk/compare.ts)
// checked against real SQLite: for every constraint value, whatever its type
// (osqueryd passes a TEXT, INTEGER, REAL or BLOB right-hand side to a table
// as its text), every integer SQLite finds `v op value` true for must lie in
// the range the table keeps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { integerEqualities, integerRangeOf, integerRangeOfAll, sqliteNumeric } from '../../src/sdk/compare.js';
import type { ConstraintOp } from '../../src/sdk/table.js';
import { prng } from '../support/prng.js';

const db = new Database(':memory:');
db.exec('CREATE TABLE t(v BIGINT)');
const VALUES = [
  -(2n ** 63n),
  -1000n,
  -17n,
  -16n,
  -1n,
  0n,
  1n,
  5n,
  9n,
  10n,
  15n,
  16n,
  17n,
  99n,
  100n,
  101n,
  499n,
  500n,
  501n,
  1699999999n,
  1700000000n,
  1700000001n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
];
const insert = db.prepare('INSERT INTO t VALUES (?)');
for (const v of VALUES) insert.run(v);
const OPS: ConstraintOp[] = ['=', '>', '>=', '<', '<='];
const kept = (op: ConstraintOp, value: unknown): bigint[] =>
  db.prepare(`SELECT v FROM t WHERE v ${op} ?`).safeIntegers(true).pluck().all(value) as bigint[];
/** What osqueryd would hand the table: sqlite3_value_text of the value. */
const asText = (value: unknown): string | null =>
  db.prepare('SELECT CAST(? AS TEXT)').pluck().get(value) as string | null;

function check(value: unknown): void {
  const expr = asText(value);
  if (expr === null) return; // osquery drops NULL constraints
  for (const op of OPS) {
    const range = integerRangeOf({ op, expr });
    for (const v of kept(op, value)) {
      assert.ok(
        v >= range.min && v <= range.max,
        `${v} ${op} ${typeof value === 'object' ? 'blob' : typeof value} ${JSON.stringify(expr)}: SQLite keeps it, range [${range.min}, ${range.max}] drops it`,
      );
    }
  }
}

test('sqliteNumeric reads text as SQLite numeric affinity does', () => {
  for (const text of [
    '16',
    ' 16 ',
    '+16',
    '-16',
    '16.0',
    '1e1',
    '.5',
    '5.',
    '0x10',
    '',
    ' ',
    'abc',
    '16abc',
    '1e',
    '9223372036854775807',
    '9223372036854775808',
    '\u00a016',
  ]) {
    const n = sqliteNumeric(text);
    // A column with INTEGER affinity keeps text that is not a well-formed number as text.
    db.exec('CREATE TEMP TABLE IF NOT EXISTS a(v INTEGER)');
    db.exec('DELETE FROM a');
    db.prepare('INSERT INTO a VALUES (?)').run(text);
    const stored = db.prepare('SELECT typeof(v) FROM a').pluck().get() as string;
    assert.is(
      n === null,
      stored === 'text',
      `${JSON.stringify(text)}: ours ${JSON.stringify(n, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}, SQLite stores ${stored}`,
    );
  }
  assert.equal(sqliteNumeric('0x10'), null, 'hex text is text to SQLite (Number() says 16)');
  assert.equal(sqliteNumeric(''), null, "'' is text (Number() says 0)");
  assert.equal(sqliteNumeric(' 16 '), { int: 16n });
  assert.equal(sqliteNumeric('9223372036854775807'), { int: 2n ** 63n - 1n });
});

test('named values: text, integers, reals and BLOBs of every shape', () => {
  for (const v of [
    '0x10',
    '16',
    ' 16 ',
    '16.0',
    '1e1',
    '',
    ' ',
    'abc',
    '-0',
    '+17',
    '1700000000.5',
    '9223372036854775808',
    'Infinity',
    '\u00a016',
  ])
    check(v);
  for (const v of [16n, -17n, 0n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n]) check(v);
  for (const v of [
    16.0,
    16.5,
    -16.5,
    1e300,
    -1e300,
    1700000000.5,
    2 ** 53,
    9007199254740993,
    1234567890123456.7,
    0.1 + 0.2,
    Infinity,
    -Infinity,
  ])
    check(v);
  for (const v of ['16', '', '0x10', '\xff']) check(Buffer.from(v, 'latin1'));
});

test('property: 3,000 random values of every type keep every row SQLite keeps', () => {
  const r = prng(0xc0de);
  const chars = ' 0123456789+-.eExX a\t';
  for (let i = 0; i < 3000; i++) {
    const len = 1 + Math.floor(r() * 8);
    let s = '';
    for (let k = 0; k < len; k++) s += chars[Math.floor(r() * chars.length)];
    const kind = Math.floor(r() * 4);
    if (kind === 0) check(s);
    else if (kind === 1) check(Buffer.from(s));
    else if (kind === 2) check((r() - 0.5) * 10 ** Math.floor(r() * 20));
    else check(BigInt.asIntN(64, BigInt(Math.floor((r() - 0.5) * 2 ** 40)) + VALUES[Math.floor(r() * VALUES.length)]));
  }
});

test('IN lists unite, range operators intersect, and < never narrows', () => {
  const eq = (e: string) => ({ op: '=' as const, expr: e });
  assert.equal(integerRangeOfAll([eq('100'), eq('200')]), { min: 100n, max: 200n });
  assert.equal(integerRangeOfAll([eq('100'), eq('200'), { op: '>', expr: '150' }]), { min: 151n, max: 200n });
  assert.equal(integerRangeOfAll([{ op: '<', expr: '5' }]), { min: -Infinity, max: Infinity });
  const none = integerRangeOfAll([eq('abc')]);
  assert.ok(none.min > none.max, 'text equals no integer');
  assert.equal(integerEqualities([eq('0x10'), eq('16'), eq('17.0')]), new Set([16n, 17n]));
  assert.is(integerEqualities([{ op: '>', expr: '1' }]), null);
});

test.after(() => {
  db.close();
});
test.run();
