import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { equalities, type QueryContext } from '../../src/sdk/table.js';

test('equalities collects every = value of a column (IN arrives as several =)', () => {
  const ctx: QueryContext = {
    constraints: new Map([
      [
        'pid',
        [
          { op: '=', expr: '1' },
          { op: '>', expr: '5' },
          { op: '=', expr: '7' },
        ],
      ],
    ]),
    colsUsed: new Set(['pid']),
  };
  assert.equal(equalities(ctx, 'pid'), ['1', '7']);
  assert.equal(equalities(ctx, 'name'), []);
});

test.run();
