// A table spec is plain data, shaped like osquery's specs/*.table (name,
// description, platforms, typed columns with their options, examples): the
// runtime binds it to a generate, and the pack validator, docs/tables.md and
// the conformance test read it without building any service.
import { z } from 'zod';
import {
  ColumnOption,
  type ColumnDeclaration,
  type ColumnType,
  type QueryContext,
  type Row,
  type TablePlugin,
} from '../sdk/table.js';

const COLUMN_TYPES = [
  'TEXT',
  'INTEGER',
  'BIGINT',
  'UNSIGNED BIGINT',
  'DOUBLE',
  'BLOB',
] as const satisfies readonly ColumnType[];
const PLATFORMS = ['windows', 'linux', 'darwin'] as const;
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** osquery's Column(...) keyword options (osquery/tools/codegen/gentable.py), each a ColumnOption flag. */
const OPTION_FLAGS = {
  index: ColumnOption.INDEX,
  required: ColumnOption.REQUIRED,
  additional: ColumnOption.ADDITIONAL,
  optimized: ColumnOption.OPTIMIZED,
  hidden: ColumnOption.HIDDEN,
} as const;
type OptionName = keyof typeof OPTION_FLAGS;

const columnSpecSchema = z
  .object({
    name: z.string().regex(IDENTIFIER),
    type: z.enum(COLUMN_TYPES),
    description: z.string().min(10),
    index: z.literal(true).optional(),
    required: z.literal(true).optional(),
    additional: z.literal(true).optional(),
    optimized: z.literal(true).optional(),
    hidden: z.literal(true).optional(),
  })
  .strict();

export const tableSpecSchema = z
  .object({
    name: z.string().regex(IDENTIFIER),
    description: z.string().min(20),
    platforms: z.array(z.enum(PLATFORMS)).min(1),
    columns: z.array(columnSpecSchema).min(1),
    examples: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    for (const c of spec.columns) {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', message: `${spec.name}.${c.name}: duplicate column` });
      seen.add(c.name);
      // osquery: a required column is a parameter, so it must be constrained by name.
      if (c.required && !c.hidden && !c.index)
        ctx.addIssue({ code: 'custom', message: `${spec.name}.${c.name}: required needs index or hidden` });
    }
    for (const e of spec.examples) {
      if (!e.includes(spec.name))
        ctx.addIssue({ code: 'custom', message: `${spec.name}: example does not name the table: ${e}` });
    }
  });

export type ColumnSpec = z.infer<typeof columnSpecSchema>;
export type TableSpec = z.infer<typeof tableSpecSchema>;

/** Checks a spec (a programming error throws, at load). */
export function defineTable<const T extends TableSpec>(spec: T): T {
  const parsed = tableSpecSchema.safeParse(spec);
  if (!parsed.success)
    throw new Error(`table spec ${spec.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return spec;
}

/** The column's ColumnOption bit flags. */
export function columnOptions(c: ColumnSpec): number {
  let flags = 0;
  for (const [name, flag] of Object.entries(OPTION_FLAGS) as [OptionName, number][]) if (c[name]) flags |= flag;
  return flags;
}

/** The spec's columns as the SDK declares them. */
export function columnDeclarations(spec: TableSpec): ColumnDeclaration[] {
  return spec.columns.map((c) => {
    const options = columnOptions(c);
    return options === 0
      ? { name: c.name, type: c.type, description: c.description }
      : { name: c.name, type: c.type, description: c.description, options };
  });
}

/** A served table: the spec's declaration with its generate. */
export function bindTable(
  spec: TableSpec,
  generate: (context: QueryContext) => Promise<Iterable<Row>> | Iterable<Row>,
): TablePlugin {
  return {
    name: spec.name,
    description: spec.description,
    platforms: spec.platforms,
    columns: columnDeclarations(spec),
    examples: spec.examples,
    generate,
  };
}
