// Thrift's binary protocol over a buffered (unframed) byte stream, as osqueryd
// speaks it: strict message headers, no length prefix.
//
// Without a length prefix, the only way to know where a message ends is to
// walk it. The stock `thrift` node transport does that by decoding the whole
// message and, on underrun, rolling back and decoding again when the next
// chunk arrives: quadratic on large results, and it trusts declared sizes
// (a 2^31-element list header makes it loop or allocate before it notices).
// So framing is done here by MessageFramer, a resumable scanner that walks
// types and lengths without decoding, remembers where it stopped, enforces
// the limits on every declared size as soon as it sees it, and hands out a
// message only when all of its bytes are buffered. Decoding then runs once,
// over a complete Buffer, through BinaryReader; a truncated field there is a
// bug or a lie, never a reason to wait.
//
// BinaryWriter/BinaryReader implement the protocol methods the generated
// code calls, writing straight into one growable buffer (the stock protocol
// allocates a Buffer per field) and reading i64 as exact bigint.
import { TType, MessageType, toBigInt64, type I64Like, type ProtocolReader, type ProtocolWriter, type ClientTransport } from '../protocol/index.js';

const VERSION_1 = 0x80010000 | 0;
const VERSION_MASK = 0xffff0000 | 0;

/** The peer sent bytes that are not a message we accept; the connection must close. */
export class WireError extends Error {
  override name = 'WireError';
}

export interface WireLimits {
  /** Bytes buffered per connection (incomplete plus unprocessed messages). */
  readonly maxBufferedBytes: number;
  /** Largest declared string/binary length. */
  readonly maxStringBytes: number;
  /** Largest declared element count of one list, set or map. */
  readonly maxContainerItems: number;
  /** Deepest nesting of structs and containers. */
  readonly maxDepth: number;
  /**
   * How long a message may stay incomplete before the connection is closed
   * (0: no limit). A peer that sends half a request and goes quiet would
   * otherwise hold one of the server's few connection slots for good.
   */
  readonly maxIncompleteMs: number;
  /**
   * How long a connection may go without a whole message, counted from
   * accept and from each reply, never from a first byte (0: no limit).
   * osqueryd opens a connection per call and writes at once.
   */
  readonly maxIdleMs: number;
}

/**
 * Defaults for a server answering osqueryd: its requests are small (a table
 * name and a query context), so 16 MiB is generous and bounds what a hostile
 * local client can make us hold.
 */
export const SERVER_LIMITS: WireLimits = {
  maxBufferedBytes: 16 * 1024 * 1024,
  maxStringBytes: 16 * 1024 * 1024,
  maxContainerItems: 4 * 1024 * 1024,
  maxDepth: 32,
  maxIncompleteMs: 30_000,
  maxIdleMs: 10_000,
};

/** A client receives whole query results (osqueryd's processes table, say); allow more. */
export const CLIENT_LIMITS: WireLimits = {
  maxBufferedBytes: 512 * 1024 * 1024,
  maxStringBytes: 64 * 1024 * 1024,
  maxContainerItems: 64 * 1024 * 1024,
  maxDepth: 32,
  // Replies are bounded by each call's own deadline instead.
  maxIncompleteMs: 0,
  maxIdleMs: 0,
};

/** Longest method name we accept in a message header (osquery's are short). */
const MAX_METHOD_NAME = 256;

/** Minimum encoded size of a value of each type: the bound for declared counts. */
function minSize(type: number): number {
  switch (type) {
    case TType.BOOL:
    case TType.BYTE:
    case TType.STRUCT:
      return 1;
    case TType.I16:
      return 2;
    case TType.I32:
    case TType.STRING:
      return 4;
    case TType.LIST:
    case TType.SET:
      return 5;
    case TType.MAP:
      return 6;
    case TType.I64:
    case TType.DOUBLE:
      return 8;
    case TType.UUID:
      return 16;
    default:
      return -1;
  }
}

function fixedSize(type: number): number {
  switch (type) {
    case TType.BOOL:
    case TType.BYTE:
      return 1;
    case TType.I16:
      return 2;
    case TType.I32:
      return 4;
    case TType.I64:
    case TType.DOUBLE:
      return 8;
    case TType.UUID:
      return 16;
    default:
      return 0;
  }
}

const FRAME_STRUCT = 0;
const FRAME_LIST = 1;
const FRAME_MAP = 2;
interface Frame {
  kind: number;
  /** Values left: elements for a list/set, keys + values for a map. */
  remaining: number;
  ktype: number;
  vtype: number;
}

/**
 * Splits a byte stream into complete Thrift messages. push() appends bytes;
 * next() returns the next complete message or null. A returned Buffer is a
 * view into internal storage, valid until the next push(): decode it at once.
 * Both throw WireError when the stream breaks a rule or a limit.
 */
