// The extension's tables as the pack sees them (names, typed columns,
// platforms), read from the table specs: data only, so validating the pack
// builds no service.
import type { ColumnType } from '../sdk/table.js';
import { TABLE_SPECS } from '../tables/specs/index.js';

export interface TableDeclaration {
  readonly name: string;
  readonly platforms: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: ColumnType; readonly hidden: boolean }[];
}

const DECLARATIONS: readonly TableDeclaration[] = TABLE_SPECS.map((s) => ({
  name: s.name,
  platforms: s.platforms,
  columns: s.columns.map((c) => ({ name: c.name, type: c.type, hidden: c.hidden === true })),
}));

/** Every extension table declaration. */
export function extensionDeclarations(): readonly TableDeclaration[] {
  return DECLARATIONS;
}
