// The signature-versus-path checker: reads a file once (bounded, regular files
// only), derives what its bytes say (hash, PE version strings, Authenticode,
// miner strings) and caches that by (path, size, mtime); then judges it at a
// Windows path (expected location, renamed binary) with the process's command
// line. "Where the bytes are read from" and "where the file lives for
// judgement" are separate, so a Windows path can be judged on Linux.
import { constants as fsc } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { parsePe, PeError, type PeImage } from '../pe/pe.js';
import { parseTrustBundle, verifyAuthenticode, type SignatureInfo, type SignatureStatus, type TrustBundle } from '../pe/authenticode.js';
import { judgeLocation, LOCATION_CATALOG, type PathFlag } from '../intel/locations.js';
import { MinerStringScanner, scanCommandLine } from '../intel/miner.js';
import { startMinerScan } from './scan-worker.js';
import { isRenameException } from './rename-exceptions.js';
import { LruCache } from './lru.js';

export type Verdict = 'masquerade' | 'renamed' | 'suspicious' | 'ok' | 'unknown';

/** Stable reason codes; docs/catalogs.md documents each. */
export type ReasonCode =
  | 'empty_path'
  | 'not_on_disk'
  | 'unreadable'
  | 'not_regular_file'
  | 'too_large'
  | 'not_pe'
  | 'pe_damaged'
  | 'unsigned'
  | 'signature_untrusted'
  | 'signature_invalid'
  | 'signature_tampered'
  | 'signature_unknown'
  | 'extra_signature_bad'
  | 'renamed'
  | 'renamed_system_name'
  | 'unexpected_location'
  | 'path_trailing_dot_space'
  | 'path_short_name'
  | 'path_unresolved'
  | 'miner_strings'
  | 'miner_cmdline'
  | 'miner_pool';

export interface CheckerOptions {
  /** Files larger than this are neither hashed nor parsed. */
  readonly maxFileBytes: number;
  /** Entries in the (path, size, mtime) cache; 0 disables it. */
  readonly cacheEntries: number;
  /** Roots that make a signature 'trusted'; null = judge signatures cryptographically only ('valid'). */
  readonly trust: TrustBundle | null;
}

export const DEFAULT_CHECKER_OPTIONS: CheckerOptions = { maxFileBytes: 256 * 1024 ** 2, cacheEntries: 4096, trust: null };

export async function loadTrustBundle(path: string): Promise<TrustBundle> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`trust bundle ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseTrustBundle(pem);
  } catch (e) {
    throw new Error(`trust bundle ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
}

/**
 * A checker from the operator's signature settings (src/config). A trust
 * bundle that cannot be read is logged and signatures are then judged
 * cryptographically only ('valid'), rather than failing the whole extension.
 */
export async function checkerFromSettings(
  settings: { readonly maxBytesPerFile: number; readonly cacheSize: number; readonly trustBundlePath: string | null },
  log?: (level: 'warn', message: string) => void,
): Promise<SignatureChecker> {
  let trust: TrustBundle | null = null;
  if (settings.trustBundlePath !== null) {
    try {
      trust = await loadTrustBundle(settings.trustBundlePath);
    } catch (e) {
      log?.('warn', `signature check: ${(e as Error).message}; signatures are judged without a trust bundle`);
    }
  }
  return new SignatureChecker({ maxFileBytes: settings.maxBytesPerFile, cacheEntries: settings.cacheSize, trust });
}

export interface CheckTarget {
  /** Where to read the bytes from (this machine's path). */
  readonly readPath: string;
  /** Where the file lives for judgement (a Windows path); null = readPath when it looks like a Windows path. */
  readonly windowsPath?: string | null;
  /** Command lines of the processes running it (miner flags are looked for in each). */
  readonly cmdlines?: readonly string[];
}

/** What the bytes say; cached. */
interface FileFacts {
  readonly onDisk: boolean;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly pe: boolean;
  readonly version: Readonly<Record<string, string>> | null;
  readonly signatures: readonly SignatureInfo[];
  readonly minerStrings: readonly string[];
  readonly reasons: readonly ReasonCode[];
}

