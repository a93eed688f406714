// osquery's own tables as data, so that snapshots are typed like osqueryd
// types them and pack queries can be validated per platform.
import { OSQUERY_TABLES } from './osquery-schema.generated.js';
import type { ColumnType } from '../sdk/table.js';

export type Platform = 'windows' | 'linux' | 'darwin';

export interface OsquerySchemaColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly hidden?: boolean;
  readonly required?: boolean;
  readonly index?: boolean;
  /** Present when the column exists only on some of the table's platforms. */
  readonly platforms?: readonly string[];
}

export interface OsquerySchemaTable {
  readonly name: string;
  readonly platforms: readonly string[];
  readonly evented: boolean;
  readonly columns: readonly OsquerySchemaColumn[];
}

const byName = new Map(OSQUERY_TABLES.map((t) => [t.name, t]));

export function osqueryTable(name: string): OsquerySchemaTable | undefined {
  return byName.get(name.toLowerCase());
}

export function allOsqueryTables(): readonly OsquerySchemaTable[] {
  return OSQUERY_TABLES;
}

/** The columns of a table that exist on a platform. */
export function columnsOn(table: OsquerySchemaTable, platform: Platform): OsquerySchemaColumn[] {
  return table.columns.filter((c) => !c.platforms || c.platforms.includes(platform));
}
