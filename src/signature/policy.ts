// The verdict policy: a pure function from facts about one binary (where it
// lives, what its bytes say, how it runs) to a verdict and stable reason
// codes. No I/O: the live checker feeds it facts from our PE reader; replay
// feeds it facts from osquery's `file` and `authenticode` rows. The input is
// plain data, validated by BinaryFactsSchema at that trust boundary.
import { z } from 'zod';
import { judgeLocation, LOCATION_CATALOG, type PathFlag } from '../intel/locations.js';
import { scanCommandLine } from '../intel/miner.js';
import { vendorNameMisplaced } from '../intel/vendor-components.js';
import { sameProgram } from '../intel/rename-exceptions.js';

export const VERDICTS = ['masquerade', 'renamed', 'suspicious', 'ok', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Stable reason codes; docs/catalogs.md documents each. */
export const REASON_CODES = [
  'empty_path',
  'not_on_disk',
  'unreadable',
  'not_regular_file',
  'too_large',
  'not_pe',
  'pe_damaged',
  'unsigned',
  'signature_untrusted',
  'signature_invalid',
  'signature_tampered',
  'signature_unknown',
  'extra_signature_bad',
  'renamed',
  'renamed_system_name',
  'unexpected_location',
  'vendor_name_misplaced',
  'path_trailing_dot_space',
  'path_short_name',
  'path_unresolved',
  'miner_strings',
  'miner_cmdline',
  'miner_pool',
  'image_deleted',
  'image_replaced',
  'image_changed_after_start',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const SIGNATURE_STATUSES = [
  'missing',
  'trusted',
  'untrusted',
  'valid',
  'tampered',
  'invalid',
  'unknown',
] as const;

const text = z.string().max(65_536);

export const SignatureFactSchema = z.object({
  status: z.enum(SIGNATURE_STATUSES),
  signerSubject: text.nullable(),
  signerIssuer: text.nullable(),
  digestAlgorithm: text.nullable(),
  /** Countersignature time (ISO-8601) when one was verified. */
  timestamp: text.nullable(),
});
export type SignatureFact = z.infer<typeof SignatureFactSchema>;

/** What a file's bytes say (or why they could not be read). */
export const FileFactsSchema = z.object({
  onDisk: z.boolean(),
  size: z.number().int().nonnegative().nullable(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  pe: z.boolean(),
  /** VERSIONINFO strings of the table shown (US English first). */
  version: z.record(z.string().max(256), text).nullable(),
  /** Primary signature first, then the others (nested included). */
  signatures: z.array(SignatureFactSchema).max(64),
  /** True when nobody could say whether the file is signed (osquery's authenticode gave no row): `signatures` is then empty and means nothing. */
  signaturesUnknown: z.boolean().optional(),
  minerStrings: z.array(z.string().max(256)).max(256),
  /** What reading the file said: not_on_disk, unreadable, too_large, not_pe, pe_damaged, ... */
  reasons: z.array(z.enum(REASON_CODES)).max(64),
});
export type FileFacts = z.infer<typeof FileFactsSchema>;

/** How the judged file relates to the running image, for a running process. */
export const ImageFactsSchema = z.object({
  /** 'running_image': the bytes are the running image itself (Linux /proc/<pid>/exe); 'path': the file now at the path. */
  bytesFrom: z.enum(['running_image', 'path']),
  /** The running image's file has no name any more (procfs ` (deleted)`, or nothing at the path). */
  deleted: z.boolean(),
  /** A different file now sits at the process's path. */
  replaced: z.boolean(),
  /** The file at the path was modified or changed (mtime/ctime) after the process started. */
  changedAfterStart: z.boolean(),
});
export type ImageFacts = z.infer<typeof ImageFactsSchema>;

export const BinaryFactsSchema = z.object({
  /** Where the binary lives (a Windows path is judged for location); '' when unknown. */
  path: z.string().max(32_768),
  file: FileFactsSchema,
  /** Command lines of the processes running it; attacker text, bounded. */
  cmdlines: z.array(z.string().max(1_048_576)).max(4096).readonly(),
  /** Null for a file that is not (known to be) running. */
  image: ImageFactsSchema.nullable(),
});
export type BinaryFacts = z.infer<typeof BinaryFactsSchema>;

export interface Judgement {
  /** The path judged for location, when it is a Windows path. */
  readonly judgedPath: string | null;
  readonly name: string;
  readonly originalFilename: string | null;
  readonly internalName: string | null;
  readonly productName: string | null;
  readonly companyName: string | null;
  readonly fileDescription: string | null;
  readonly fileVersion: string | null;
  readonly renamed: boolean | null;
  readonly expectedLocation: boolean | null;
  readonly expectedPaths: readonly string[];
  /** Whether a signature is present (not whether it is valid); null when unknown. */
  readonly signed: boolean | null;
  readonly signatureStatus: SignatureFact['status'] | null;
  readonly primarySignature: SignatureFact | null;
  readonly minerIndicators: readonly string[];
  readonly verdict: Verdict;
  readonly reasons: readonly ReasonCode[];
}

export function looksWindows(p: string): boolean {
  return /^[a-z]:[\\/]/i.test(p) || p.startsWith('\\');
}

function baseName(p: string, windows: boolean): string {
  const parts = p.split(windows ? /[\\/]/ : /\//);
  return parts[parts.length - 1] ?? '';
}

const PATH_FLAG_REASONS: Partial<Record<PathFlag, ReasonCode>> = {
  trailing_dot_space: 'path_trailing_dot_space',
  short_name: 'path_short_name',
  relative_path: 'path_unresolved',
  unexpanded_variable: 'path_unresolved',
  escapes_root: 'path_unresolved',
  unc_path: 'path_unresolved',
  too_long: 'path_unresolved',
};

const STATUS_REASONS: Partial<Record<SignatureFact['status'], ReasonCode>> = {
  untrusted: 'signature_untrusted',
  invalid: 'signature_invalid',
  tampered: 'signature_tampered',
  unknown: 'signature_unknown',
};

const GOOD_STATUSES: ReadonlySet<SignatureFact['status']> = new Set(['trusted', 'valid', 'untrusted']);

/** Reasons that make a binary suspicious whatever its name. */
const SUSPICIOUS: readonly ReasonCode[] = [
  'signature_tampered',
  'signature_invalid',
  'extra_signature_bad',
  'miner_strings',
  'miner_cmdline',
  'miner_pool',
  'path_trailing_dot_space',
  'path_short_name',
  'vendor_name_misplaced',
];

function field(v: Readonly<Record<string, string>> | null, k: string): string | null {
  const s = v && Object.hasOwn(v, k) ? v[k].trim() : '';
  return s === '' ? null : s;
}

// scanCommandLine is pure; a query sees the same command lines again and again.
const CMDLINE_MEMO_BYTES = 4 * 1024 * 1024;
const cmdlineMemo = new Map<string, readonly string[]>();
let cmdlineMemoBytes = 0;
function cmdlineHits(cmdline: string): readonly string[] {
  const hit = cmdlineMemo.get(cmdline);
  if (hit) return hit;
  const found = scanCommandLine(cmdline);
  const cost = cmdline.length * 2 + 64;
  if (cost <= CMDLINE_MEMO_BYTES / 8) {
    cmdlineMemo.set(cmdline, found);
    cmdlineMemoBytes += cost;
    for (const k of cmdlineMemo.keys()) {
      if (cmdlineMemoBytes <= CMDLINE_MEMO_BYTES) break;
      cmdlineMemo.delete(k);
      cmdlineMemoBytes -= k.length * 2 + 64;
    }
  }
  return found;
}

/** Judges one binary from facts alone. Pure: the same facts give the same judgement. */
export function judgeBinary(facts: BinaryFacts): Judgement {
  const { file } = facts;
  const reasons = new Set<ReasonCode>(file.reasons);
  const windows = looksWindows(facts.path);
  const judged = windows ? facts.path : null;
  const name = baseName(facts.path, windows);
  if (facts.path === '') reasons.add('empty_path');

  let expectedLocation: boolean | null = null;
  let expectedPaths: readonly string[] = [];
  // A catalogued system name is judged by name even when we do not know where the file lives.
  const catalogued = LOCATION_CATALOG.has(name.toLowerCase());
  if (judged !== null) {
    const loc = judgeLocation(judged);
    expectedLocation = loc.expected;
    expectedPaths = loc.expectedDirs;
    if (loc.expected === false) reasons.add('unexpected_location');
    if (vendorNameMisplaced(judged) === true) reasons.add('vendor_name_misplaced');
    for (const f of loc.normalized.flags) {
      const r = PATH_FLAG_REASONS[f];
      if (r) reasons.add(r);
    }
  }

  const originalFilename = field(file.version, 'OriginalFilename');
  let renamed: boolean | null = null;
  if (file.pe) {
    renamed = false;
    if (originalFilename !== null) {
      if (!sameProgram(name, originalFilename)) {
        renamed = true;
        reasons.add(catalogued ? 'renamed_system_name' : 'renamed');
      }
    }
  }

  const primary = file.signatures[0] ?? null;
  const unknownSig = file.signaturesUnknown === true;
  const signed = unknownSig ? null : file.signatures.length > 0;
  if (file.pe && signed === false) reasons.add('unsigned');
  if (primary) {
    const r = STATUS_REASONS[primary.status];
    if (r) reasons.add(r);
    if (file.signatures.slice(1).some((s) => !GOOD_STATUSES.has(s.status))) reasons.add('extra_signature_bad');
  }

  const miner = new Set<string>(file.minerStrings.map((s) => `string:${s}`));
  if (file.minerStrings.length > 0) reasons.add('miner_strings');
  for (const c of facts.cmdlines) {
    for (const hit of cmdlineHits(c)) {
      miner.add(hit);
      reasons.add(hit.startsWith('pool:') ? 'miner_pool' : 'miner_cmdline');
    }
  }

  const image = facts.image;
  if (image?.deleted) reasons.add('image_deleted');
  if (image?.replaced) reasons.add('image_replaced');
  if (image?.changedAfterStart) reasons.add('image_changed_after_start');
  // The bytes judged may not be the ones running: never vouch for them.
  const unsure =
    image !== null && image.bytesFrom === 'path' && (image.deleted || image.replaced || image.changedAfterStart);

  const has = (r: ReasonCode) => reasons.has(r);
  let verdict: Verdict;
  if (catalogued && (has('unexpected_location') || has('renamed_system_name') || has('path_trailing_dot_space')))
    verdict = 'masquerade';
  else if (has('renamed')) verdict = 'renamed';
  else if (SUSPICIOUS.some(has) || (catalogued && has('path_unresolved'))) verdict = 'suspicious';
  else if (file.sha256 === null || unsure) verdict = 'unknown';
  else verdict = 'ok';

  return {
    judgedPath: judged,
    name,
    originalFilename,
    internalName: field(file.version, 'InternalName'),
    productName: field(file.version, 'ProductName'),
    companyName: field(file.version, 'CompanyName'),
    fileDescription: field(file.version, 'FileDescription'),
    fileVersion: field(file.version, 'FileVersion'),
    renamed,
    expectedLocation,
    expectedPaths,
    signed,
    signatureStatus: file.pe && !unknownSig ? (primary ? primary.status : 'missing') : null,
    primarySignature: primary,
    minerIndicators: [...miner].sort(),
    verdict,
    reasons: [...reasons].sort(),
  };
}