export interface CheckResult {
  readonly path: string;
  readonly judgedPath: string | null;
  readonly name: string;
  readonly onDisk: boolean;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly pe: boolean;
  readonly originalFilename: string | null;
  readonly internalName: string | null;
  readonly productName: string | null;
  readonly companyName: string | null;
  readonly fileDescription: string | null;
  readonly fileVersion: string | null;
  readonly renamed: boolean | null;
  readonly expectedLocation: boolean | null;
  readonly expectedPaths: readonly string[];
  readonly signed: boolean;
  readonly signatureStatus: SignatureStatus | null;
  readonly signatureCount: number;
  readonly signerSubject: string | null;
  readonly signerIssuer: string | null;
  readonly digestAlgorithm: string | null;
  readonly timestamp: string | null;
  readonly minerIndicators: readonly string[];
  readonly verdict: Verdict;
  readonly reasons: readonly ReasonCode[];
}

interface StatOk {
  readonly key: string;
  readonly size: number;
  readonly ino: number;
}

/** The cache key for a regular file, or the facts for anything else. */
async function statFile(path: string): Promise<StatOk | { readonly facts: FileFacts }> {
  if (path === '') return { facts: missing('empty_path') };
  let st;
  try {
    // stat (not lstat): a process's binary may be reached by a symlink; what matters is what it points at.
    st = await stat(path);
  } catch (e) {
    return { facts: missing(errnoReason(e)) };
  }
  if (!st.isFile()) return { facts: { ...missing('not_regular_file'), onDisk: true } };
  return { key: `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`, size: st.size, ino: st.ino };
}

/** Reading in 1 MiB pieces keeps the miner scan's working string small. */
const SCAN_CHUNK = 1024 * 1024;

function looksWindows(p: string): boolean {
  return /^[a-z]:[\\/]/i.test(p) || p.startsWith('\\');
}

export class SignatureChecker {
  private readonly cache: LruCache<string, FileFacts>;

  constructor(readonly options: CheckerOptions = DEFAULT_CHECKER_OPTIONS) {
    this.cache = new LruCache(options.cacheEntries);
  }

  async check(target: CheckTarget): Promise<CheckResult> {
    return (await this.checkMany([target], 1))[0];
  }

  /**
   * Checks several files: every stat at once (cheap, and most answers then
   * come from the cache), then the cache misses read `parallel` at a time so
   * a cold query over many binaries stays polite on a busy host.
   */
  async checkMany(targets: readonly CheckTarget[], parallel = 4): Promise<CheckResult[]> {
    const stats = await Promise.all(targets.map((t) => statFile(t.readPath)));
    const facts = new Array<FileFacts>(targets.length);
    const misses: number[] = [];
    stats.forEach((st, i) => {
      if ('facts' in st) facts[i] = st.facts;
      else {
        const hit = this.cache.get(st.key);
        if (hit) facts[i] = hit;
        else misses.push(i);
      }
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < misses.length) {
        const i = misses[next++];
        const st = stats[i] as StatOk;
        const f = await this.readFacts(targets[i].readPath, st.size, st.ino);
        // Only cache what the bytes said; a transient failure should be retried.
        if (f.sha256 !== null || f.reasons.includes('too_large')) this.cache.set(st.key, f);
        facts[i] = f;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, misses.length)) }, worker));
    return targets.map((t, i) => judge(t, t.windowsPath ?? (looksWindows(t.readPath) ? t.readPath : null), facts[i]));
  }

  private async readFacts(path: string, size: number, ino: number): Promise<FileFacts> {
    if (size > this.options.maxFileBytes) {
      return { ...missing('too_large'), onDisk: true, size };
    }
    let read: ReadOutcome;
    // The file hash consumes each chunk while the next is read; the miner
    // scan runs on a worker thread, fed the same chunks, and is awaited only
    // after the PE is parsed and its signatures verified.
    const scan = startMinerScan();
    const hasher = createHash('sha256');
    try {
      read = await readRegularFile(path, this.options.maxFileBytes, ino, (chunk) => {
        scan.feed(chunk);
        hasher.update(chunk);
      });
    } catch (e) {
      void scan.finish(Buffer.alloc(0)).catch(() => undefined);
      return { ...missing(errnoReason(e)), onDisk: true, size };
    }
    if (read.kind !== 'bytes') void scan.finish(Buffer.alloc(0)).catch(() => undefined);
    if (read.kind === 'not_regular_file') return { ...missing('not_regular_file'), onDisk: true };
    if (read.kind === 'too_large') return { ...missing('too_large'), onDisk: true, size: read.size };
    const bytes = read.bytes;
    let asked = false;
    try {
      return await factsFromBytes(bytes, this.options.trust, {
        minerStrings: () => {
          asked = true;
          return scan.finish(bytes);
        },
        sha256: hasher.digest('hex'),
      });
    } finally {
      // A parse that threw never asked: end the job so the worker drops its state.
      if (!asked) void scan.finish(Buffer.alloc(0)).catch(() => undefined);
    }
  }
}

