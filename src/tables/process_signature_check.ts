// Table process_signature_check: signature-versus-path verdicts for the
// binaries of running processes (one row per distinct path, from the same
// ProcessSource the sampler reads), or for any files named by
// `WHERE path = '...'` / `path IN (...)`.
import { ColumnOption, equalities, type ColumnDeclaration, type QueryContext, type Row, type TablePlugin } from '../sdk/table.js';
import type { ProcessSource } from '../sampler/source.js';
import type { CheckResult, CheckTarget, SignatureChecker } from '../signature/checker.js';

const columns: readonly ColumnDeclaration[] = [
  { name: 'pid', type: 'BIGINT', description: 'Lowest pid running the binary; NULL for files named by path' },
  { name: 'name', type: 'TEXT', description: 'File name the binary has on disk' },
  { name: 'path', type: 'TEXT', description: 'Path of the binary', options: ColumnOption.INDEX | ColumnOption.OPTIMIZED },
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
  { name: 'miner_indicators', type: 'TEXT', description: 'Miner strings in the binary and flags/pools in command lines, sorted, comma-separated' },
  { name: 'verdict', type: 'TEXT', description: 'masquerade, renamed, suspicious, ok or unknown' },
  { name: 'reasons', type: 'TEXT', description: 'Stable reason codes, sorted, comma-separated (docs/catalogs.md)' },
];

/** How many files are read at once: enough to overlap I/O, few enough to stay polite on a busy host. */
const PARALLEL = 4;

export interface SignatureCheckTableOptions {
  readonly checker: SignatureChecker;
  /** The running processes; absent = only `WHERE path = ...` queries produce rows. */
  readonly source?: ProcessSource;
}

function b(v: boolean | null): number | null {
  return v === null ? null : v ? 1 : 0;
}

export function resultRow(r: CheckResult, pid: number | null): Row {
  return {
    pid,
    name: r.name,
    path: r.path,
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

export function processSignatureCheckTable(options: SignatureCheckTableOptions): TablePlugin {
  return {
    name: 'process_signature_check',
    description:
      'Signature-versus-path checks of running process binaries (or files named by path): PE version strings, Authenticode, expected location, renamed binaries, miner indicators.',
    columns,
    examples: [
      "SELECT pid, path, verdict, reasons FROM process_signature_check WHERE verdict IN ('masquerade', 'renamed', 'suspicious')",
      "SELECT * FROM process_signature_check WHERE path = 'C:\\Windows\\Temp\\svchost.exe'",
      'SELECT p.pid, p.name, s.signature_status, s.verdict FROM processes p JOIN process_signature_check s USING (path)',
    ],
    platforms: ['windows', 'linux'],
    async generate(context: QueryContext): Promise<Row[]> {
      const paths = [...new Set(equalities(context, 'path'))];
      if (paths.length > 0) {
        // Named files: the path is both where to read and where to judge.
        const results = await options.checker.checkMany(paths.map((p) => ({ readPath: p })), PARALLEL);
        return results.map((r) => resultRow(r, null));
      }
      if (!options.source) return [];
      const sample = await options.source.sample({ needCmdline: () => true, sockets: false });
      const byPath = new Map<string, { pid: number; cmdlines: string[] }>();
      for (const p of sample.processes) {
        if (p.path === '') continue; // kernel threads and processes we may not inspect
        const e = byPath.get(p.path);
        if (!e) byPath.set(p.path, { pid: p.pid, cmdlines: p.cmdline ? [p.cmdline] : [] });
        else {
          e.pid = Math.min(e.pid, p.pid);
          if (p.cmdline) e.cmdlines.push(p.cmdline);
        }
      }
      const targets: { target: CheckTarget; pid: number }[] = [...byPath].map(([path, e]) => ({
        target: { readPath: path, cmdlines: e.cmdlines },
        pid: e.pid,
      }));
      const results = await options.checker.checkMany(targets.map((t) => t.target), PARALLEL);
      return results.map((r, i) => resultRow(r, targets[i].pid));
    },
  };
}
