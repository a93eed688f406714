// osquery's hashing and encoding functions (sqlite_hashing.cpp, sqlite_encoding.cpp).
import { createHash } from 'node:crypto';
import { bytes, cBytes, type FunctionDef } from './coerce.js';

function hashFunction(name: string, algorithm: string): FunctionDef {
  // hashFromBuffer(input, strlen(input)): the bytes up to the first NUL, a BLOB's too.
  return { name, arity: 1, fn: (v) => (v === null ? null : createHash(algorithm).update(cBytes(v)).digest('hex')) };
}

/** osquery's isPrintable: every byte in 0x20..0x7E. */
function printable(b: Buffer): boolean {
  for (const x of b) if (x <= 0x1f || x >= 0x7f) return false;
  return true;
}

// The base64 functions read sqlite3_value_bytes bytes: NULs and all.
const toBase64 = (b: Buffer): string => b.toString('base64');

/** Base64 alphabet values as boost's binary_from_base64 has them: '=' reads as 0, anything else outside the alphabet fails. */
const B64 = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/']
    .map((c, i) => [c.charCodeAt(0), i] as const)
    .concat([[0x3d, 0]]),
);

/**
 * osquery's base64::decode: drop "\r\n" and "\n", trim trailing '=', then
 * 6 bits per character into whole bytes; '' for any other character (a lone
 * \r included), where Buffer would silently skip it.
 */
function fromBase64(input: Buffer): string {
  const body = input.toString('latin1').replace(/\r\n/g, '').replace(/\n/g, '').replace(/=+$/, '');
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < body.length; i++) {
    const v = B64.get(body.charCodeAt(i));
    if (v === undefined) return '';
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out).toString('utf8');
}

export const ENCODING: FunctionDef[] = [
  hashFunction('md5', 'md5'),
  hashFunction('sha1', 'sha1'),
  hashFunction('sha256', 'sha256'),
  { name: 'to_base64', arity: 1, fn: (v) => (v === null ? null : toBase64(bytes(v))) },
  { name: 'from_base64', arity: 1, fn: (v) => (v === null ? null : fromBase64(bytes(v))) },
  {
    name: 'conditional_to_base64',
    arity: 1,
    fn: (v) => {
      if (v === null) return null;
      const b = bytes(v);
      return printable(b) ? b.toString('utf8') : toBase64(b);
    },
  },
];
