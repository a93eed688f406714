// Encodes messages straight into one growable buffer (the stock protocol
// allocates a Buffer per field); the result-row hot path writes each cell
// without building a string or an object for it.
import { TType, toBigInt64, type ClientTransport, type I64Like, type ProtocolWriter } from '../protocol/index.js';
import { VERSION_1, putI32 } from './wire.js';

/** Node's Buffer encodes without write()'s argument handling through this (untyped). */
type WriteBuffer = Buffer & { utf8Write(value: string, offset: number, length: number): number };

/** Strings up to this many UTF-16 units are copied by a loop: cheaper than a native call. */
const SHORT_STRING = 48;

/** Powers of ten up to 10^16: the digit count of a safe integer. */
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);

/** "00".."99": two digits per division. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** Writes the digits of `v` (0 <= v < 2^32) so that they end before `end`; returns where they start. */
function putDigits(buf: Uint8Array, end: number, v: number): number {
  let n = v >>> 0;
  while (n >= 100) {
    const q = (n / 100) >>> 0;
    const r = (n - q * 100) * 2;
    buf[--end] = PAIRS[r + 1]!;
    buf[--end] = PAIRS[r]!;
    n = q;
  }
  if (n >= 10) {
    buf[--end] = PAIRS[n * 2 + 1]!;
    buf[--end] = PAIRS[n * 2]!;
  } else buf[--end] = 0x30 + n;
  return end;
}

/** A growable output buffer; the transport that generated clients flush. */
export class ByteSink implements ClientTransport {
  buf: WriteBuffer;
  len = 0;

  /** `initial`: a size, or a buffer to write into (a spare the caller no longer uses). */
  constructor(
    private readonly onFlush: (bytes: Buffer) => void,
    initial: number | Buffer = 1024,
  ) {
    this.buf = (typeof initial === 'number' ? Buffer.allocUnsafe(initial) : initial) as WriteBuffer;
  }

  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size) as WriteBuffer;
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Hands the bytes written so far to the owner and starts afresh. */
  flush(): void {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(Math.min(this.buf.length, 64 * 1024)) as WriteBuffer;
    this.len = 0;
    this.onFlush(out);
  }
}

/** A string as the binary protocol writes it (i32 length, UTF-8 bytes), to be copied with writeRaw(). */
export function encodedString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(4 + bytes.length);
  putI32(out, 0, bytes.length);
  bytes.copy(out, 4);
  return out;
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
    s.buf.writeInt8((value << 24) >> 24, s.len);
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
  /** Bytes already in wire form (an encodedString(), say), copied as they are. */
  writeRaw(bytes: Uint8Array): void {
    const s = this.sink;
    const n = bytes.length;
    s.reserve(n);
    const buf = s.buf;
    const at = s.len;
    // Column names, once per cell: a loop beats a native call at this size.
    if (n <= 32) for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
    else buf.set(bytes, at);
    s.len = at + n;
  }
  /** A safe integer as a string of its decimal digits, as String(value) spells it, without making that string. */
  writeDecimal(value: number): void {
    const s = this.sink;
    s.reserve(4 + 17);
    const buf = s.buf;
    const v = value < 0 ? -value : value;
    let digits = 1;
    while (digits < 16 && v >= POW10[digits]!) digits++;
    let at = s.len + 4;
    putI32(buf, s.len, value < 0 ? digits + 1 : digits);
    if (value < 0) buf[at++] = 0x2d;
    const end = at + digits;
    s.len = end;
    if (v <= 0xffffffff) {
      putDigits(buf, end, v);
      return;
    }
    // Above 32 bits: the low eight digits (zero-padded), then the rest.
    const high = Math.floor(v / 1e8);
    const from = putDigits(buf, end, v - high * 1e8);
    buf.fill(0x30, end - 8, from);
    putDigits(buf, end - 8, high);
  }
  /**
   * A list<map<string,string>> of result rows in one loop: per row, the
   * columns whose value is neither null nor undefined, under their
   * pre-encoded `keys`; a string as it is, a safe integer as its decimal
   * digits, anything else as `text` spells it (undefined: left out, NULL).
   */
  writeStringMaps(
    rows: readonly Readonly<Record<string, unknown>>[],
    names: readonly string[],
    keys: readonly Uint8Array[],
    text: (value: unknown) => string | undefined,
  ): void {
    const s = this.sink;
    this.writeListBegin(TType.MAP, rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      s.reserve(6);
      const head = s.len;
      s.buf[head] = TType.STRING;
      s.buf[head + 1] = TType.STRING;
      s.len = head + 6;
      let count = 0;
      for (let i = 0; i < names.length; i++) {
        const value = row[names[i]!];
        if (value === undefined || value === null) continue;
        const key = keys[i]!;
        if (typeof value === 'number' && Number.isSafeInteger(value)) {
          this.writeRaw(key);
          this.writeDecimal(value);
        } else {
          const str = typeof value === 'string' ? value : text(value);
          if (str === undefined) continue;
          this.writeRaw(key);
          this.writeString(str);
        }
        count += 1;
      }
      putI32(s.buf, head + 2, count);
      // Once the first row shows the size of one, reserve for all (not repeated doubling copies).
      if (r === 0) s.reserve(Math.min((s.len - head) * rows.length * 1.25, 256 * 1024 * 1024));
    }
  }
  writeString(value: string | Uint8Array): void {
    if (typeof value !== 'string') {
      const s = this.sink;
      s.reserve(4);
      putI32(s.buf, s.len, value.length);
      s.len += 4;
      this.writeRaw(value);
      return;
    }
    const s = this.sink;
    const len = value.length;
    if (len <= SHORT_STRING) {
      // Most cells are short ASCII: char codes are bytes; anything else is written again as UTF-8.
      s.reserve(4 + len * 3);
      const buf = s.buf;
      const at = s.len + 4;
      let i = 0;
      for (; i < len; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      const n = i === len ? len : buf.utf8Write(value, at, len * 3);
      putI32(buf, s.len, n);
      s.len = at + n;
      return;
    }
    // Longer: reserve the worst case and write once; very long ones: measure first.
    const max = len <= 4096 ? len * 3 : Buffer.byteLength(value, 'utf8');
    s.reserve(4 + max);
    const n = s.buf.utf8Write(value, s.len + 4, max);
    putI32(s.buf, s.len, n);
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
