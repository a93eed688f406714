// Snapshots: osquery tables captured elsewhere (`osqueryi --json "SELECT *
// FROM processes" > processes.json`) and replayed on the embedded host, so a
// hunt written against osqueryd can be tried offline against real data. The
// format is described in docs/snapshots.md.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { BoundedReadError, readBoundedFileSync } from '../config/bounded-read.js';
import { osqueryTable } from '../intel/osquery-schema.js';
import type { ColumnType } from '../sdk/table.js';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export interface SnapshotColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface SnapshotTable {
  readonly name: string;
  /** The file it came from, for error messages. */
  readonly file: string;
  readonly columns: readonly SnapshotColumn[];
  /** Values as osqueryi prints them: text, or null (our own --json output) for NULL. */
  readonly rows: readonly Readonly<Record<string, string | null>>[];
}

// osqueryi --json prints every value as a string. null is also accepted, since
// `an1489 query --json` prints SQL NULL as null and its output should load back.
const SnapshotFile = z.array(z.record(z.string(), z.union([z.string(), z.null()])));

/** A table name SQLite and osquery would both accept, and no reserved sqlite_ name. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Largest snapshot file read (a fleet host's processes table is a few MB). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

function describeIssue(issue: z.core.$ZodIssue): string {
  const [row, key] = issue.path;
  if (issue.path.length === 0) return 'expected a JSON array of row objects';
  if (issue.path.length === 1) return `row ${String(row)}: expected an object of column name to string value`;
  return `row ${String(row)}, column ${JSON.stringify(String(key))}: expected a string (osqueryi --json prints every value as a string)`;
}

/**
 * osqueryi output saved by Windows PowerShell 5's `>` is UTF-16LE with a BOM;
 * other shells give UTF-8, sometimes with a BOM. All three load.
 */
function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

/** Reads one snapshot file; every problem is a SnapshotError naming the file. */
export function loadSnapshotFile(file: string): SnapshotTable {
  const name = basename(file).replace(/\.json$/i, '');
  if (!TABLE_NAME.test(name) || name.toLowerCase().startsWith('sqlite_')) {
    throw new SnapshotError(
      `snapshot ${file}: ${JSON.stringify(name)} is not a usable table name (letters, digits and _, not starting with a digit or sqlite_)`,
    );
  }
  let text: string;
  try {
    // Judged on the open descriptor: a FIFO or device planted under a .json name is refused, never waited on.
    text = decodeText(readBoundedFileSync(file, { maxBytes: MAX_SNAPSHOT_BYTES }));
  } catch (e) {
    if (e instanceof BoundedReadError) {
      const why =
        e.code === 'EFBIG'
          ? `larger than the ${MAX_SNAPSHOT_BYTES}-byte limit`
          : e.code === 'ENOTREG'
            ? 'not a regular file'
            : `cannot read (${e.code})`;
      throw new SnapshotError(`snapshot ${file}: ${why}`);
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`snapshot ${file}: not valid JSON (${(e as Error).message})`);
  }
  // Checked on the parsed JSON, before any object is built from it: a key
  // "__proto__" would otherwise vanish into the prototype of the row built.
  if (Array.isArray(json)) {
    for (const [i, row] of json.entries()) {
      if (row !== null && typeof row === 'object' && Object.hasOwn(row, '__proto__')) {
        throw new SnapshotError(`snapshot ${file}: row ${i}, column "__proto__": not a usable column name`);
      }
    }
  }
  const parsed = SnapshotFile.safeParse(json);
  if (!parsed.success) throw new SnapshotError(`snapshot ${file}: ${describeIssue(parsed.error.issues[0])}`);
  const rows = parsed.data;

  // Columns are the keys osqueryi printed (the columns of the platform the
  // snapshot was taken on); a known table with no rows gets its schema's
  // visible columns so that queries naming them still prepare.
  const known = osqueryTable(name);
  // SQL column names ignore case, so keys differing only in case would be one column: refused, never merged.
  const keys: string[] = [];
  const seen = new Map<string, string>();
  for (const [i, row] of rows.entries()) {
    for (const k of Object.keys(row)) {
      const lower = k.toLowerCase();
      const first = seen.get(lower);
      if (first === undefined) {
        seen.set(lower, k);
        keys.push(k);
      } else if (first !== k) {
        throw new SnapshotError(
          `snapshot ${file}: row ${i}: columns ${JSON.stringify(first)} and ${JSON.stringify(k)} differ only in case, and SQL column names ignore case`,
        );
      }
    }
  }
  if (keys.length === 0 && known) for (const c of known.columns) if (!c.hidden) keys.push(c.name);
  if (keys.length === 0)
    throw new SnapshotError(`snapshot ${file}: no rows and not an osquery table, so its columns are unknown`);
  const columns = keys.map((k) => ({
    name: k,
    type: known?.columns.find((c) => c.name.toLowerCase() === k.toLowerCase())?.type ?? ('TEXT' as ColumnType),
  }));
  return { name, file, columns, rows };
}

/** Reads every `<table>.json` in a directory (other files are ignored). */
export function loadSnapshotDir(dir: string): SnapshotTable[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new SnapshotError(`snapshot directory ${dir}: not a directory`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnapshotError(
      `snapshot directory ${dir}: ${code === 'ENOENT' ? 'does not exist' : `cannot read (${code ?? (e as Error).message})`}`,
    );
  }
  const tables: SnapshotTable[] = [];
  const byName = new Map<string, string>();
  for (const entry of names.filter((n) => n.toLowerCase().endsWith('.json')).sort()) {
    const table = loadSnapshotFile(join(dir, entry));
    const clash = byName.get(table.name.toLowerCase());
    if (clash) throw new SnapshotError(`snapshot ${table.file}: table ${table.name} is also defined by ${clash}`);
    byName.set(table.name.toLowerCase(), table.file);
    tables.push(table);
  }
  return tables;
}
