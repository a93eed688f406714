// Verdicts for replayed binaries, from what osquery logged about them (the
// file, authenticode and hash tables) instead of our own PE reader. This is
// the adapter between those facts and a verdict; it sits behind JudgeBinary
// so the shared verdict policy can replace it without touching replay.
import { judgeLocation, LOCATION_CATALOG } from '../intel/locations.js';
import { scanCommandLine } from '../intel/miner.js';
import { isRenameException } from '../signature/rename-exceptions.js';

export interface BinaryFacts {
  /** Windows path of the binary, as osquery reported it. */
  readonly path: string;
  /** file.original_filename (VERSIONINFO OriginalFilename); null when not logged. */
  readonly originalFilename: string | null;
  /** authenticode.result (valid, trusted, invalid, missing, distrusted, untrusted, unknown); null = no row. */
  readonly authenticode: string | null;
  readonly signerSubject: string | null;
  readonly sha256: string | null;
  /** Command lines of the processes running it. */
  readonly cmdlines: readonly string[];
}

export interface BinaryJudgement {
  readonly name: string;
  readonly renamed: boolean | null;
  readonly signed: boolean | null;
  readonly signatureStatus: string | null;
  readonly expectedLocation: boolean | null;
  readonly expectedPaths: readonly string[];
  readonly minerIndicators: readonly string[];
  readonly verdict: 'masquerade' | 'renamed' | 'suspicious' | 'ok' | 'unknown';
  readonly reasons: readonly string[];
}

export type JudgeBinary = (facts: BinaryFacts) => BinaryJudgement;

// osquery's result vocabulary (osquery/tables/system/windows/authenticode.cpp)
// to the checker's signature statuses.
const STATUS: Readonly<Record<string, string>> = {
  trusted: 'trusted',
  valid: 'valid',
  untrusted: 'untrusted',
  distrusted: 'untrusted',
  invalid: 'tampered',
  missing: 'missing',
  unknown: 'unknown',
};

function windowsBasename(p: string): string {
  const cut = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'));
  return p.slice(cut + 1);
}

const stem = (n: string) => n.replace(/\.[^.]*$/, '').toLowerCase();

/**
 * Whether OriginalFilename names the same program as the file: equal names,
 * a .mui resource build, a catalogued exception, or a .NET apphost (the
 * native launcher `<name>.exe` carries the managed `<name>.dll`'s resource).
 */
export function sameProgram(onDisk: string, original: string): boolean {
  const o = original.replace(/\.mui$/i, '');
  if (o.toLowerCase() === onDisk.toLowerCase()) return true;
  if (/\.dll$/i.test(o) && /\.exe$/i.test(onDisk) && stem(o) === stem(onDisk)) return true;
  return isRenameException(onDisk, o);
}

export const judgeFromOsqueryFacts: JudgeBinary = (f) => {
  const name = windowsBasename(f.path);
  const reasons = new Set<string>();
  const catalogued = LOCATION_CATALOG.has(name.toLowerCase());
  const loc = judgeLocation(f.path);
  if (loc.expected === false) reasons.add('unexpected_location');
  if (loc.normalized.flags.includes('trailing_dot_space')) reasons.add('path_trailing_dot_space');
  let renamed: boolean | null = null;
  if (f.originalFilename !== null) {
    renamed = f.originalFilename.trim() !== '' && !sameProgram(name, f.originalFilename.trim());
    if (renamed) reasons.add(catalogued ? 'renamed_system_name' : 'renamed');
  }
  const status = f.authenticode === null ? null : (STATUS[f.authenticode] ?? 'unknown');
  const signed = status === null ? null : status !== 'missing';
  if (status === 'missing') reasons.add('unsigned');
  if (status === 'tampered') reasons.add('signature_tampered');
  if (status === 'untrusted') reasons.add('signature_untrusted');
  if (status === 'unknown') reasons.add('signature_unknown');
  const miner = new Set<string>();
  for (const c of f.cmdlines) {
    for (const hit of scanCommandLine(c)) {
      miner.add(hit);
      reasons.add(hit.startsWith('pool:') ? 'miner_pool' : 'miner_cmdline');
    }
  }
  const has = (r: string) => reasons.has(r);
  let verdict: BinaryJudgement['verdict'];
  if (catalogued && (has('unexpected_location') || has('renamed_system_name') || has('path_trailing_dot_space'))) verdict = 'masquerade';
  else if (has('renamed')) verdict = 'renamed';
  else if (has('signature_tampered') || has('miner_cmdline') || has('miner_pool') || has('path_trailing_dot_space')) verdict = 'suspicious';
  else if (status === null && f.originalFilename === null) verdict = 'unknown';
  else verdict = 'ok';
  return {
    name,
    renamed,
    signed,
    signatureStatus: status,
    expectedLocation: loc.expected,
    expectedPaths: loc.expectedDirs,
    minerIndicators: [...miner].sort(),
    verdict,
    reasons: [...reasons].sort(),
  };
};
