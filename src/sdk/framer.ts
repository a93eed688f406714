// Splits an unframed byte stream into whole Thrift messages by walking types
// and lengths without decoding, resumably (docs/wire.md: why not the stock transport).
import { MessageType, TType } from '../protocol/index.js';
import {
  MAX_METHOD_NAME,
  VERSION_1,
  VERSION_MASK,
  WireError,
  fixedSize,
  getI32,
  minSize,
  type WireLimits,
} from './wire.js';

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
 * One large buffer shared by the process's framers, handed over when one goes
 * idle: a client connecting per call (as osqueryd does) would otherwise grow a
 * fresh one for every large reply, paying its page faults and forced GCs.
 */
let spare: Buffer | null = null;
/** Buffers at least this large are passed on, not dropped; up to MAX_SPARE_BYTES. */
const MIN_SPARE_BYTES = 1024 * 1024;
const MAX_SPARE_BYTES = 32 * 1024 * 1024;

/** A string or fixed-size type: values walked in a flat loop. */
function isFlat(type: number): boolean {
  return type === TType.STRING || fixedSize(type) > 0;
}

/**
 * Splits a byte stream into complete Thrift messages. push() appends bytes;
 * next() returns the next complete message or null. A returned Buffer is a
 * view into storage that may pass to another framer: valid until the next
 * push() to any framer, so decode it at once.
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
        const next = takeSpare(size, held + chunk.length, this.limits.maxBufferedBytes) ?? Buffer.allocUnsafe(size);
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
      // A large buffer leaves once idle: this connection may never need it again.
      if (this.buf.length >= MIN_SPARE_BYTES) {
        if (this.buf.length <= MAX_SPARE_BYTES && (spare === null || spare.length < this.buf.length)) spare = this.buf;
        this.buf = Buffer.alloc(0);
      }
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
      if ((version & VERSION_MASK) !== VERSION_1)
        throw new WireError(`bad protocol version 0x${(version >>> 0).toString(16)}`);
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
      // Fast paths: a run of flat values, or of flat maps (a result set is a
      // list of string→string maps), walked without a frame per element.
      if (top.kind === FRAME_LIST && top.ktype === TType.MAP) {
        if (this.skipFlatMaps(top, buf, base, avail)) continue;
      } else if (this.skipFlat(top, buf, base, avail)) continue;
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
        const end = this.stringEnd(this.pos, buf, base, avail);
        if (end < 0) return false;
        this.pos = end;
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
        const size = getI32(buf, base + this.pos + 2);
        this.checkContainer(size, k, v);
        this.enter();
        this.pos += 6;
        this.stack.push({ kind: FRAME_MAP, remaining: size * 2, ktype: k, vtype: v });
        return true;
      }
      case TType.LIST:
      case TType.SET: {
        if (this.pos + 5 > avail) return false;
        const e = buf[base + this.pos]!;
        const size = getI32(buf, base + this.pos + 1);
        this.checkContainer(size, e, -1);
        this.enter();
        this.pos += 5;
        this.stack.push({ kind: FRAME_LIST, remaining: size, ktype: e, vtype: 0 });
        return true;
      }
      default:
        throw new WireError(`bad value type ${type}`);
    }
  }

  /** Where the string at `pos` ends, or -1 when it is not all buffered; throws on a bad length. */
  private stringEnd(pos: number, buf: Buffer, base: number, avail: number): number {
    if (pos + 4 > avail) return -1;
    const len = getI32(buf, base + pos);
    if (len < 0) throw new WireError(`negative string length ${len}`);
    if (len > this.limits.maxStringBytes)
      throw new WireError(`declared string length ${len} exceeds ${this.limits.maxStringBytes}`);
    if (pos + 4 + len > avail) {
      if (4 + len > this.limits.maxBufferedBytes)
        throw new WireError(`declared string length ${len} exceeds the buffer limit`);
      return -1;
    }
    return pos + 4 + len;
  }

  /** Consumes as many flat elements of `frame` as are buffered; false when none could be. */
  private skipFlat(frame: Frame, buf: Buffer, base: number, avail: number): boolean {
    const k = frame.ktype;
    const v = frame.kind === FRAME_MAP ? frame.vtype : k;
    if (!isFlat(k) || !isFlat(v)) return false;
    const start = frame.remaining;
    const pair = frame.kind === FRAME_MAP;
    const r = this.walkFlat(
      pair ? (start % 2 === 1 ? v : k) : k,
      pair ? (start % 2 === 1 ? k : v) : k,
      start,
      this.pos,
      buf,
      base,
      avail,
    );
    frame.remaining = r;
    return r !== start;
  }

  /**
   * Walks up to `count` flat values alternating types `a`, `b` (a list's
   * elements: a = b) from `pos`; leaves `this.pos` after the last whole one
   * and returns how many are left.
   */
  private walkFlat(a: number, b: number, count: number, pos: number, buf: Buffer, base: number, avail: number): number {
    const aFixed = fixedSize(a);
    const bFixed = fixedSize(b);
    let left = count;
    let odd = false;
    while (left > 0) {
      const fixed = odd ? bFixed : aFixed;
      if (fixed > 0) {
        if (pos + fixed > avail) break;
        pos += fixed;
      } else {
        const end = this.stringEnd(pos, buf, base, avail);
        if (end < 0) break;
        pos = end;
      }
      odd = !odd;
      left -= 1;
    }
    this.pos = pos;
    return left;
  }

  /**
   * Consumes the whole buffered maps of flat keys and values in a list; a map
   * cut short is entered as a frame, to be resumed. False when none could be.
   */
  private skipFlatMaps(list: Frame, buf: Buffer, base: number, avail: number): boolean {
    const start = list.remaining;
    while (list.remaining > 0) {
      const at = this.pos;
      if (at + 6 > avail) break;
      const k = buf[base + at]!;
      const v = buf[base + at + 1]!;
      if (!isFlat(k) || !isFlat(v)) break;
      const size = getI32(buf, base + at + 2);
      this.checkContainer(size, k, v);
      this.enter();
      const left = this.walkFlat(k, v, size * 2, at + 6, buf, base, avail);
      list.remaining -= 1;
      if (left > 0) {
        // The map continues in bytes not yet here.
        this.stack.push({ kind: FRAME_MAP, remaining: left, ktype: k, vtype: v });
        return true;
      }
    }
    return list.remaining !== start;
  }

  private enter(): void {
    if (this.stack.length >= this.limits.maxDepth) throw new WireError(`nesting deeper than ${this.limits.maxDepth}`);
  }

  /** Checks a declared container size against the limits; `v` is -1 for a list or set. */
  private checkContainer(size: number, k: number, v: number): void {
    if (size < 0) throw new WireError(`negative container size ${size}`);
    if (size > this.limits.maxContainerItems)
      throw new WireError(`declared container size ${size} exceeds ${this.limits.maxContainerItems}`);
    if (size === 0) return;
    const mk = minSize(k);
    const mv = v < 0 ? 0 : minSize(v);
    if (mk < 0) throw new WireError(`bad container element type ${k}`);
    if (mv < 0) throw new WireError(`bad container element type ${v}`);
    if (size * (mk + mv) > this.limits.maxBufferedBytes) {
      throw new WireError(`declared container of ${size} elements cannot fit in ${this.limits.maxBufferedBytes} bytes`);
    }
  }
}

/** The shared spare, when a growing message (past 64 KiB) needs `size` bytes, at least `need`, within `max`. */
function takeSpare(size: number, need: number, max: number): Buffer | null {
  const s = spare;
  if (s === null || size < 64 * 1024 || s.length < need || s.length > max) return null;
  spare = null;
  return s;
}
