// Table process_signature_check: one row per running process (from the same
// ProcessSource the sampler reads) with the signature-versus-path verdict of
// the bytes it runs: through /proc/<pid>/exe on Linux (the running image, even
// deleted or replaced), else the file at its path, saying when that file may
// not be the running image. Verdicts come from the per-binary facts cache, so
// processes of one binary cost one read. Files that are not running are
// checked through file_signature_check.
import type { ColumnDeclaration, QueryContext, Row, TablePlugin } from '../sdk/table.js';
import type { ProcessSource } from '../sampler/source.js';
import type { CheckResult, CheckTarget, SignatureChecker } from '../signature/checker.js';
import { DEFAULT_IMAGE_OPTIONS, processImage, type ImageOptions } from '../signature/image.js';

/** The verdict columns, shared with file_signature_check. */
export const VERDICT_COLUMNS: readonly ColumnDeclaration[] = [
  { name: 'name', type: 'TEXT', description: 'File name the binary has on disk' },
  { name: 'on_disk', type: 'INTEGER', description: '1 when the file exists' },
  { name: 'size', type: 'BIGINT', description: 'File size in bytes' },
  { name: 'sha256', type: 'TEXT', description: 'SHA-256 of the file (NULL when not read)' },
  { name: 'pe', type: 'INTEGER', description: '1 when the file is a PE image' },
  { name: 'original_filename', type: 'TEXT', description: 'VERSIONINFO OriginalFilename' },
  { name: 'internal_name', type: 'TEXT', description: 'VERSIONINFO InternalName' },
  { name: 'product_name', type: 'TEXT', description: 'VERSIONINFO ProductName' },
  { name: 'company_name', type: 'TEXT', description: 'VERSIONINFO CompanyName' },
  { name: 'file_description', type: 'TEXT', description: 'VERSIONINFO FileDescription' },
  { name: 'file_version', type: 'TEXT', description: 'VERSIONINFO FileVersion string' },
  { name: 'renamed', type: 'INTEGER', description: '1 when the on-disk name differs from OriginalFilename (case-insensitive, .mui ignored, known exceptions excepted)' },
  { name: 'expected_location', type: 'INTEGER', description: '1/0 when the name is a catalogued Windows binary at/away from its directories; NULL when not catalogued' },
  { name: 'expected_paths', type: 'TEXT', description: 'Catalogued directories for the name, comma-separated' },
  { name: 'signed', type: 'INTEGER', description: '1 when the file carries an Authenticode signature' },
  { name: 'signature_status', type: 'TEXT', description: 'trusted, valid, untrusted, tampered, invalid, missing or unknown (primary signature)' },
  { name: 'signature_count', type: 'INTEGER', description: 'Signatures found, nested ones included' },
  { name: 'signer_subject', type: 'TEXT', description: 'Subject of the primary signer certificate' },
  { name: 'signer_issuer', type: 'TEXT', description: 'Issuer of the primary signer certificate' },
  { name: 'digest_algorithm', type: 'TEXT', description: 'Digest algorithm of the primary signature' },
  { name: 'timestamp', type: 'TEXT', description: 'Countersignature time of the primary signature (ISO-8601)' },
  { name: 'miner_indicators', type: 'TEXT', description: 'Miner strings in the binary and flags/pools in the command line, sorted, comma-separated' },
  { name: 'verdict', type: 'TEXT', description: 'masquerade, renamed, suspicious, ok or unknown' },
  { name: 'reasons', type: 'TEXT', description: 'Stable reason codes, sorted, comma-separated (docs/catalogs.md)' },
];

const columns: readonly ColumnDeclaration[] = [
  { name: 'pid', type: 'BIGINT', description: 'Process id' },
  { name: 'start_time', type: 'BIGINT', description: 'Process start time (seconds since the epoch); with pid, the process identity' },
  { name: 'path', type: 'TEXT', description: "Executable path as the OS reports it (Linux appends ' (deleted)' when the running image has no name)" },
  ...VERDICT_COLUMNS,
];

/** How many files are read at once: enough to overlap I/O, few enough to stay polite on a busy host. */
export const PARALLEL = 4;

export interface SignatureCheckTableOptions {
  readonly checker: SignatureChecker;
  /** The running processes; absent = no rows. */
  readonly source?: ProcessSource;
  /** Where running images are read from (tests point it at a fake procfs). */
  readonly image?: ImageOptions;
}

function b(v: boolean | null): number | null {
  return v === null ? null : v ? 1 : 0;
}

/** The verdict columns of a result (the caller adds pid/path/file). */
export function verdictRow(r: CheckResult): Row {
  return {
    name: r.name,
    on_disk: b(r.onDisk),
    size: r.size,
    sha256: r.sha256,
    pe: b(r.pe),
    original_filename: r.originalFilename,
    internal_name: r.internalName,
    product_name: r.productName,
    company_name: r.companyName,
    file_description: r.fileDescription,
    file_version: r.fileVersion,
    renamed: b(r.renamed),
    expected_location: b(r.expectedLocation),
    expected_paths: r.expectedPaths.join(','),
    signed: b(r.signed),
    signature_status: r.signatureStatus,
    signature_count: r.signatureCount,
    signer_subject: r.signerSubject,
    signer_issuer: r.signerIssuer,
    digest_algorithm: r.digestAlgorithm,
    timestamp: r.timestamp,
    miner_indicators: r.minerIndicators.join(','),
    verdict: r.verdict,
    reasons: r.reasons.join(','),
  };
}

/** A result as a row of the check tables and of `an1489 check`. */
export function resultRow(r: CheckResult, pid: number | null, path: string = r.path): Row {
  return { pid, path, ...verdictRow(r) };
}

export function processSignatureCheckTable(options: SignatureCheckTableOptions): TablePlugin {
  return {
    name: 'process_signature_check',
    description:
      'One row per running process: signature-versus-path verdict of the image it runs (PE version strings, Authenticode, expected location, renamed binary, miner indicators, deleted or replaced image).',
    columns,
    examples: [
      "SELECT pid, path, verdict, reasons FROM process_signature_check WHERE verdict IN ('masquerade', 'renamed', 'suspicious')",
      'SELECT p.pid, p.name, s.signature_status, s.verdict FROM processes p JOIN process_signature_check s USING (pid)',
      "SELECT pid, path, reasons FROM process_signature_check WHERE reasons LIKE '%image_%'",
    ],
    platforms: ['windows', 'linux'],
    async generate(_context: QueryContext): Promise<Row[]> {
      if (!options.source) return [];
      const sample = await options.source.sample({ needCmdline: () => true, sockets: false });
      const images = await Promise.all(sample.processes.map((p) => processImage(p, options.image ?? DEFAULT_IMAGE_OPTIONS)));
      const targets: CheckTarget[] = sample.processes.map((p, i) => ({
        readPath: images[i].readPath,
        path: images[i].path,
        cmdlines: p.cmdline ? [p.cmdline] : [],
        image: images[i].image,
        stat: images[i].stat,
      }));
      const results = await options.checker.checkMany(targets, PARALLEL);
      return results.map((r, i) => {
        const p = sample.processes[i];
        return { pid: p.pid, start_time: p.startTime, path: images[i].displayPath, ...verdictRow(r) };
      });
    },
  };
}
