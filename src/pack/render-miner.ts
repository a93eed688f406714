// Miner command-line families as SQL (src/intel/miner-catalog.ts), the same test scanCommandLine applies.
import { asciiLower } from '../intel/baseline.js';
import { MINER_CMDLINE_EXCLUDE, MINER_FAMILIES, type MinerFamily } from '../intel/miner-catalog.js';
import { sqlString } from './sql-text.js';

/** A LIKE pattern matching text that contains `needle` (ESCAPE '\\'). */
function containsPattern(needle: string): string {
  return sqlString(`%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/**
 * Any needle in subject. Case-insensitive needles use LIKE (ASCII
 * case-insensitive in SQLite and osquery, and several times faster than
 * instr over lower(), which allocates a copy and counts UTF-8 characters);
 * case-sensitive ones (base64) use instr on the raw text. Needles sharing a
 * two-character prefix (the `--` of miner options, `st` of stratum URLs) are
 * tried only when their common prefix is present, so text without it — most
 * command lines and script blocks — is scanned once per group.
 */
function search(subject: string, needles: readonly string[], caseSensitive: boolean): string {
  const find = (n: string) =>
    caseSensitive ? `instr(${subject}, ${sqlString(n)}) > 0` : `${subject} LIKE ${containsPattern(n)} ESCAPE '\\'`;
  const groups = new Map<string, string[]>();
  for (const n of needles) {
    const key = caseSensitive ? n.slice(0, 2) : asciiLower(n.slice(0, 2));
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.values()]
    .map((g) => (g.length === 1 ? find(g[0]) : `(${find(commonPrefix(g))} AND (${g.map(find).join(' OR ')}))`))
    .join(' OR ');
}

function commonPrefix(words: readonly string[]): string {
  let p = words[0] ?? '';
  for (const w of words) while (!asciiLower(w).startsWith(asciiLower(p))) p = p.slice(0, -1);
  return p;
}

function minerTest(f: MinerFamily, subject: string): string {
  const needles = search(subject, f.contains, f.caseSensitive);
  // Sigma's exclusion (a build compiling pool.c) silences the case-insensitive substrings, as in scanCommandLine.
  const counted = f.caseSensitive
    ? needles
    : `((${needles}) AND NOT (${search(subject, MINER_CMDLINE_EXCLUDE, false)}))`;
  return `(${f.hosts?.length ? `${counted} OR ${search(subject, f.hosts, false)}` : counted})`;
}

export function renderMinerMatch(expr: string, families: readonly MinerFamily[] = MINER_FAMILIES): string {
  const e = `coalesce(${expr}, '')`;
  return `(${families.map((m) => minerTest(m, e)).join(' OR ')})`;
}

/** The codes of every indicator family found, comma-separated in catalog order. */
export function renderMinerReasons(expr: string, families: readonly MinerFamily[] = MINER_FAMILIES): string {
  const e = `coalesce(${expr}, '')`;
  return `rtrim(${families.map((m) => `CASE WHEN ${minerTest(m, e)} THEN '${m.code},' ELSE '' END`).join(' || ')}, ',')`;
}