export class MessageFramer {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  // Scan state of the message that begins at `start`.
  private inBody = false;
  private pos = 0;
  private pending = -1;
  private readonly stack: Frame[] = [];

  constructor(private readonly limits: WireLimits) {}

  /** Bytes held: the partial message plus unread messages. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const held = this.end - this.start;
    if (held + chunk.length > this.limits.maxBufferedBytes) {
      throw new WireError(`peer sent more than ${this.limits.maxBufferedBytes} bytes without completing a message`);
    }
    if (this.end + chunk.length > this.buf.length) {
      if (held + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const size = Math.min(this.limits.maxBufferedBytes, Math.max(held + chunk.length, this.buf.length * 2, 4096));
        const next = Buffer.allocUnsafe(size);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.end = held;
      this.start = 0;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  next(): Buffer | null {
    if (!this.scan()) return null;
    const msg = this.buf.subarray(this.start, this.start + this.pos);
    this.start += this.pos;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      // Drop a large buffer once idle so one big message does not pin memory.
      if (this.buf.length > 1024 * 1024) this.buf = Buffer.alloc(0);
    }
    this.inBody = false;
    this.pos = 0;
    this.pending = -1;
    this.stack.length = 0;
    return msg;
  }

  /** Advances the scan; true when a whole message starting at `start` is buffered. */
  private scan(): boolean {
    const buf = this.buf;
    const base = this.start;
    const avail = this.end - base;
    if (!this.inBody) {
      if (avail < 8) return false;
      const version = buf.readInt32BE(base);
      if (version >= 0) throw new WireError('message without a strict binary-protocol header');
      if ((version & VERSION_MASK) !== VERSION_1) throw new WireError(`bad protocol version 0x${(version >>> 0).toString(16)}`);
      const mtype = version & 0xff;
      if (mtype < MessageType.CALL || mtype > MessageType.ONEWAY) throw new WireError(`bad message type ${mtype}`);
      const nameLen = buf.readInt32BE(base + 4);
      if (nameLen < 0 || nameLen > MAX_METHOD_NAME) throw new WireError(`bad method name length ${nameLen}`);
      if (avail < 12 + nameLen) return false;
      this.pos = 12 + nameLen;
      this.stack.push({ kind: FRAME_STRUCT, remaining: 0, ktype: 0, vtype: 0 });
      this.inBody = true;
    }
    const stack = this.stack;
    for (;;) {
      if (this.pending >= 0) {
        if (!this.skipValue(this.pending, buf, base, avail)) return false;
        this.pending = -1;
        continue;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) return true;
      if (top.kind === FRAME_STRUCT) {
        if (this.pos + 1 > avail) return false;
        const t = buf[base + this.pos]!;
        if (t === TType.STOP) {
          this.pos += 1;
          stack.pop();
          continue;
        }
        if (minSize(t) < 0) throw new WireError(`bad field type ${t}`);
        if (this.pos + 3 > avail) return false;
        this.pos += 3;
        this.pending = t;
        continue;
      }
      if (top.remaining === 0) {
        stack.pop();
        continue;
      }
      // Fast path for runs of strings and fixed-size values (a result set is
      // a list of string→string maps): walk them without the pending machinery.
      if (this.skipFlat(top, buf, base, avail)) continue;
      top.remaining -= 1;
      this.pending = top.kind === FRAME_MAP ? (top.remaining % 2 === 1 ? top.ktype : top.vtype) : top.ktype;
    }
  }

  /** Consumes one value of `type` (or opens its frame); false when more bytes are needed. */
  private skipValue(type: number, buf: Buffer, base: number, avail: number): boolean {
    const fixed = fixedSize(type);
    if (fixed > 0) {
      if (this.pos + fixed > avail) return false;
      this.pos += fixed;
      return true;
    }
    switch (type) {
      case TType.STRING: {
        if (this.pos + 4 > avail) return false;
        const len = buf.readInt32BE(base + this.pos);
        if (len < 0) throw new WireError(`negative string length ${len}`);
        if (len > this.limits.maxStringBytes) throw new WireError(`declared string length ${len} exceeds ${this.limits.maxStringBytes}`);
        if (this.pos + 4 + len > avail) {
          if (4 + len > this.limits.maxBufferedBytes) throw new WireError(`declared string length ${len} exceeds the buffer limit`);
          return false;
        }
        this.pos += 4 + len;
        return true;
      }
      case TType.STRUCT:
        this.enter();
        this.stack.push({ kind: FRAME_STRUCT, remaining: 0, ktype: 0, vtype: 0 });
        return true;
      case TType.MAP: {
        if (this.pos + 6 > avail) return false;
        const k = buf[base + this.pos]!;
        const v = buf[base + this.pos + 1]!;
        const size = buf.readInt32BE(base + this.pos + 2);
        this.checkContainer(size, size > 0 ? [k, v] : []);
        this.enter();
        this.pos += 6;
        this.stack.push({ kind: FRAME_MAP, remaining: size * 2, ktype: k, vtype: v });
        return true;
      }
      case TType.LIST:
      case TType.SET: {
        if (this.pos + 5 > avail) return false;
        const e = buf[base + this.pos]!;
        const size = buf.readInt32BE(base + this.pos + 1);
        this.checkContainer(size, size > 0 ? [e] : []);
        this.enter();
        this.pos += 5;
        this.stack.push({ kind: FRAME_LIST, remaining: size, ktype: e, vtype: 0 });
        return true;
      }
      default:
        throw new WireError(`bad value type ${type}`);
    }
  }

