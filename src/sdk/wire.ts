// What the framer (framer.ts), the decoder (reader.ts) and the encoder
// (writer.ts) share: Thrift's strict binary protocol as osqueryd speaks it over
// an unframed stream, its limits, and the one size table. docs/wire.md says why
// the SDK has its own protocol code.
import { TType } from '../protocol/index.js';

export const VERSION_1 = 0x80010000 | 0;
export const VERSION_MASK = 0xffff0000 | 0;

/** Longest method name we accept in a message header (osquery's are short). */
export const MAX_METHOD_NAME = 256;

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

/**
 * The size table, by type id: [minimum encoded size (-1: not a value type),
 * whether every value has exactly that size]. The minimum bounds declared
 * counts; the fixed ones are skipped without looking inside.
 */
const SIZES: readonly (readonly [number, boolean])[] = (() => {
  const t: [number, boolean][] = Array.from({ length: 256 }, () => [-1, false]);
  t[TType.BOOL] = [1, true];
  t[TType.BYTE] = [1, true];
  t[TType.I16] = [2, true];
  t[TType.I32] = [4, true];
  t[TType.I64] = [8, true];
  t[TType.DOUBLE] = [8, true];
  t[TType.UUID] = [16, true];
  t[TType.STRING] = [4, false];
  t[TType.STRUCT] = [1, false];
  t[TType.LIST] = [5, false];
  t[TType.SET] = [5, false];
  t[TType.MAP] = [6, false];
  return t;
})();

/** Minimum encoded size of a value of `type`; -1 when `type` is no value type. */
export function minSize(type: number): number {
  return SIZES[type & 0xff]![0];
}

/** Encoded size of every value of `type` when fixed, else 0. */
export function fixedSize(type: number): number {
  const s = SIZES[type & 0xff]!;
  return s[1] ? s[0] : 0;
}

/** Big-endian i32 without Buffer#writeInt32BE's argument checks (hot path: twice per cell). */
export function putI32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** Big-endian i32 without Buffer#readInt32BE's checks; the caller has checked the bounds. */
export function getI32(buf: Uint8Array, at: number): number {
  return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}
