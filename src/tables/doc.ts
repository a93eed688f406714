// docs/tables.md, rendered from the table specs (scripts/gen-tables-doc.mjs
// writes it; a test fails when the committed file is stale).
import type { ColumnSpec, TableSpec } from './spec.js';

const OPTION_NAMES = ['index', 'required', 'additional', 'optimized', 'hidden'] as const;

/** Markdown table cells: a `|` would end the cell, a newline the row. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function options(c: ColumnSpec): string {
  return OPTION_NAMES.filter((o) => c[o]).join(', ');
}

export function renderTablesDoc(specs: readonly TableSpec[]): string {
  const out: string[] = [
    '# Tables',
    '',
    '<!-- GENERATED from src/tables/specs by `node scripts/gen-tables-doc.mjs`; do not edit. -->',
    '',
    'The tables the an1489 extension serves to osqueryd and to the embedded SQL host (`an1489 query`).',
    "Column options follow osquery's table specs: `index` (a key), `required` (must be constrained),",
    '`additional` (a constraint changes the rows: a parameter), `optimized` (a constraint makes generate cheaper),',
    '`hidden` (not in `SELECT *`; name it).',
    '',
  ];
  for (const s of specs) out.push(`- [${s.name}](#${s.name})`);
  for (const s of specs) {
    out.push('', `## ${s.name}`, '', s.description, '', `Platforms: ${s.platforms.join(', ')}`, '');
    out.push('| Column | Type | Options | Description |', '| --- | --- | --- | --- |');
    for (const c of s.columns) out.push(`| ${c.name} | ${c.type} | ${options(c)} | ${cell(c.description)} |`);
    out.push('', 'Examples:', '', '```sql', ...s.examples.map((e) => `${e};`), '```');
  }
  return `${out.join('\n')}\n`;
}