  /** Consumes as many flat elements of `frame` as are buffered; false when none could be. */
  private skipFlat(frame: Frame, buf: Buffer, base: number, avail: number): boolean {
    const k = frame.ktype;
    const v = frame.kind === FRAME_MAP ? frame.vtype : k;
    const kFixed = fixedSize(k);
    const vFixed = fixedSize(v);
    if ((kFixed === 0 && k !== TType.STRING) || (vFixed === 0 && v !== TType.STRING)) return false;
    const maxString = this.limits.maxStringBytes;
    let pos = this.pos;
    let remaining = frame.remaining;
    const start = remaining;
    while (remaining > 0) {
      // A map's values alternate key, value, counted down from an even number.
      const type = frame.kind === FRAME_MAP && remaining % 2 === 1 ? v : k;
      const fixed = type === k ? kFixed : vFixed;
      if (fixed > 0) {
        if (pos + fixed > avail) break;
        pos += fixed;
      } else {
        if (pos + 4 > avail) break;
        const len = buf.readInt32BE(base + pos);
        if (len < 0) throw new WireError(`negative string length ${len}`);
        if (len > maxString) throw new WireError(`declared string length ${len} exceeds ${maxString}`);
        if (pos + 4 + len > avail) break;
        pos += 4 + len;
      }
      remaining -= 1;
    }
    this.pos = pos;
    frame.remaining = remaining;
    return remaining !== start;
  }

  private enter(): void {
    if (this.stack.length >= this.limits.maxDepth) throw new WireError(`nesting deeper than ${this.limits.maxDepth}`);
  }

  private checkContainer(size: number, types: number[]): void {
    if (size < 0) throw new WireError(`negative container size ${size}`);
    if (size > this.limits.maxContainerItems) throw new WireError(`declared container size ${size} exceeds ${this.limits.maxContainerItems}`);
    let per = 0;
    for (const t of types) {
      const m = minSize(t);
      if (m < 0) throw new WireError(`bad container element type ${t}`);
      per += m;
    }
    if (size * per > this.limits.maxBufferedBytes) {
      throw new WireError(`declared container of ${size} elements cannot fit in ${this.limits.maxBufferedBytes} bytes`);
    }
  }
}

