// A pack query is a .sql file whose leading comment block carries its
// metadata. Keeping queries as plain SQL files (not strings inside code) lets
// hunters read, diff and paste them into osqueryi unchanged; the header is
// parsed and validated here so a typo in an interval or a logging mode fails
// the build instead of silently changing what Fleet deploys.
import { z } from 'zod';

export const PLATFORMS = ['windows', 'linux', 'darwin'] as const;

/** Flags osqueryd must have for a query's tables to return rows. */
const flagName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'an osquery flag name (lower case, underscores)');
const reasonCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a reason code (UPPER_SNAKE_CASE)');

function list<T>(item: z.ZodType<T, string>) {
  return z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item));
}

export const QueryMetadataSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a query name (lower case, underscores)'),
    description: z.string().min(10, 'a description a SOC analyst can act on'),
    attack: list(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id like T1496 or T1053.005')).pipe(
      z.array(z.string()).min(1),
    ),
    platform: list(z.enum(PLATFORMS)).pipe(z.array(z.enum(PLATFORMS)).min(1)),
    interval: z.coerce.number().int().min(10).max(604_800),
    logging: z.enum(['differential', 'snapshot', 'differential_ignore_removals']),
    min_osquery_version: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a version like 5.11.0'),
    requires: z.enum(['extension', 'core']),
    telemetry: list(flagName).default([]),
    reasons: list(reasonCode).default([]),
    /** Whether the query is scheduled (pack/reports) or only a Fleet policy. */
    kind: z.enum(['scheduled', 'policy']).default('scheduled'),
    /** For policies: what to do when a host fails. */
    resolution: z.string().optional(),
  })
  .strict();

export type QueryMetadata = z.infer<typeof QueryMetadataSchema>;

export interface PackQuery {
  readonly metadata: QueryMetadata;
  /** The SQL body with markers still in place (see render.ts). */
  readonly sql: string;
  /** Where it came from, for error messages. */
  readonly source: string;
}

export class PackFormatError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'PackFormatError';
  }
}

const HEADER_LINE = /^--\s*([a-z_]+)\s*:\s*(.*)$/;

/**
 * Splits a .sql file into its header (the leading `-- key: value` lines; a
 * line starting with `--   ` continues the previous value) and its body.
 */
export function parseQueryFile(text: string, source: string): PackQuery {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const raw: Record<string, string> = {};
  let last: string | null = null;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') {
      if (Object.keys(raw).length > 0) break;
      continue;
    }
    if (!line.startsWith('--')) break;
    // Continuation lines are indented (two or more spaces after `--`), so
    // a continued sentence containing "word:" is not read as a new key.
    const m = /^--\s{2,}\S/.test(line) ? null : HEADER_LINE.exec(line);
    if (m) {
      if (m[1] in raw) throw new PackFormatError(source, `header key "${m[1]}" appears twice`);
      raw[m[1]] = m[2].trim();
      last = m[1];
    } else if (/^--\s{2,}\S/.test(line) && last) {
      raw[last] = `${raw[last]} ${line.replace(/^--\s+/, '').trim()}`;
    } else if (/^--\s*$/.test(line)) {
      last = null;
    } else {
      throw new PackFormatError(
        source,
        `line ${i + 1}: expected "-- key: value" in the header, got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
  }
  const sql = lines.slice(i).join('\n').trim().replace(/;\s*$/, '');
  if (sql.length === 0) throw new PackFormatError(source, 'no SQL after the header');
  const parsed = QueryMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((e) => `${e.path.join('.') || '(header)'}: ${e.message}`).join('; ');
    throw new PackFormatError(source, `invalid header: ${detail}`);
  }
  return { metadata: parsed.data, sql, source };
}
