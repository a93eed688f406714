// Verdicts for replayed binaries, from what osquery logged about them (the
// file, authenticode and hash tables) instead of our own PE reader: this
// adapter turns those rows into the facts the shared verdict policy
// (src/signature/policy.ts judgeBinary) judges, so live and replay verdicts
// come from one policy.
import { judgeBinary, type FileFacts, type Judgement, type SignatureFact } from '../signature/policy.js';

export interface OsqueryBinaryFacts {
  /** Windows path of the binary, as osquery reported it. */
  readonly path: string;
  /** Whether osquery's `file` table had a row for the path. */
  readonly fileRow: boolean;
  /** file.original_filename (VERSIONINFO OriginalFilename); '' = no version resource; null when not logged. */
  readonly originalFilename: string | null;
  /** file.size; null when not logged. */
  readonly size: number | null;
  /** authenticode.result; null = no row (verification failed or not logged). */
  readonly authenticode: string | null;
  readonly signerSubject: string | null;
  readonly signerIssuer: string | null;
  readonly sha256: string | null;
  /** Command lines of the processes running it. */
  readonly cmdlines: readonly string[];
}

export type JudgeBinary = (facts: OsqueryBinaryFacts) => Judgement;

/**
 * osquery's authenticode.result (osquery/tables/system/windows/authenticode.cpp
 * verifySignature; src/pack/conformance/osquery.ts) as the policy's status:
 * trusted = WinVerifyTrust succeeded; valid = CRYPT_E_SECURITY_SETTINGS (a
 * good signature an admin policy keeps from being trusted); distrusted and
 * untrusted = a signature Windows rejects without saying why, an altered file
 * included, so never 'tampered' (that is our reader's finding alone);
 * 'invalid' is declared but never assigned.
 */
const STATUS: Readonly<Record<string, SignatureFact['status']>> = {
  trusted: 'trusted',
  valid: 'valid',
  untrusted: 'untrusted',
  distrusted: 'untrusted',
  invalid: 'invalid',
  unknown: 'unknown',
};

/** The policy's facts from osquery's rows for one binary. */
export function factsFromOsquery(f: OsqueryBinaryFacts): FileFacts {
  const sha = f.sha256 !== null && /^[0-9a-f]{64}$/i.test(f.sha256) ? f.sha256.toLowerCase() : null;
  const original = f.originalFilename?.trim() ?? '';
  let signatures: SignatureFact[] = [];
  if (f.authenticode !== null && f.authenticode !== 'missing') {
    signatures = [
      {
        status: STATUS[f.authenticode] ?? 'unknown',
        signerSubject: f.signerSubject,
        signerIssuer: f.signerIssuer,
        digestAlgorithm: null,
        timestamp: null,
      },
    ];
  }
  return {
    // A process's image on Windows is a PE; with no file row nothing is known of it.
    onDisk: f.fileRow,
    size: f.size,
    sha256: sha,
    pe: f.fileRow || f.authenticode !== null,
    version: original === '' ? null : { OriginalFilename: original },
    signatures,
    signaturesUnknown: f.authenticode === null,
    minerStrings: [],
    reasons: [],
  };
}

export const judgeFromOsqueryFacts: JudgeBinary = (f) =>
  judgeBinary({ path: f.path, file: factsFromOsquery(f), cmdlines: f.cmdlines, image: null });
