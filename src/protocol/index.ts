// Typed face of the generated Thrift bindings (src/protocol/gen, CommonJS).
//
// The generated .d.ts files declare nothing usable (their classes are not
// exported), and their i64 story is node-int64 objects that lose precision
// above 2^53 and, for map<i64,...> keys, are turned into property names with
// the precision already gone. So this module states the shapes we rely on,
// with every uuid as a bigint. The SDK's own protocol (src/sdk/reader.ts, writer.ts) reads
// i64 straight into bigint and writes bigint, number, decimal string or a
// node-int64 object, so the generated code never sees a lossy value.
//
// The bindings are imported as default imports of CommonJS modules: both
// Node's ESM loader and esbuild (which bundles the extension into one CommonJS
// file) map that to `module.exports`, without createRequire or file access.
import extensionGen from './gen/Extension.js';
import managerGen from './gen/ExtensionManager.js';
import typesGen from './gen/osquery_types.js';

/** Thrift's wire type ids (binary protocol). */
export const TType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

/** osquery's ExtensionCode enum. */
export const ExtensionCode = { EXT_SUCCESS: 0, EXT_FAILED: 1, EXT_FATAL: 2 } as const;

/** What the generated read/write code calls on a protocol object. */
export interface ProtocolWriter {
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeMapBegin(ktype: number, vtype: number, size: number): void;
  writeMapEnd(): void;
  writeListBegin(etype: number, size: number): void;
  writeListEnd(): void;
  writeSetBegin(etype: number, size: number): void;
  writeSetEnd(): void;
  writeBool(value: boolean): void;
  writeByte(value: number): void;
  writeI16(value: number): void;
  writeI32(value: number): void;
  writeI64(value: I64Like): void;
  writeDouble(value: number): void;
  writeString(value: string | Uint8Array): void;
  writeBinary(value: string | Uint8Array): void;
  flush(): void;
}

export interface ProtocolReader {
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readMessageEnd(): void;
  readStructBegin(): { fname: string };
  readStructEnd(): void;
  readFieldBegin(): { fname: string | null; ftype: number; fid: number };
  readFieldEnd(): void;
  readMapBegin(): { ktype: number; vtype: number; size: number };
  readMapEnd(): void;
  readListBegin(): { etype: number; size: number };
  readListEnd(): void;
  readSetBegin(): { etype: number; size: number };
  readSetEnd(): void;
  readBool(): boolean;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readI64(): bigint;
  readDouble(): number;
  readString(): string;
  readBinary(): Buffer;
  skip(type: number): void;
}

/** A node-int64 object as the stock thrift library produces it. */
export interface NodeInt64 {
  readonly buffer: Buffer;
  readonly offset?: number;
}
export type I64Like = bigint | number | string | NodeInt64;

/** Exact node-int64 → bigint (two's complement, all 64 bits). */
export function int64ToBigInt(value: NodeInt64): bigint {
  return value.buffer.readBigInt64BE(value.offset ?? 0);
}

/** Exact bigint → the 8 big-endian bytes node-int64 wraps; throws outside the i64 range. */
export function bigIntToInt64Bytes(value: bigint): Buffer {
  if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) throw new RangeError(`${value} does not fit in a Thrift i64`);
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(value, 0);
  return buf;
}

/**
 * Any i64 the generated code may hand a writer, as an exact bigint. Strings
 * appear because the generated writer of map<i64, T> iterates the map's
 * property names; they are decimal text (never node-int64's hex form here).
 */
export function toBigInt64(value: I64Like): bigint {
  let out: bigint;
  if (typeof value === 'bigint') out = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`i64 value ${value} is not a safe integer; pass a bigint`);
    out = BigInt(value);
  } else if (typeof value === 'string') {
    if (!/^-?\d{1,20}$/.test(value)) throw new RangeError(`i64 value ${JSON.stringify(value)} is not decimal text`);
    out = BigInt(value);
  } else if (value && Buffer.isBuffer(value.buffer)) {
    return int64ToBigInt(value);
  } else {
    throw new TypeError('i64 value is neither bigint, number, decimal string nor node-int64');
  }
  if (out < -(2n ** 63n) || out > 2n ** 63n - 1n) throw new RangeError(`${out} does not fit in a Thrift i64`);
  return out;
}

// ---- plain shapes of the IDL structs, uuids as bigint --------------------

export interface ExtensionStatus {
  code: number;
  message: string;
  uuid: bigint;
}
export type PluginRequest = Record<string, string>;
export type PluginResponse = Record<string, string>[];
export interface ExtensionResponse {
  status: ExtensionStatus;
  response: PluginResponse;
}
export interface InternalExtensionInfo {
  name: string;
  version: string;
  sdk_version: string;
  min_sdk_version: string;
}
export interface InternalOptionInfo {
  value: string;
  default_value: string;
  type: string;
}
/** registry name → item name → route rows. */
export type ExtensionRegistry = Record<string, Record<string, PluginResponse>>;

// ---- the generated classes, typed as far as we use them -------------------