export type ReadOutcome =
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'too_large'; readonly size: number }
  | { readonly kind: 'not_regular_file' };

/**
 * Reads a whole regular file of at most maxBytes. Opened with O_NONBLOCK so a
 * path swapped for a FIFO after the caller's stat cannot hang us, and fstat
 * confirms a regular file (and, when given, the inode the caller saw).
 */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  expectInode?: number,
  onChunk?: (chunk: Buffer) => void,
): Promise<ReadOutcome> {
  const fh = await open(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile() || (expectInode !== undefined && st.ino !== expectInode)) return { kind: 'not_regular_file' };
    if (st.size > maxBytes) return { kind: 'too_large', size: st.size };
    const buf = Buffer.allocUnsafe(st.size);
    // Chunked reads, each next read issued before the previous chunk is
    // handed to onChunk, so scanning overlaps the I/O.
    const readAt = async (at: number): Promise<number> =>
      at >= buf.length ? 0 : (await fh.read(buf, at, Math.min(SCAN_CHUNK, buf.length - at), at)).bytesRead;
    let got = 0;
    let pending = readAt(0);
    for (;;) {
      const n = await pending;
      if (n === 0) break; // end of file, or the file shrank while we read: judge what is there
      const chunk = buf.subarray(got, got + n);
      got += n;
      pending = readAt(got);
      onChunk?.(chunk);
    }
    return { kind: 'bytes', bytes: buf.subarray(0, got) };
  } finally {
    await fh.close();
  }
}

/**
 * Everything the bytes alone say. `streamed` carries the miner scan and file
 * hash when the caller computed them chunk by chunk while reading.
 */
export async function factsFromBytes(
  buf: Buffer,
  trust: TrustBundle | null,
  streamed?: {
    /** The miner strings of the whole stream, asked for once the rest is done. */
    readonly minerStrings: () => Promise<string[]>;
    readonly sha256: string;
  },
): Promise<FileFacts> {
  const reasons: ReasonCode[] = [];
  let image: PeImage | null = null;
  try {
    image = parsePe(buf);
  } catch (e) {
    if (!(e instanceof PeError)) throw e;
    reasons.push('not_pe');
  }
  const sha256 = streamed?.sha256 ?? createHash('sha256').update(buf).digest('hex');
  let signatures: SignatureInfo[] = [];
  let version: Record<string, string> | null = null;
  if (image) {
    if (image.warnings.length > 0) reasons.push('pe_damaged');
    signatures = verifyAuthenticode(buf, image, trust);
    // US English first, as Explorer shows it; otherwise the first table the file holds.
    const table = image.versionInfo.find((v) => v.language.startsWith('0409')) ?? image.versionInfo[0];
    if (table) version = { ...table.strings };
  }
  return {
    onDisk: true,
    size: buf.length,
    sha256,
    pe: image !== null,
    version,
    signatures,
    minerStrings: streamed ? await streamed.minerStrings() : scanInThread(buf),
    reasons,
  };
}

function scanInThread(buf: Buffer): string[] {
  const scanner = new MinerStringScanner();
  for (let off = 0; off < buf.length; off += SCAN_CHUNK) scanner.feed(buf.subarray(off, off + SCAN_CHUNK));
  return scanner.results();
}

function missing(reason: ReasonCode): FileFacts {
  return { onDisk: false, size: null, sha256: null, pe: false, version: null, signatures: [], minerStrings: [], reasons: [reason] };
}

function errnoReason(e: unknown): ReasonCode {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? 'not_on_disk' : code === 'EISDIR' ? 'not_regular_file' : 'unreadable';
}

