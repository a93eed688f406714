// What a reply may carry, checked before we rely on it, and the fast receive
// of result sets (call, query, getQueryColumns) for the generated clients.
import { z } from 'zod';
import thrift from 'thrift';
import {
  ExtensionManagerService,
  ExtensionService,
  Types,
  type ExtensionResponse,
  type ExtensionStatus,
  type GeneratedExtensionClient,
  type GeneratedExtensionResponse,
  type GeneratedExtensionStatus,
  type GeneratedManagerClient,
  type PluginResponse,
  type ProtocolReader,
  MessageType,
  TType,
} from '../protocol/index.js';
import { BinaryReader } from './reader.js';
import type { ByteSink } from './writer.js';

export class ThriftCallError extends Error {
  override name = 'ThriftCallError';
}

/** A status other than success from osqueryd or an extension. */
export class StatusError extends Error {
  override name = 'StatusError';
  constructor(
    readonly code: number,
    readonly statusMessage: string,
    context: string,
  ) {
    super(`${context} failed with status ${code}: ${statusMessage || '(no message)'}`);
  }
}

// Replies are untrusted input: the generated decoder gives nullable fields of
// whatever type the peer wrote, so each is checked before we rely on it.
const StatusSchema = z.object({
  code: z.number().int().nullable(),
  message: z.string().nullable(),
  uuid: z.bigint().nullable(),
});
/**
 * Result rows are checked with a plain loop: the decoder can only produce
 * string→string maps, and a schema walk over a 100k-row result costs more
 * than the decoding itself.
 */
function isRows(value: unknown): value is PluginResponse {
  if (!Array.isArray(value)) return false;
  for (const row of value) {
    if (typeof row !== 'object' || row === null) return false;
    for (const key in row) if (typeof (row as Record<string, unknown>)[key] !== 'string') return false;
  }
  return true;
}
const RowsSchema = z.custom<PluginResponse>(isRows, 'rows must be a list of string→string maps').nullable();
const ResponseSchema = z.object({ status: StatusSchema.nullable(), response: RowsSchema });
export const InfoSchema = z.object({
  name: z.string().nullable(),
  version: z.string().nullable(),
  sdk_version: z.string().nullable(),
  min_sdk_version: z.string().nullable(),
});
export const OptionSchema = z.object({
  value: z.string().nullable(),
  default_value: z.string().nullable(),
  type: z.string().nullable(),
});

export function toStatus(raw: GeneratedExtensionStatus | null | undefined, what: string): ExtensionStatus {
  const parsed = StatusSchema.nullable().safeParse(raw ?? null);
  if (!parsed.success) throw new ThriftCallError(`${what}: malformed status in reply: ${parsed.error.message}`);
  if (parsed.data === null) throw new ThriftCallError(`${what}: reply carries no status`);
  return { code: parsed.data.code ?? 0, message: parsed.data.message ?? '', uuid: parsed.data.uuid ?? 0n };
}

export function toResponse(raw: GeneratedExtensionResponse, what: string): ExtensionResponse {
  const parsed = ResponseSchema.safeParse(raw);
  if (!parsed.success) throw new ThriftCallError(`${what}: malformed reply: ${parsed.error.message}`);
  return { status: toStatus(raw.status, what), response: parsed.data.response ?? [] };
}

export type AnyGeneratedClient = GeneratedExtensionClient | GeneratedManagerClient;

function readStringMap(input: ProtocolReader, size: number): Record<string, string> {
  if (input instanceof BinaryReader) return input.readStringMapBody(size);
  const row: Record<string, string> = {};
  for (let i = 0; i < size; i++) {
    const key = input.readString();
    row[key] = input.readString();
  }
  return row;
}

/** ExtensionResponse{1: status, 2: list<map<string,string>>}, rows read in one tight loop. */
function readExtensionResponse(input: ProtocolReader): GeneratedExtensionResponse {
  const out = new Types.ExtensionResponse();
  input.readStructBegin();
  for (;;) {
    const f = input.readFieldBegin();
    if (f.ftype === TType.STOP) break;
    if (f.fid === 1 && f.ftype === TType.STRUCT) {
      const status = new Types.ExtensionStatus();
      status.read(input);
      out.status = status;
    } else if (f.fid === 2 && f.ftype === TType.LIST) {
      const list = input.readListBegin();
      const rows: PluginResponse = [];
      for (let i = 0; i < list.size; i++) {
        if (list.etype !== TType.MAP) {
          input.skip(list.etype);
          continue;
        }
        const m = input.readMapBegin();
        if (m.ktype === TType.STRING && m.vtype === TType.STRING) {
          rows.push(readStringMap(input, m.size));
        } else {
          for (let j = 0; j < m.size; j++) {
            input.skip(m.ktype);
            input.skip(m.vtype);
          }
          rows.push({});
        }
      }
      out.response = rows;
    } else input.skip(f.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  return out;
}

/**
 * Receives a reply whose result is an ExtensionResponse (call, query,
 * getQueryColumns), as the generated recv_* would, minus its per-cell method
 * calls: these replies carry whole result sets.
 */
function recvResponse(
  client: AnyGeneratedClient,
  what: string,
  input: ProtocolReader,
  mtype: number,
  rseqid: number,
): void {
  const callback = client._reqs[rseqid];
  delete client._reqs[rseqid];
  if (!callback) return;
  if (mtype === MessageType.EXCEPTION) {
    const x = new thrift.Thrift.TApplicationException();
    x.read(input as never);
    callback(x);
    return;
  }
  let success: GeneratedExtensionResponse | null = null;
  input.readStructBegin();
  for (;;) {
    const f = input.readFieldBegin();
    if (f.ftype === TType.STOP) break;
    if (f.fid === 0 && f.ftype === TType.STRUCT) success = readExtensionResponse(input);
    else input.skip(f.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  if (success) callback(null, success);
  else callback(new ThriftCallError(`${what} failed: unknown result`));
}

export class FastExtensionClient extends ExtensionService.Client<ByteSink> {
  recv_call(input: ProtocolReader, mtype: number, rseqid: number): void {
    recvResponse(this, 'call', input, mtype, rseqid);
  }
}

export class FastManagerClient extends ExtensionManagerService.Client<ByteSink> {
  recv_call(input: ProtocolReader, mtype: number, rseqid: number): void {
    recvResponse(this, 'call', input, mtype, rseqid);
  }
  recv_query(input: ProtocolReader, mtype: number, rseqid: number): void {
    recvResponse(this, 'query', input, mtype, rseqid);
  }
  recv_getQueryColumns(input: ProtocolReader, mtype: number, rseqid: number): void {
    recvResponse(this, 'getQueryColumns', input, mtype, rseqid);
  }
}