/** A generated struct instance: plain fields plus read/write. */
export interface GeneratedStruct {
  read(input: ProtocolReader): void;
  write(output: ProtocolWriter): void;
}

export interface GeneratedExtensionStatus extends GeneratedStruct {
  code: number | null;
  message: string | null;
  uuid: bigint | null;
}
export interface GeneratedExtensionResponse extends GeneratedStruct {
  status: GeneratedExtensionStatus | null;
  response: PluginResponse | null;
}
export interface GeneratedExtensionInfo extends GeneratedStruct {
  name: string | null;
  version: string | null;
  sdk_version: string | null;
  min_sdk_version: string | null;
}
export interface GeneratedOptionInfo extends GeneratedStruct {
  value: string | null;
  default_value: string | null;
  type: string | null;
}

/** The transport a generated client writes into (it calls flush() per message). */
export interface ClientTransport {
  flush(): void;
}
export type ProtocolClass<T extends ClientTransport> = new (transport: T) => ProtocolWriter;

/** Generated client methods resolve with raw (nullable) generated structs. */
export interface GeneratedExtensionClient {
  _reqs: Record<number, (error: unknown, result?: unknown) => void>;
  ping(): Promise<GeneratedExtensionStatus>;
  call(registry: string, item: string, request: PluginRequest): Promise<GeneratedExtensionResponse>;
  shutdown(): Promise<void>;
  [recv: `recv_${string}`]: ((input: ProtocolReader, mtype: number, rseqid: number) => void) | undefined;
}
export interface GeneratedManagerClient extends GeneratedExtensionClient {
  extensions(): Promise<Record<string, GeneratedExtensionInfo>>;
  options(): Promise<Record<string, GeneratedOptionInfo>>;
  registerExtension(info: GeneratedExtensionInfo, registry: ExtensionRegistry): Promise<GeneratedExtensionStatus>;
  deregisterExtension(uuid: bigint): Promise<GeneratedExtensionStatus>;
  query(sql: string): Promise<GeneratedExtensionResponse>;
  getQueryColumns(sql: string): Promise<GeneratedExtensionResponse>;
}

/** Handler objects the generated processors call (promise style: arity must match the IDL). */
export interface ExtensionHandlerShape {
  ping(): Promise<GeneratedExtensionStatus>;
  call(
    registry: string | null,
    item: string | null,
    request: PluginRequest | null,
  ): Promise<GeneratedExtensionResponse>;
  shutdown(): Promise<void>;
}
export interface ManagerHandlerShape extends ExtensionHandlerShape {
  extensions(): Promise<Record<string, GeneratedExtensionInfo>>;
  options(): Promise<Record<string, GeneratedOptionInfo>>;
  registerExtension(
    info: GeneratedExtensionInfo | null,
    registry: ExtensionRegistry | null,
  ): Promise<GeneratedExtensionStatus>;
  deregisterExtension(uuid: bigint | null): Promise<GeneratedExtensionStatus>;
  query(sql: string | null): Promise<GeneratedExtensionResponse>;
  getQueryColumns(sql: string | null): Promise<GeneratedExtensionResponse>;
}

export interface GeneratedProcessor {
  process(input: ProtocolReader, output: ProtocolWriter): void;
}

interface ExtensionModule {
  Client: new <T extends ClientTransport>(transport: T, pClass: ProtocolClass<T>) => GeneratedExtensionClient;
  Processor: new (handler: ExtensionHandlerShape) => GeneratedProcessor;
}
interface ManagerModule {
  Client: new <T extends ClientTransport>(transport: T, pClass: ProtocolClass<T>) => GeneratedManagerClient;
  Processor: new (handler: ManagerHandlerShape) => GeneratedProcessor;
}
interface TypesModule {
  ExtensionStatus: new (args?: { code?: number; message?: string; uuid?: bigint }) => GeneratedExtensionStatus;
  ExtensionResponse: new (args?: {
    status?: { code?: number; message?: string; uuid?: bigint };
    response?: PluginResponse;
  }) => GeneratedExtensionResponse;
  InternalExtensionInfo: new (args?: Partial<InternalExtensionInfo>) => GeneratedExtensionInfo;
  InternalOptionInfo: new (args?: Partial<InternalOptionInfo>) => GeneratedOptionInfo;
}

export const ExtensionService = extensionGen as unknown as ExtensionModule;
export const ExtensionManagerService = managerGen as unknown as ManagerModule;
export const Types = typesGen as unknown as TypesModule;

/** A generated ExtensionStatus from plain values (what handlers must return). */
export function makeStatus(status: { code: number; message: string; uuid?: bigint }): GeneratedExtensionStatus {
  return new Types.ExtensionStatus(status);
}

export function makeResponse(response: {
  status: { code: number; message: string; uuid?: bigint };
  response: PluginResponse;
}): GeneratedExtensionResponse {
  // The generated constructor deep-copies the row list; rows are ours and
  // fresh, so they are attached as they are.
  const out = new Types.ExtensionResponse({ status: response.status });
  out.response = response.response;
  return out;
}
