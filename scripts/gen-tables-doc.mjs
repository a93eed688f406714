// Writes docs/tables.md from the table specs (src/tables/specs), after `npm run build`.
//   node scripts/gen-tables-doc.mjs [--check]
//     --check   exit 1 when docs/tables.md is stale instead of writing it
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderTablesDoc } = await import(join(root, 'build/src/tables/doc.js'));
const { TABLE_SPECS } = await import(join(root, 'build/src/tables/specs/index.js'));
const target = join(root, 'docs/tables.md');
const text = renderTablesDoc(TABLE_SPECS);
if (process.argv.includes('--check')) {
  let have = '';
  try {
    have = readFileSync(target, 'utf8');
  } catch {}
  if (have !== text) {
    console.error('gen-tables-doc: docs/tables.md is stale; run npm run build && node scripts/gen-tables-doc.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
