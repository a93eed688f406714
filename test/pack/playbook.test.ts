// Every SQL recipe in docs/hunting-playbook.md must name real tables and
// columns on Windows (osquery 5.23.1 + our declarations): a hunter pasting a
// recipe should never meet "no such column".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extensionDeclarations } from '../../src/pack/declarations.js';
import { parseQueryFile } from '../../src/pack/query-file.js';
import { formatIssues, validateQueries } from '../../src/pack/validate.js';

test('every playbook recipe validates on windows', async () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'hunting-playbook.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 10, `found ${blocks.length} recipes`);
  const queries = blocks.map((sql, i) =>
    parseQueryFile(
      `-- name: recipe_${i + 1}\n-- description: playbook recipe ${i + 1}\n-- attack: T1496\n-- platform: windows\n-- interval: 60\n` +
        `-- logging: snapshot\n-- min_osquery_version: 5.0.0\n-- requires: extension\n\n${sql}`,
      `docs/hunting-playbook.md#${i + 1}`,
    ),
  );
  const issues = validateQueries(queries, (q) => q.sql, extensionDeclarations());
  assert.is(formatIssues(issues), '');
});

test.run();
