// Decodes one whole message, as cut by the framer: running past its end is a
// lie or a bug, never a reason to wait. i64 is read as exact bigint.
import { TType, type ProtocolReader } from '../protocol/index.js';
import { SERVER_LIMITS, VERSION_1, VERSION_MASK, WireError, fixedSize, getI32, type WireLimits } from './wire.js';

/** Node's Buffer decodes without toString()'s argument handling through this (Node >= 0.x, untyped). */
type SliceBuffer = Buffer & { utf8Slice(start: number, end: number): string };

/** A column name already decoded: its bytes, and the string every row shares. */
interface CachedKey {
  readonly bytes: Buffer;
  readonly text: string;
}

export class BinaryReader implements ProtocolReader {
  private pos = 0;
  private readonly buf: SliceBuffer;
  private readonly keyCache: CachedKey[] = [];

  constructor(
    buf: Buffer,
    private readonly limits: WireLimits = SERVER_LIMITS,
  ) {
    this.buf = buf as SliceBuffer;
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) throw new WireError('truncated message');
    this.pos = at + n;
    return at;
  }

  readMessageBegin(): { fname: string; mtype: number; rseqid: number } {
    const version = this.readI32();
    if (version >= 0 || (version & VERSION_MASK) !== VERSION_1)
      throw new WireError('message without a strict binary-protocol header');
    const fname = this.readString();
    const rseqid = this.readI32();
    return { fname, mtype: version & 0xff, rseqid };
  }
  readMessageEnd(): void {}
  readStructBegin(): { fname: string } {
    return { fname: '' };
  }
  readStructEnd(): void {}
  readFieldBegin(): { fname: string | null; ftype: number; fid: number } {
    const ftype = this.readByte();
    if (ftype === TType.STOP) return { fname: null, ftype, fid: 0 };
    return { fname: null, ftype, fid: this.readI16() };
  }
  readFieldEnd(): void {}
  readMapBegin(): { ktype: number; vtype: number; size: number } {
    const ktype = this.readByte();
    const vtype = this.readByte();
    const size = this.readSize();
    return { ktype, vtype, size };
  }
  readMapEnd(): void {}
  readListBegin(): { etype: number; size: number } {
    const etype = this.readByte();
    return { etype, size: this.readSize() };
  }
  readListEnd(): void {}
  readSetBegin(): { etype: number; size: number } {
    return this.readListBegin();
  }
  readSetEnd(): void {}
  private readSize(): number {
    const size = this.readI32();
    if (size < 0 || size > this.limits.maxContainerItems) throw new WireError(`bad container size ${size}`);
    return size;
  }
  readBool(): boolean {
    return this.readByte() !== 0;
  }
  readByte(): number {
    return this.buf.readInt8(this.need(1));
  }
  readI16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  readI32(): number {
    return getI32(this.buf, this.need(4));
  }
  readI64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  readDouble(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  private readLength(): number {
    const len = this.readI32();
    if (len < 0 || len > this.limits.maxStringBytes) throw new WireError(`bad string length ${len}`);
    return len;
  }
  readString(): string {
    const buf = this.buf;
    const at = this.pos;
    if (at + 4 > buf.length) throw new WireError('truncated message');
    const len = getI32(buf, at);
    if (len < 0 || len > this.limits.maxStringBytes) throw new WireError(`bad string length ${len}`);
    const end = at + 4 + len;
    if (end > buf.length) throw new WireError('truncated message');
    this.pos = end;
    return len === 0 ? '' : buf.utf8Slice(at + 4, end);
  }
  /**
   * The body of a map<string,string> whose header is read (a result row):
   * one tight loop instead of two method calls and checks per cell.
   */
  readStringMapBody(size: number): Record<string, string> {
    const row: Record<string, string> = {};
    const keys = this.keyCache;
    for (let i = 0; i < size; i++) {
      // Keys are column names, the same in every row: reuse the string
      // decoded last time when the bytes match, instead of decoding again.
      const cached = i < keys.length ? keys[i]! : null;
      const key = cached !== null && this.matches(cached) ? cached.text : this.cacheKey(i);
      row[key] = this.readString();
    }
    return row;
  }

  /** True (and the key consumed) when the next string's bytes equal `cached`. */
  private matches(cached: CachedKey): boolean {
    const buf = this.buf;
    const at = this.pos;
    const want = cached.bytes;
    const len = want.length;
    if (at + 4 + len > buf.length || getI32(buf, at) !== len) return false;
    for (let j = 0; j < len; j++) if (buf[at + 4 + j] !== want[j]) return false;
    this.pos = at + 4 + len;
    return true;
  }

  private cacheKey(i: number): string {
    const start = this.pos + 4;
    const text = this.readString();
    if (i < 256 && this.pos - start <= 64)
      this.keyCache[i] = { bytes: Buffer.from(this.buf.subarray(start, this.pos)), text };
    return text;
  }
  readBinary(): Buffer {
    const len = this.readLength();
    const at = this.need(len);
    return Buffer.from(this.buf.subarray(at, at + len));
  }
  skip(type: number, depth = 0): void {
    if (depth > this.limits.maxDepth) throw new WireError('nesting too deep');
    const fixed = fixedSize(type);
    if (fixed > 0) {
      this.need(fixed);
      return;
    }
    switch (type) {
      case TType.STRING:
        this.need(this.readLength());
        return;
      case TType.STRUCT:
        for (;;) {
          const f = this.readFieldBegin();
          if (f.ftype === TType.STOP) return;
          this.skip(f.ftype, depth + 1);
        }
      case TType.MAP: {
        const m = this.readMapBegin();
        for (let i = 0; i < m.size; i++) {
          this.skip(m.ktype, depth + 1);
          this.skip(m.vtype, depth + 1);
        }
        return;
      }
      case TType.LIST:
      case TType.SET: {
        const l = this.readListBegin();
        for (let i = 0; i < l.size; i++) this.skip(l.etype, depth + 1);
        return;
      }
      default:
        throw new WireError(`bad value type ${type}`);
    }
  }
}