/** Big-endian i32 without Buffer#writeInt32BE's argument checks (hot path: twice per cell). */
function putI32(buf: Buffer, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** A growable output buffer; the transport that generated clients flush. */
export class ByteSink implements ClientTransport {
  buf: Buffer;
  len = 0;

  constructor(
    private readonly onFlush: (bytes: Buffer) => void,
    initial = 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Hands the bytes written so far to the owner and starts afresh. */
  flush(): void {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(Math.min(this.buf.length, 64 * 1024));
    this.len = 0;
    this.onFlush(out);
  }
}

export class BinaryWriter implements ProtocolWriter {
  constructor(readonly sink: ByteSink) {}

  writeMessageBegin(name: string, type: number, seqid: number): void {
    this.writeI32(VERSION_1 | type);
    this.writeString(name);
    this.writeI32(seqid);
  }
  writeMessageEnd(): void {}
  writeStructBegin(_name: string): void {}
  writeStructEnd(): void {}
  writeFieldBegin(_name: string, type: number, id: number): void {
    const s = this.sink;
    s.reserve(3);
    s.buf[s.len] = type;
    s.buf.writeInt16BE(id, s.len + 1);
    s.len += 3;
  }
  writeFieldEnd(): void {}
  writeFieldStop(): void {
    this.writeByte(TType.STOP);
  }
  writeMapBegin(ktype: number, vtype: number, size: number): void {
    const s = this.sink;
    s.reserve(6);
    s.buf[s.len] = ktype;
    s.buf[s.len + 1] = vtype;
    putI32(s.buf, s.len + 2, size);
    s.len += 6;
  }
  writeMapEnd(): void {}
  /** A map header whose count is not known yet; returns where to patchCount() it. */
  writeMapBeginDeferred(ktype: number, vtype: number): number {
    this.writeMapBegin(ktype, vtype, 0);
    return this.sink.len - 4;
  }
  patchCount(at: number, count: number): void {
    putI32(this.sink.buf, at, count);
  }
  writeListBegin(etype: number, size: number): void {
    const s = this.sink;
    s.reserve(5);
    s.buf[s.len] = etype;
    s.buf.writeInt32BE(size, s.len + 1);
    s.len += 5;
  }
  writeListEnd(): void {}
  writeSetBegin(etype: number, size: number): void {
    this.writeListBegin(etype, size);
  }
  writeSetEnd(): void {}
  writeBool(value: boolean): void {
    this.writeByte(value ? 1 : 0);
  }
  writeByte(value: number): void {
    const s = this.sink;
    s.reserve(1);
    s.buf.writeInt8(((value << 24) >> 24), s.len);
    s.len += 1;
  }
  writeI16(value: number): void {
    const s = this.sink;
    s.reserve(2);
    s.buf.writeInt16BE((value << 16) >> 16, s.len);
    s.len += 2;
  }
  writeI32(value: number): void {
    const s = this.sink;
    s.reserve(4);
    s.buf.writeInt32BE(value | 0, s.len);
    s.len += 4;
  }
  writeI64(value: I64Like): void {
    const s = this.sink;
    s.reserve(8);
    s.buf.writeBigInt64BE(toBigInt64(value), s.len);
    s.len += 8;
  }
  writeDouble(value: number): void {
    const s = this.sink;
    s.reserve(8);
    s.buf.writeDoubleBE(value, s.len);
    s.len += 8;
  }
  writeString(value: string | Uint8Array): void {
    const s = this.sink;
    if (typeof value !== 'string') {
      const n = value.length;
      s.reserve(4 + n);
      const buf = s.buf;
      putI32(buf, s.len, n);
      const at = s.len + 4;
      // Short byte strings (column names, per cell) copy faster in a loop than via a native call.
      if (n <= 32) for (let i = 0; i < n; i++) buf[at + i] = value[i]!;
      else buf.set(value, at);
      s.len = at + n;
      return;
    }
    const len = value.length;
    if (len <= 32) {
      // Most cells are short ASCII; copying char codes beats a native call per cell.
      s.reserve(4 + len * 3);
      const buf = s.buf;
      const at = s.len + 4;
      let i = 0;
      for (; i < len; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      const n = i === len ? len : buf.write(value, at, 'utf8');
      putI32(buf, s.len, n);
      s.len += 4 + n;
      return;
    }
    // Otherwise reserve the worst case and write once; very long ones: measure first.
    const max = len <= 4096 ? len * 3 : Buffer.byteLength(value, 'utf8');
    s.reserve(4 + max);
    const n = s.buf.write(value, s.len + 4, 'utf8');
    s.buf.writeInt32BE(n, s.len);
    s.len += 4 + n;
  }
  writeBinary(value: string | Uint8Array): void {
    this.writeString(typeof value === 'string' ? Buffer.from(value, 'binary') : value);
  }
  flush(): void {
    this.sink.flush();
  }
  /** Forgets everything written since the last flush. */
  reset(): void {
    this.sink.len = 0;
  }
}

/** Reads one complete message (as cut by MessageFramer); running past its end is a WireError. */
export class BinaryReader implements ProtocolReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly limits: WireLimits = SERVER_LIMITS,
  ) {}

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) throw new WireError('truncated message');
    this.pos = at + n;
    return at;
  }

  readMessageBegin(): { fname: string; mtype: number; rseqid: number } {
    const version = this.readI32();
    if (version >= 0 || (version & VERSION_MASK) !== VERSION_1) throw new WireError('message without a strict binary-protocol header');
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
    return this.buf.readInt32BE(this.need(4));
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
    const len = buf.readInt32BE(at);
    if (len < 0 || len > this.limits.maxStringBytes) throw new WireError(`bad string length ${len}`);
    const end = at + 4 + len;
    if (end > buf.length) throw new WireError('truncated message');
    this.pos = end;
    return len === 0 ? '' : buf.toString('utf8', at + 4, end);
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
  private readonly keyCache: { bytes: Buffer; text: string }[] = [];

  /** True (and the key consumed) when the next string's bytes equal `cached`. */
  private matches(cached: { bytes: Buffer; text: string }): boolean {
    const buf = this.buf;
    const at = this.pos;
    const want = cached.bytes;
    const len = want.length;
    if (at + 4 + len > buf.length || buf.readInt32BE(at) !== len) return false;
    for (let j = 0; j < len; j++) if (buf[at + 4 + j] !== want[j]) return false;
    this.pos = at + 4 + len;
    return true;
  }

  private cacheKey(i: number): string {
    const start = this.pos + 4;
    const text = this.readString();
    if (i < 256 && this.pos - start <= 64) this.keyCache[i] = { bytes: Buffer.from(this.buf.subarray(start, this.pos)), text };
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
