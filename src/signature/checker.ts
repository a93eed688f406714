// The signature checker: file facts (stream.ts, facts.ts) cached per file
// identity (cache.ts), judged by the pure policy (policy.ts). "Where the bytes
// are read from" and "where the binary lives for judgement" are separate, so a
// process's running image can be read through /proc/<pid>/exe and judged at
// its path, and a Windows path can be judged on Linux.
import type { BigIntStats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parseTrustBundle, type TrustBundle } from '../pe/authenticode.js';
import { FactsCache } from './cache.js';
import { computeFacts, errnoReason, missingFacts } from './facts.js';
import {
  judgeBinary,
  type FileFacts,
  type ImageFacts,
  type Judgement,
  type ReasonCode,
  type Verdict,
} from './policy.js';
import { identityKey, identityOf, openRegular, type FileIdentity } from './stream.js';

export type { ReasonCode, Verdict };
export { factsFromBytes } from './facts.js';

export interface CheckerOptions {
  /** Files larger than this are neither hashed nor parsed. */
  readonly maxFileBytes: number;
  /** Bytes the facts cache may hold (estimated); 0 disables it. */
  readonly cacheBytes: number;
  /** Age after which a cached entry is read again, whatever its key says. */
  readonly cacheMaxAgeMs: number;
  /** Roots that make a signature 'trusted'; null = judge signatures cryptographically only ('valid'). */
  readonly trust: TrustBundle | null;
}

/** Budget per configured cache entry: `cacheSize` entries become a byte bound. */
export const CACHE_BYTES_PER_ENTRY = 4096;

export const DEFAULT_CHECKER_OPTIONS: CheckerOptions = {
  maxFileBytes: 256 * 1024 ** 2,
  cacheBytes: 4096 * CACHE_BYTES_PER_ENTRY,
  cacheMaxAgeMs: 6 * 3600_000,
  trust: null,
};

