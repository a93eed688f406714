// Which logged query feeds which table. The core-only pack ships the evidence
// queries `evidence_<table>` (packs/core-only/evidence_*.sql); osquery names a
// pack query `pack<delim><pack><delim><query>` and Fleet `pack/<team>/<query>`,
// so the name is matched on its `evidence_<table>` ending. Logs with other
// query names are mapped with --map NAME=TABLE.

/** osquery tables replay reads (everything else in a log is ignored). */
export const EVIDENCE_TABLES = [
  'processes',
  'process_open_sockets',
  'file',
  'authenticode',
  'hash',
  'scheduled_tasks',
  'services',
  'system_info',
  'osquery_info',
  'osquery_flags',
  'wmi_cli_event_consumers',
  'wmi_script_event_consumers',
  'wmi_event_filters',
  'wmi_filter_consumer_binding',
] as const;
export type EvidenceTable = (typeof EVIDENCE_TABLES)[number];

/**
 * What a logged query is: one osquery table, `sample` (processes and sockets
 * in one result set, told apart by a `kind` column, so both describe the same
 * instant), or `binaries` (file, authenticode and hash joined per running
 * binary, split back into the three tables).
 */
export type EvidenceKind = EvidenceTable | 'sample' | 'binaries';

const KINDS: ReadonlySet<string> = new Set<string>([...EVIDENCE_TABLES, 'sample', 'binaries']);

export function isEvidenceKind(s: string): s is EvidenceKind {
  return KINDS.has(s);
}

const ENDING = /(?:^|[/_:.\-\s])evidence_([a-z_]+)$/;

export class EvidenceMap {
  private readonly cache = new Map<string, EvidenceKind | null>();

  constructor(private readonly overrides: ReadonlyMap<string, EvidenceKind> = new Map()) {}

  kindOf(name: string): EvidenceKind | null {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit;
    let kind: EvidenceKind | null = this.overrides.get(name) ?? null;
    if (kind === null) {
      const m = ENDING.exec(name);
      // The shipped query names evidence_processes/evidence_binaries carry the combined shapes.
      const t = m?.[1] === 'processes' ? 'sample' : m?.[1];
      kind = t !== undefined && isEvidenceKind(t) ? t : null;
    }
    if (this.cache.size < 10_000) this.cache.set(name, kind);
    return kind;
  }
}
