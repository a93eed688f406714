// A small, bounded DER reader: just what Authenticode needs (walk TLVs, read
// OIDs, integers, times and strings, keep the raw bytes of an element so a
// signature can be checked over exactly what was signed). Chosen over a CMS
// library because every length is checked against the enclosing element,
// nothing is decoded eagerly, and hostile input costs at most one pass.

export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  /** Offset of the identifier octet in the buffer. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset one past the last content octet. */
  readonly end: number;
  readonly buf: Buffer;
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the element at `pos`, which must end at or before `limit`. */
export function readTlv(buf: Buffer, pos: number, limit: number = buf.length): Tlv {
  if (limit > buf.length) limit = buf.length;
  if (pos + 2 > limit) throw new DerError(`DER element at ${pos} runs past its container`);
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`DER high tag numbers are not used by Authenticode (at ${pos})`);
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // Indefinite lengths are BER, not DER; more than 4 length octets is absurd here.
    if (n === 0 || n > 4) throw new DerError(`unsupported DER length form at ${pos}`);
    if (p + n > limit) throw new DerError(`DER length at ${pos} runs past its container`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > limit) throw new DerError(`DER element at ${pos} (${len} bytes) runs past its container`);
  return { tag, start: pos, contentStart: p, end: p + len, buf };
}

/** The element's children (it must be constructed). Bounded by `max`. */
export function children(t: Tlv, max = 10_000): Tlv[] {
  if ((t.tag & 0x20) === 0) throw new DerError(`DER element at ${t.start} is not constructed`);
  const out: Tlv[] = [];
  let p = t.contentStart;
  while (p < t.end) {
    if (out.length >= max) throw new DerError(`too many DER elements at ${t.start}`);
    const c = readTlv(t.buf, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new DerError(`${what}: missing`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

export function content(t: Tlv): Buffer {
  return t.buf.subarray(t.contentStart, t.end);
}

export function raw(t: Tlv): Buffer {
  return t.buf.subarray(t.start, t.end);
}

export function oid(t: Tlv): string {
  expect(t, Tag.OID, 'object identifier');
  const b = content(t);
  if (b.length === 0 || b.length > 64) throw new DerError('bad object identifier length');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier component too large');
    if ((b[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  if (b[b.length - 1] & 0x80) throw new DerError('truncated object identifier');
  return parts.join('.');
}

/** An INTEGER's magnitude as upper-case hex without leading zero octets (as X509Certificate.serialNumber). */
export function integerHex(t: Tlv): string {
  expect(t, Tag.INTEGER, 'integer');
  let b = content(t);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
}

/** UTCTime or GeneralizedTime as an ISO-8601 string (UTC), or null when malformed. */
export function time(t: Tlv): string | null {
  const s = content(t).toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === Tag.UTCTime) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s);
    if (!m) return null;
    const yy = Number(m[1]);
    return `${yy >= 50 ? 1900 + yy : 2000 + yy}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
  }
  if (t.tag === Tag.GeneralizedTime) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d{1,9})?Z$/.exec(s);
    if (!m) return null;
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  }
  return null;
}

/** A BIT STRING's bits, most significant first: bit n of the DER value is bits[n]. Bounded by `max`. */
export function bitString(t: Tlv, max = 64): boolean[] {
  const b = content(expect(t, Tag.BIT_STRING, 'bit string'));
  if (b.length === 0 || b[0] > 7 || (b.length === 1 && b[0] !== 0)) throw new DerError('bad bit string');
  const n = Math.min(max, (b.length - 1) * 8 - b[0]);
  const bits: boolean[] = [];
  for (let i = 0; i < n; i++) bits.push((b[1 + (i >> 3)] & (0x80 >> (i & 7))) !== 0);
  return bits;
}

/** A BOOLEAN (DER: one octet, 0x00 or 0xFF; any non-zero is read as true, as BER allows). */
export function boolean(t: Tlv): boolean {
  const b = content(expect(t, Tag.BOOLEAN, 'boolean'));
  if (b.length !== 1) throw new DerError('bad boolean');
  return b[0] !== 0;
}
