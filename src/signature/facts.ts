// What a file's bytes say, computed in one streaming pass: the file's
// SHA-256, the Authenticode image digests, and the miner-string scan all
// consume the same chunks as they are read; the PE parser reads only the
// headers, the version resource and the certificate table (see stream.ts).
import { createHash, type Hash } from 'node:crypto';
import { parsePe, PeError, type PeImage } from '../pe/pe.js';
import { verifyAuthenticode, type TrustBundle } from '../pe/authenticode.js';
import { minerStringMatcher } from '../intel/miner.js';
import { bufferSource, PeView, streamBuffer, type ByteSource, type ChunkSink } from './stream.js';
import type { FileFacts, ReasonCode, SignatureFact } from './policy.js';

/** Digest algorithms Authenticode may name, by the DER bytes of their OIDs. */
const DIGEST_OIDS: readonly (readonly [string, string])[] = [
  ['sha1', '1.3.14.3.2.26'],
  ['sha256', '2.16.840.1.101.3.4.2.1'],
  ['sha384', '2.16.840.1.101.3.4.2.2'],
  ['sha512', '2.16.840.1.101.3.4.2.3'],
  ['md5', '1.2.840.113549.2.5'],
];

function derOid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const body: number[] = [a * 40 + b];
  for (const n of rest) {
    const groups: number[] = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    body.push(...groups);
  }
  return Buffer.from([0x06, body.length, ...body]);
}

const DIGEST_OID_BYTES = DIGEST_OIDS.map(([name, oid]) => [name, derOid(oid)] as const);

/**
 * The algorithms whose image digest verification may ask for: every digest
 * OID anywhere in the certificate data (a superset is harmless: one more
 * hash), so each digest is computed during the one pass over the file.
 */
export function digestAlgorithmsIn(image: PeImage): string[] {
  const out = new Set<string>();
  for (const c of image.certificates)
    for (const [name, oid] of DIGEST_OID_BYTES) if (c.data.includes(oid)) out.add(name);
  return [...out];
}

/** The file ranges the Authenticode image digest skips: CheckSum, the certificate directory entry, the table and after. */
export function digestSkips(image: PeImage, size: number): [number, number][] {
  const end = image.certTable ? image.certTable.offset : size;
  const skips: [number, number][] = [[image.checksumOffset, image.checksumOffset + 4]];
  if (image.certDirectoryOffset !== null) skips.push([image.certDirectoryOffset, image.certDirectoryOffset + 8]);
  skips.push([end, Number.MAX_SAFE_INTEGER]);
  return skips.sort((x, y) => x[0] - y[0]);
}

/** Feeds `chunk` (at file `offset`) to `hash`, minus the parts inside `skips` (sorted). */
function updateSkipping(hash: Hash, chunk: Buffer, offset: number, skips: readonly [number, number][]): void {
  let from = offset;
  const end = offset + chunk.length;
  for (const [s, e] of skips) {
    if (e <= from) continue;
    if (s >= end) break;
    if (s > from) hash.update(chunk.subarray(from - offset, s - offset));
    from = Math.max(from, e);
    if (from >= end) return;
  }
  if (from < end) hash.update(chunk.subarray(from - offset));
}

export function missingFacts(reason: ReasonCode, onDisk = false, size: number | null = null): FileFacts {
  return { onDisk, size, sha256: null, pe: false, version: null, signatures: [], minerStrings: [], reasons: [reason] };
}

export function errnoReason(e: unknown): ReasonCode {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR'
    ? 'not_on_disk'
    : code === 'EISDIR'
      ? 'not_regular_file'
      : 'unreadable';
}

export interface FactsInput {
  /** Random access for the PE parser. */
  readonly source: ByteSource;
  /** The first chunk (offset 0). */
  readonly head: Buffer;
  /** Streams every chunk, head first, in order; resolves to the byte count. */
  readonly stream: (onChunk: ChunkSink) => Promise<number>;
}

/** Everything the bytes say, in one pass. */
export async function computeFacts(input: FactsInput, trust: TrustBundle | null): Promise<FileFacts> {
  const reasons: ReasonCode[] = [];
  let image: PeImage | null = null;
  try {
    image = parsePe(new PeView(input.source, input.head));
  } catch (e) {
    if (!(e instanceof PeError)) throw e;
    reasons.push('not_pe');
  }
  const fileHash = createHash('sha256');
  const digests = new Map<string, Hash>();
  let skips: [number, number][] = [];
  if (image) {
    for (const alg of digestAlgorithmsIn(image)) digests.set(alg, createHash(alg));
    skips = digestSkips(image, input.source.size);
  }
  const scan = minerStringMatcher().scan();
  const size = await input.stream((chunk, offset) => {
    scan.feed(chunk);
    fileHash.update(chunk);
    for (const h of digests.values()) updateSkipping(h, chunk, offset, skips);
  });
  let signatures: SignatureFact[] = [];
  let version: Record<string, string> | null = null;
  if (image) {
    if (image.warnings.length > 0) reasons.push('pe_damaged');
    const precomputed = new Map([...digests].map(([alg, h]) => [alg, h.digest()] as const));
    // Every digest the signatures name was computed in the pass; the buffer is never read.
    signatures = verifyAuthenticode(Buffer.alloc(0), image, trust, precomputed).map((s) => ({
      status: s.status,
      signerSubject: s.signerSubject,
      signerIssuer: s.signerIssuer,
      digestAlgorithm: s.digestAlgorithm,
      timestamp: s.timestamp,
    }));
    // US English first, as Explorer shows it; otherwise the first table the file holds.
    const table = image.versionInfo.find((v) => v.language.startsWith('0409')) ?? image.versionInfo[0];
    if (table) version = { ...table.strings };
  }
  return {
    onDisk: true,
    size,
    sha256: fileHash.digest('hex'),
    pe: image !== null,
    version,
    signatures,
    minerStrings: scan.results(),
    reasons,
  };
}

/** Facts of bytes already in memory (tests, fuzzing); the same pass as for a file. */
export function factsFromBytes(buf: Buffer, trust: TrustBundle | null): Promise<FileFacts> {
  return computeFacts(
    {
      source: bufferSource(buf),
      head: buf.subarray(0, Math.min(buf.length, 1024 * 1024)),
      stream: (onChunk) => streamBuffer(buf, onChunk),
    },
    trust,
  );
}
