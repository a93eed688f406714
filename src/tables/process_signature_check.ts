// Table process_signature_check: one row per running process (from the same
// ProcessSource the sampler reads) with the signature-versus-path verdict of
// the bytes it runs: through /proc/<pid>/exe on Linux (the running image, even
// deleted or replaced), else the file at its path, saying when that file may
// not be the running image. Verdicts come from the per-binary facts cache, so
// processes of one binary cost one read. Files that are not running are
// checked through file_signature_check.
import type { QueryContext, Row, TablePlugin } from '../sdk/table.js';
import { bindTable } from './spec.js';
import { processSignatureCheckSpec } from './specs/process_signature_check.js';
import type { ProcessSource } from '../sampler/source.js';
import type { CheckResult, CheckTarget, SignatureChecker } from '../signature/checker.js';
import { DEFAULT_IMAGE_OPTIONS, processImage, type ImageOptions } from '../signature/image.js';

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
  return bindTable(processSignatureCheckSpec, async (_context: QueryContext): Promise<Row[]> => {
    if (!options.source) return [];
    const sample = await options.source.sample({ needCmdline: () => true, sockets: false });
    const images = await Promise.all(
      sample.processes.map((p) => processImage(p, options.image ?? DEFAULT_IMAGE_OPTIONS)),
    );
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
  });
}