function windowsBasename(p: string): string {
  const parts = p.split(/[\\/]/);
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

function field(v: Readonly<Record<string, string>> | null, k: string): string | null {
  const s = v && Object.prototype.hasOwnProperty.call(v, k) ? v[k].trim() : '';
  return s === '' ? null : s;
}

const GOOD_STATUSES: ReadonlySet<SignatureStatus> = new Set(['trusted', 'valid', 'untrusted']);

function judge(target: CheckTarget, judged: string | null, facts: FileFacts): CheckResult {
  const reasons = new Set<ReasonCode>(facts.reasons);
  const name = judged !== null ? windowsBasename(judged) : basename(target.readPath);

  let expectedLocation: boolean | null = null;
  let expectedPaths: readonly string[] = [];
  // A catalogued system name is judged by name even when we do not know where the file lives.
  const catalogued = LOCATION_CATALOG.has(name.toLowerCase());
  if (judged !== null) {
    const loc = judgeLocation(judged);
    expectedLocation = loc.expected;
    expectedPaths = loc.expectedDirs;
    if (loc.expected === false) reasons.add('unexpected_location');
    for (const f of loc.normalized.flags) {
      const r = PATH_FLAG_REASONS[f];
      if (r) reasons.add(r);
    }
  }

  const originalFilename = field(facts.version, 'OriginalFilename');
  let renamed: boolean | null = null;
  if (facts.pe) {
    renamed = false;
    if (originalFilename !== null) {
      const original = originalFilename.replace(/\.mui$/i, '');
      if (original.toLowerCase() !== name.toLowerCase() && !isRenameException(name, original)) {
        renamed = true;
        reasons.add(catalogued ? 'renamed_system_name' : 'renamed');
      }
    }
  }

  const primary = facts.signatures[0] ?? null;
  const signed = facts.signatures.length > 0;
  if (facts.pe && !signed) reasons.add('unsigned');
  if (primary) {
    const statusReason: Partial<Record<SignatureStatus, ReasonCode>> = {
      untrusted: 'signature_untrusted',
      invalid: 'signature_invalid',
      tampered: 'signature_tampered',
      unknown: 'signature_unknown',
    };
    const r = statusReason[primary.status];
    if (r) reasons.add(r);
    if (facts.signatures.slice(1).some((s) => !GOOD_STATUSES.has(s.status))) reasons.add('extra_signature_bad');
  }

  const miner = new Set<string>(facts.minerStrings.map((s) => `string:${s}`));
  if (facts.minerStrings.length > 0) reasons.add('miner_strings');
  for (const c of target.cmdlines ?? []) {
    for (const hit of scanCommandLine(c)) {
      miner.add(hit);
      reasons.add(hit.startsWith('pool:') ? 'miner_pool' : 'miner_cmdline');
    }
  }

  const has = (r: ReasonCode) => reasons.has(r);
  let verdict: Verdict;
  if (catalogued && (has('unexpected_location') || has('renamed_system_name') || has('path_trailing_dot_space'))) verdict = 'masquerade';
  else if (has('renamed')) verdict = 'renamed';
  else if (
    has('signature_tampered') ||
    has('signature_invalid') ||
    has('extra_signature_bad') ||
    has('miner_strings') ||
    has('miner_cmdline') ||
    has('miner_pool') ||
    has('path_trailing_dot_space') ||
    has('path_short_name') ||
    (catalogued && has('path_unresolved'))
  )
    verdict = 'suspicious';
  else if (facts.sha256 === null) verdict = 'unknown';
  else verdict = 'ok';

  return {
    path: target.readPath,
    judgedPath: judged,
    name,
    onDisk: facts.onDisk,
    size: facts.size,
    sha256: facts.sha256,
    pe: facts.pe,
    originalFilename,
    internalName: field(facts.version, 'InternalName'),
    productName: field(facts.version, 'ProductName'),
    companyName: field(facts.version, 'CompanyName'),
    fileDescription: field(facts.version, 'FileDescription'),
    fileVersion: field(facts.version, 'FileVersion'),
    renamed,
    expectedLocation,
    expectedPaths,
    signed,
    signatureStatus: facts.pe ? (primary ? primary.status : 'missing') : null,
    signatureCount: facts.signatures.length,
    signerSubject: primary?.signerSubject ?? null,
    signerIssuer: primary?.signerIssuer ?? null,
    digestAlgorithm: primary?.digestAlgorithm ?? null,
    timestamp: primary?.timestamp ?? null,
    minerIndicators: [...miner].sort(),
    verdict,
    reasons: [...reasons].sort(),
  };
}
