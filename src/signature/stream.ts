// Reading a file for the checker in one sequential pass with bounded memory:
// chunks are read into two alternating buffers (the next read is in flight
// while the previous chunk is hashed and scanned), and the PE parser gets a
// random-access view that reads only the ranges it asks for (headers, the
// version resource, the certificate table) under a byte budget. Nothing
// holds the whole file, whatever its size.
import { constants as fsc, fstatSync, readSync, type BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { PeError, type PeBytes } from '../pe/pe.js';

/** Sequential read size: large enough for disk and hash throughput, small enough to bound memory. */
export const CHUNK_BYTES = 1024 * 1024;
/** Bytes the PE view may read beyond the first chunk (resource walk, certificate table). */
export const PE_VIEW_BUDGET = 8 * 1024 * 1024;
/** Granule of the view's reads: neighbouring resource entries share one read. */
const VIEW_BLOCK = 64 * 1024;

/** What identifies a file's content for caching: any write moves size, mtime or ctime. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export function identityOf(st: BigIntStats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

export function identityKey(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.size}:${id.mtimeNs}:${id.ctimeNs}`;
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return identityKey(a) === identityKey(b);
}

/** Random access to the bytes, for the PE parser; reads are synchronous and small. */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `offset` into `into`; returns the count read. */
  readAt(into: Buffer, offset: number, length: number): number;
}

export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    readAt: (into, offset, length) => buf.copy(into, 0, offset, Math.min(buf.length, offset + length)),
  };
}

/**
 * A PeBytes over a ByteSource: the first chunk is kept (headers live there),
 * anything else is read on demand in VIEW_BLOCK granules, at most `budget`
 * bytes in all. Past the budget a read throws PeError, which the parser
 * records as damage: a hostile table cannot make us read the whole file.
 */
export class PeView implements PeBytes {
  readonly length: number;
  private readonly regions: { start: number; bytes: Buffer }[] = [];
  private spent = 0;

  constructor(
    private readonly source: ByteSource,
    head: Buffer,
    private readonly budget: number = PE_VIEW_BUDGET,
  ) {
    this.length = source.size;
    this.regions.push({ start: 0, bytes: head });
  }

  private find(start: number, end: number): Buffer | null {
    for (const r of this.regions) {
      if (start >= r.start && end <= r.start + r.bytes.length) return r.bytes.subarray(start - r.start, end - r.start);
    }
    return null;
  }

  private load(start: number, end: number): Buffer {
    if (start < 0 || end > this.length || start > end)
      throw new PeError(`read of ${start}..${end} is outside the file (${this.length} bytes)`);
    const found = this.find(start, end);
    if (found) return found;
    const from = start - (start % VIEW_BLOCK);
    const to = Math.min(this.length, Math.max(end, from + VIEW_BLOCK));
    if (this.spent + (to - from) > this.budget) throw new PeError(`PE structures need more than ${this.budget} bytes`);
    const bytes = Buffer.allocUnsafe(to - from);
    const n = this.source.readAt(bytes, from, to - from);
    this.spent += to - from;
    // A file that shrank under us: what is gone reads as missing.
    if (n < end - from) throw new PeError(`file ended at ${from + n} while reading ${start}..${end}`);
    this.regions.push({ start: from, bytes: bytes.subarray(0, n) });
    return bytes.subarray(start - from, end - from);
  }

  readUInt16LE(offset: number): number {
    return this.load(offset, offset + 2).readUInt16LE(0);
  }

  readUInt32LE(offset: number): number {
    return this.load(offset, offset + 4).readUInt32LE(0);
  }

  subarray(start: number, end: number): Buffer {
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    return this.load(s, e);
  }
}

/** Consumes a chunk at a file offset (its bytes are reused after: copy what must be kept); a returned promise asks the reader to wait. */
export type ChunkSink = (chunk: Buffer, offset: number) => Promise<void> | void;

/** A regular file opened for one check: its identity, and sequential and random reads. */
export interface OpenedFile extends ByteSource {
  readonly identity: FileIdentity;
  /** Re-reads the identity (to notice a write during the read). */
  restat(): FileIdentity;
  /** The first chunk (at most CHUNK_BYTES from offset 0). */
  head(): Promise<Buffer>;
  /** Calls onChunk for every chunk in order; `head` (already read at offset 0) is handed over first. */
  stream(head: Buffer, maxBytes: number, onChunk: ChunkSink): Promise<number>;
  close(): Promise<void>;
}

