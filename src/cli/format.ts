// Printing query results. Cells hold attacker-controlled text (process names,
// command lines), so the aligned table escapes control characters: a crafted
// process name must not be able to move the cursor or rewrite the analyst's
// terminal. JSON output is escaped by JSON itself (plus the C1 controls and
// DEL, which JSON.stringify leaves raw).
import type { QueryResult } from '../host/host.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

const width = (s: string): number => [...s].length;

/** osqueryi's pretty table; NULL prints as an empty cell, as in osqueryi. No rows prints nothing. */
export function formatTable(result: QueryResult): string {
  if (result.rows.length === 0) return '';
  const header = result.columns.map(escapeControl);
  const body = result.rows.map((r) => r.map((v) => escapeControl(v ?? '')));
  // A loop, not Math.max(...cells): a spread of 100k arguments overflows the stack.
  const widths = header.map(width);
  for (const r of body) r.forEach((c, i) => (widths[i] = Math.max(widths[i], width(c))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join(' | ')} |`;
  return [rule, line(header), rule, ...body.map(line), rule].join('\n') + '\n';
}

/**
 * A JSON array with one object per row, one row per line, like `osqueryi
 * --json`. Values are strings as osqueryi prints them, except that SQL NULL
 * is null (osqueryi prints ""), so that NULL and '' stay distinguishable; the
 * output loads back as a snapshot. Duplicate column names keep the last value,
 * as osquery's row maps do.
 */
export function formatJson(result: QueryResult): string {
  if (result.rows.length === 0) return '[\n\n]\n';
  const lines = rowObjects(result).map((obj) => `  ${jsonText(obj)}`);
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** Several results as one JSON object, table name to rows (for --all-tables). */
export function formatJsonByTable(
  results: readonly { readonly table: string; readonly result: QueryResult }[],
): string {
  const entries = results.map(
    ({ table, result }) =>
      `  ${jsonText(table)}: [${rowObjects(result)
        .map((o) => `\n    ${jsonText(o)}`)
        .join(',')}\n  ]`,
  );
  return `{\n${entries.join(',\n')}\n}\n`;
}

function rowObjects(result: QueryResult): Record<string, string | null>[] {
  return result.rows.map((r) => {
    const obj: Record<string, string | null> = {};
    result.columns.forEach((c, i) => {
      obj[c] = r[i];
    });
    return obj;
  });
}

const jsonText = (v: unknown): string =>
  JSON.stringify(v).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * Plain aligned columns (check, replay): each padded to its widest cell, two
 * spaces apart, the last unpadded. Cells must already be terminal-safe lines.
 */
export function alignedText(grid: readonly (readonly string[])[]): string {
  const widths = (grid[0] ?? []).map((_, i) => grid.reduce((w, line) => Math.max(w, line[i].length), 0));
  return (
    grid.map((line) => line.map((s, i) => (i === line.length - 1 ? s : s.padEnd(widths[i]))).join('  ')).join('\n') +
    '\n'
  );
}

/** An error message as one terminal-safe line (it may quote file names or SQL). */
export function oneLine(message: string): string {
  return escapeControl(message.replace(/[\r\n]+/g, ' '));
}
