// Static constraint extraction: the hints must never be wrong, so each shape
// that could make a hint wrong must produce none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyzeStatement, type TableShape } from '../../src/host/statement.js';
import { tokenize } from '../../src/host/sql-tokens.js';

const SHAPES: Record<string, TableShape> = {
  usage: {
    name: 'usage',
    columns: [
      { name: 'pid', hidden: false },
      { name: 'name', hidden: false },
      { name: 'min_cpu', hidden: true },
    ],
  },
  procs: {
    name: 'procs',
    columns: [
      { name: 'pid', hidden: false },
      { name: 'path', hidden: false },
    ],
  },
};
const shape = (t: string): TableShape | undefined => SHAPES[t.toLowerCase()];
const hints = (sql: string, table = 'usage') => [...analyzeStatement(sql, shape, () => true).constraintsFor(table)];

test('tokenizer: quoting, comments, escapes', () => {
  const t = tokenize(`SELECT "a""b", [c d], 'it''s' -- note\n FROM x /* c */ WHERE y >= -0x10`);
  assert.equal(
    t.map((x) => x.value),
    ['SELECT', 'a"b', ',', 'c d', ',', "it's", 'FROM', 'x', 'WHERE', 'y', '>=', '-', '0x10'],
  );
});

test('extracted: each operator, flipped literals, IN, BETWEEN kept whole, qualified names', () => {
  assert.equal(hints(`SELECT * FROM usage WHERE pid >= 5 AND pid <= 9 AND name = 'it''s'`), [
    [
      'pid',
      [
        { op: '>=', expr: '5' },
        { op: '<=', expr: '9' },
      ],
    ],
    ['name', [{ op: '=', expr: "it's" }]],
  ]);
  assert.equal(hints(`SELECT * FROM usage u WHERE 10 > u.pid AND -3 < pid`), [
    [
      'pid',
      [
        { op: '<', expr: '10' },
        { op: '>', expr: '-3' },
      ],
    ],
  ]);
  assert.equal(hints(`SELECT * FROM usage WHERE pid BETWEEN 1 AND 5 AND name IN ('a', 'b')`), [
    [
      'name',
      [
        { op: '=', expr: 'a' },
        { op: '=', expr: 'b' },
      ],
    ],
  ]);
  assert.equal(hints(`SELECT * FROM usage WHERE pid = 1.50 AND name = 0x1F`), [
    ['pid', [{ op: '=', expr: '1.5' }]],
    ['name', [{ op: '=', expr: '31' }]],
  ]);
});

test('not extracted: OR, NOT, expressions, COLLATE, ESCAPE, parameters, ON clauses, subqueries, unions, CTEs', () => {
  for (const sql of [
    `SELECT * FROM usage WHERE pid = 1 OR name = 'x'`,
    `SELECT * FROM usage WHERE NOT pid = 1`,
    `SELECT * FROM usage WHERE pid = 1 + 1`,
    `SELECT * FROM usage WHERE name = 'x' COLLATE NOCASE`,
    `SELECT * FROM usage WHERE name LIKE 'x!%' ESCAPE '!'`,
    `SELECT * FROM usage WHERE pid = ?`,
    `SELECT * FROM usage WHERE name NOT LIKE 'x%'`,
    `SELECT * FROM procs p LEFT JOIN usage u ON u.pid = 1`,
    `SELECT * FROM procs WHERE pid IN (SELECT pid FROM usage WHERE pid = 1)`,
    `SELECT pid FROM usage WHERE pid = 1 UNION SELECT pid FROM procs`,
    `WITH x AS (SELECT 1) SELECT * FROM usage WHERE pid = 1`,
    `SELECT * FROM usage a, usage b WHERE a.pid = 1`,
    `SELECT * FROM usage WHERE min_cpu = 5`,
    `SELECT * FROM (SELECT 1 AS pid) s, usage WHERE pid = 1`,
  ]) {
    assert.equal(hints(sql), [], sql);
  }
});

test('attribution: a column goes to its own table only, ambiguous unqualified names to none', () => {
  assert.equal(hints(`SELECT * FROM usage u JOIN procs p ON p.pid = u.pid WHERE p.path = 'C:\\x' AND name = 'a'`), [
    ['name', [{ op: '=', expr: 'a' }]],
  ]);
  assert.equal(hints(`SELECT * FROM usage u JOIN procs p ON p.pid = u.pid WHERE p.path = 'C:\\x'`, 'procs'), [
    ['path', [{ op: '=', expr: 'C:\\x' }]],
  ]);
  assert.equal(hints(`SELECT * FROM usage u JOIN procs p USING (pid) WHERE pid = 3`), []);
});

test('CASE … END: an AND inside it is not a conjunct; an END that may be a column name gives up', () => {
  assert.equal(hints(`SELECT * FROM usage WHERE CASE WHEN 1 AND pid = 5 AND 1 THEN 0 ELSE 1 END AND name = 'a'`), [
    ['name', [{ op: '=', expr: 'a' }]],
  ]);
  assert.equal(hints(`SELECT * FROM usage WHERE CASE WHEN name = 'a' OR 1 THEN 1 END AND pid = 5`), [
    ['pid', [{ op: '=', expr: '5' }]],
  ]);
  assert.equal(hints(`SELECT * FROM usage WHERE CASE WHEN end AND pid = 5 AND 1 THEN 0 ELSE 1 END`), []);
  assert.equal(hints(`SELECT * FROM usage WHERE pid NOT BETWEEN 1 AND 5 AND name = 'a'`), [
    ['name', [{ op: '=', expr: 'a' }]],
  ]);
});

test('hints are kept only when SQLite compiles the rewritten WHERE to the same program', () => {
  const seen: string[] = [];
  const a = analyzeStatement(
    `SELECT * FROM usage u WHERE 5 < pid AND name IN ('a', 0x10) AND pid < 9 -- c\n ORDER BY 1`,
    shape,
    (rewritten) => {
      seen.push(rewritten);
      return false;
    },
  );
  assert.equal([...a.constraintsFor('usage')], [], 'a different program: no hints');
  assert.equal(seen, [
    `SELECT * FROM usage u WHERE (5 < "u"."pid") AND ("u"."name" IN ('a', 16)) AND ("u"."pid" < 9) ORDER BY 1`,
  ]);
});

test.run();