export type OpenOutcome =
  | { readonly kind: 'file'; readonly file: OpenedFile }
  | { readonly kind: 'not_regular_file' }
  | { readonly kind: 'changed' };

/**
 * Opens a regular file. O_NONBLOCK so a path swapped for a FIFO after the
 * caller's stat cannot hang us; fstat confirms a regular file and, when
 * given, the identity the caller saw (else 'changed').
 */
export async function openRegular(path: string, expect?: FileIdentity): Promise<OpenOutcome> {
  const fh = await open(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  let keep = false;
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) return { kind: 'not_regular_file' };
    const identity = identityOf(st);
    if (expect && !sameIdentity(expect, identity)) return { kind: 'changed' };
    keep = true;
    return { kind: 'file', file: openedFile(fh, identity) };
  } finally {
    if (!keep) await fh.close();
  }
}

function openedFile(fh: FileHandle, identity: FileIdentity): OpenedFile {
  return {
    identity,
    size: identity.size,
    readAt: (into, offset, length) => {
      let got = 0;
      while (got < length) {
        const n = readSync(fh.fd, into, got, length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    },
    restat: () => identityOf(fstatSync(fh.fd, { bigint: true })),
    head: async () => {
      const head = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, identity.size));
      let got = 0;
      while (got < head.length) {
        const { bytesRead } = await fh.read(head, got, head.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return head.subarray(0, got);
    },
    stream: (head, maxBytes, onChunk) => streamHandle(fh, head, maxBytes, onChunk),
    close: () => fh.close(),
  };
}

/**
 * Chunk buffers of finished streams, reused: a fresh 1 MiB buffer per chunk
 * pair costs page faults and, as external memory, makes V8 collect early.
 * At most POOLED are kept (4 MiB), whatever the number of concurrent reads.
 */
const pool: Buffer[] = [];
const POOLED = 4;

async function streamHandle(fh: FileHandle, head: Buffer, maxBytes: number, onChunk: ChunkSink): Promise<number> {
  const buffers = [pool.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES), pool.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)];
  // On a throw a read may still be filling one of them: they are dropped, not pooled.
  const total = await streamInto(fh, buffers, head, maxBytes, onChunk);
  for (const b of buffers) if (pool.length < POOLED) pool.push(b);
  return total;
}

async function streamInto(
  fh: FileHandle,
  buffers: Buffer[],
  head: Buffer,
  maxBytes: number,
  onChunk: ChunkSink,
): Promise<number> {
  let which = 0;
  let at = head.length;
  const readInto = async (buf: Buffer, pos: number): Promise<number> =>
    pos >= maxBytes ? 0 : (await fh.read(buf, 0, Math.min(buf.length, maxBytes - pos), pos)).bytesRead;
  // The next read is issued before the current chunk is handed on, so hashing overlaps the I/O.
  let pending = head.length === 0 || head.length < CHUNK_BYTES ? Promise.resolve(0) : readInto(buffers[which], at);
  if (head.length > 0) await onChunk(head, 0);
  for (;;) {
    const n = await pending;
    if (n === 0) break; // end of file, or the file shrank while we read: judge what is there
    const chunk = buffers[which].subarray(0, n);
    const offset = at;
    at += n;
    which ^= 1;
    pending = readInto(buffers[which], at);
    const wait = onChunk(chunk, offset);
    if (wait) await wait;
  }
  return at;
}

/** Streams a Buffer as if it were a file (for bytes already in memory). */
export async function streamBuffer(buf: Buffer, onChunk: ChunkSink): Promise<number> {
  for (let off = 0; off < buf.length; off += CHUNK_BYTES) await onChunk(buf.subarray(off, off + CHUNK_BYTES), off);
  return buf.length;
}

/** SHA-256 of a regular file through the checker's read path (one pass, two chunk buffers); null when not a regular file. */
export async function sha256OfFile(path: string, maxBytes: number): Promise<string | null> {
  const opened = await openRegular(path);
  if (opened.kind !== 'file') return null;
  try {
    const hash = createHash('sha256');
    const head = await opened.file.head();
    await opened.file.stream(head, maxBytes, (chunk) => void hash.update(chunk));
    return hash.digest('hex');
  } finally {
    await opened.file.close();
  }
}
