// SQL literals and GLOB tests shared by every marker renderer.
import { asciiLower } from '../intel/baseline.js';

/** An SQL string literal; the only quoting SQLite needs is doubling `'`. */
export function sqlString(s: string): string {
  if (s.includes('\0')) throw new Error('NUL cannot appear in an SQL literal');
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * An SQL string expression for `s` with no `$` in the SQL text: each `$` is
 * char(36), for the reason sqlGlob() gives.
 */
export function sqlText(s: string): string {
  return s
    .split('$')
    .map((part) => sqlString(part))
    .join(' || char(36) || ');
}

/**
 * GLOB pattern for a baseline glob: lower-cased, with `[` made literal and
 * `$` written as the class `[$]`, so no `$` is ever followed by a name:
 * fleetctl gitops expands `$name` and unescapes `\$` in every file it reads
 * (src/pack/conformance/fleet-env.ts), which would turn `?:\$recycle.bin\*`
 * into a glob that never matches.
 */
export function sqlGlob(pattern: string): string {
  return sqlString(asciiLower(pattern).replace(/\[/g, '[[]').replace(/\$/g, '[$]'));
}

export function anyGlob(expr: string, globs: readonly string[]): string {
  return `(${globs.map((g) => `lower(${expr}) GLOB ${sqlGlob(g)}`).join(' OR ')})`;
}

export function inList(values: Iterable<number>): string {
  return [...values].sort((a, b) => a - b).join(', ');
}