export async function loadTrustBundle(path: string): Promise<TrustBundle> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(
      `trust bundle ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
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
  return new SignatureChecker({
    ...DEFAULT_CHECKER_OPTIONS,
    maxFileBytes: settings.maxBytesPerFile,
    cacheBytes: settings.cacheSize * CACHE_BYTES_PER_ENTRY,
    trust,
  });
}

export interface CheckTarget {
  /** Where to read the bytes from (this machine's path, or /proc/<pid>/exe). */
  readonly readPath: string;
  /** Where the binary lives for judgement; default readPath. */
  readonly path?: string;
  /** Command lines of the processes running it (miner flags are looked for in each). */
  readonly cmdlines?: readonly string[];
  /** How the bytes relate to a running image; absent for a file that is not running. */
  readonly image?: ImageFacts | null;
  /** A stat of readPath the caller just took (saves the checker one). */
  readonly stat?: BigIntStats;
}

export interface CheckResult extends Judgement {
  /** The path judged (CheckTarget.path, else readPath). */
  readonly path: string;
  readonly onDisk: boolean;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly pe: boolean;
  readonly signatureCount: number;
  readonly signerSubject: string | null;
  readonly signerIssuer: string | null;
  readonly digestAlgorithm: string | null;
  readonly timestamp: string | null;
}

type Located = { readonly identity: FileIdentity; readonly key: string } | { readonly facts: FileFacts };

async function locate(path: string, seen?: BigIntStats): Promise<Located> {
  if (path === '') return { facts: missingFacts('empty_path') };
  try {
    // stat (not lstat): a binary may be reached by a symlink (or /proc/<pid>/exe); what matters is what it points at.
    const st = seen ?? (await stat(path, { bigint: true }));
    if (!st.isFile()) return { facts: missingFacts('not_regular_file', true) };
    const identity = identityOf(st);
    return { identity, key: identityKey(identity) };
  } catch (e) {
    return { facts: missingFacts(errnoReason(e)) };
  }
}

export class SignatureChecker {
  private readonly cache: FactsCache;

  readonly options: CheckerOptions;

  constructor(options: Partial<CheckerOptions> = {}) {
    this.options = { ...DEFAULT_CHECKER_OPTIONS, ...options };
    this.cache = new FactsCache(this.options.cacheBytes, this.options.cacheMaxAgeMs);
  }

  async check(target: CheckTarget): Promise<CheckResult> {
    return (await this.checkMany([target], 1))[0];
  }

  /**
   * Checks several targets: every stat at once (cheap, and most answers then
   * come from the cache), then each distinct file that missed is read once,
   * `parallel` at a time, so a cold query over many binaries stays polite.
   */
  async checkMany(targets: readonly CheckTarget[], parallel = 4): Promise<CheckResult[]> {
    const located = await Promise.all(targets.map((t) => locate(t.readPath, t.stat)));
    const facts = new Array<FileFacts>(targets.length);
    const misses = new Map<string, { identity: FileIdentity; readPath: string; at: number[] }>();
    located.forEach((l, i) => {
      if ('facts' in l) return void (facts[i] = l.facts);
      const hit = this.cache.get(l.key);
      if (hit) return void (facts[i] = hit);
      const m = misses.get(l.key);
      if (m) m.at.push(i);
      else misses.set(l.key, { identity: l.identity, readPath: targets[i].readPath, at: [i] });
    });
    const queue = [...misses.entries()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [key, m] = next;
        const { facts: f, cacheable } = await this.read(m.readPath, m.identity);
        // Only cache what the bytes said about an unchanged file; a transient failure is retried.
        if (cacheable) this.cache.set(key, f);
        for (const i of m.at) facts[i] = f;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, queue.length)) }, worker));
    return targets.map((t, i) => result(t, facts[i]));
  }

  private async read(path: string, identity: FileIdentity): Promise<{ facts: FileFacts; cacheable: boolean }> {
    if (identity.size > this.options.maxFileBytes)
      return { facts: missingFacts('too_large', true, identity.size), cacheable: true };
    let opened;
    try {
      opened = await openRegular(path, identity);
    } catch (e) {
      return { facts: missingFacts(errnoReason(e), true, identity.size), cacheable: false };
    }
    if (opened.kind === 'not_regular_file') return { facts: missingFacts('not_regular_file', true), cacheable: false };
    // Replaced between stat and open: judge it on the next query, under its own key.
    if (opened.kind === 'changed') return { facts: missingFacts('unreadable', true), cacheable: false };
    const file = opened.file;
    try {
      const head = await file.head();
      const facts = await computeFacts(
        { source: file, head, stream: (onChunk) => file.stream(head, this.options.maxFileBytes, onChunk) },
        this.options.trust,
      );
      // Written while we read: these facts may mix two contents; report them, never cache them.
      const unchanged = identityKey(file.restat()) === identityKey(identity) && facts.size === identity.size;
      return { facts, cacheable: unchanged };
    } catch (e) {
      return { facts: missingFacts(errnoReason(e), true, identity.size), cacheable: false };
    } finally {
      await file.close();
    }
  }
}

function result(target: CheckTarget, facts: FileFacts): CheckResult {
  const path = target.path ?? target.readPath;
  const j = judgeBinary({ path, file: facts, cmdlines: target.cmdlines ?? [], image: target.image ?? null });
  const primary = j.primarySignature;
  // Listed field by field (no spread): this runs once per process on every query.
  return {
    judgedPath: j.judgedPath,
    name: j.name,
    originalFilename: j.originalFilename,
    internalName: j.internalName,
    productName: j.productName,
    companyName: j.companyName,
    fileDescription: j.fileDescription,
    fileVersion: j.fileVersion,
    renamed: j.renamed,
    expectedLocation: j.expectedLocation,
    expectedPaths: j.expectedPaths,
    signed: j.signed,
    signatureStatus: j.signatureStatus,
    primarySignature: primary,
    minerIndicators: j.minerIndicators,
    verdict: j.verdict,
    reasons: j.reasons,
    path,
    onDisk: facts.onDisk,
    size: facts.size,
    sha256: facts.sha256,
    pe: facts.pe,
    signatureCount: facts.signatures.length,
    signerSubject: primary?.signerSubject ?? null,
    signerIssuer: primary?.signerIssuer ?? null,
    digestAlgorithm: primary?.digestAlgorithm ?? null,
    timestamp: primary?.timestamp ?? null,
  };
}
