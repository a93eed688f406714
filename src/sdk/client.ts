// Clients for osquery's Thrift services: ExtensionClient calls an extension
// (ping, call, shutdown), ManagerClient calls osqueryd's extension manager
// (those three plus extensions, options, registerExtension,
// deregisterExtension, query, getQueryColumns).
//
// One connection per client, calls strictly one at a time (a promise queue):
// Thrift over a buffered transport has no framing, so two interleaved calls
// would corrupt the stream. Every call has a deadline; a call that misses it
// discards the connection (its late reply would otherwise be read as the
// answer to the next call) and the next call reconnects.
import { connect as netConnect, type Socket } from 'node:net';
import { z } from 'zod';
import thrift from 'thrift';
import {
  ExtensionManagerService,
  ExtensionService,
  Types,
  type ExtensionRegistry,
  type ExtensionResponse,
  type ExtensionStatus,
  type GeneratedExtensionClient,
  type GeneratedExtensionResponse,
  type GeneratedExtensionStatus,
  type GeneratedManagerClient,
  type InternalExtensionInfo,
  type InternalOptionInfo,
  type PluginRequest,
  type PluginResponse,
  type ProtocolReader,
  MessageType,
  TType,
} from '../protocol/index.js';
import { WireConnection, asError } from './connection.js';
import { BinaryReader, BinaryWriter, ByteSink, CLIENT_LIMITS, WireError, type WireLimits } from './wire.js';
import { checkSocketPath } from './socket-path.js';

export interface ClientOptions {
  /** Deadline for one call, connect included, in ms. */
  readonly callTimeoutMs?: number;
  readonly limits?: WireLimits;
}

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
const InfoSchema = z.object({
  name: z.string().nullable(),
  version: z.string().nullable(),
  sdk_version: z.string().nullable(),
  min_sdk_version: z.string().nullable(),
});
const OptionSchema = z.object({ value: z.string().nullable(), default_value: z.string().nullable(), type: z.string().nullable() });

function toStatus(raw: GeneratedExtensionStatus | null | undefined, what: string): ExtensionStatus {
  const parsed = StatusSchema.nullable().safeParse(raw ?? null);
  if (!parsed.success) throw new ThriftCallError(`${what}: malformed status in reply: ${parsed.error.message}`);
  if (parsed.data === null) throw new ThriftCallError(`${what}: reply carries no status`);
  return { code: parsed.data.code ?? 0, message: parsed.data.message ?? '', uuid: parsed.data.uuid ?? 0n };
}

function toResponse(raw: GeneratedExtensionResponse, what: string): ExtensionResponse {
  const parsed = ResponseSchema.safeParse(raw);
  if (!parsed.success) throw new ThriftCallError(`${what}: malformed reply: ${parsed.error.message}`);
  return { status: toStatus(raw.status, what), response: parsed.data.response ?? [] };
}

type AnyGeneratedClient = GeneratedExtensionClient | GeneratedManagerClient;

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
function recvResponse(client: AnyGeneratedClient, what: string, input: ProtocolReader, mtype: number, rseqid: number): void {
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

class FastExtensionClient extends ExtensionService.Client<ByteSink> {
  recv_call(input: ProtocolReader, mtype: number, rseqid: number): void {
    recvResponse(this, 'call', input, mtype, rseqid);
  }
}

class FastManagerClient extends ExtensionManagerService.Client<ByteSink> {
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

class BaseClient<C extends AnyGeneratedClient> {
  private conn: WireConnection | null = null;
  private client: C | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closedByUser = false;
  protected readonly callTimeoutMs: number;
  private readonly limits: WireLimits;

  constructor(
    readonly path: string,
    private readonly makeClient: (sink: ByteSink) => C,
    options: ClientOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.limits = options.limits ?? CLIENT_LIMITS;
  }

  get connected(): boolean {
    return this.conn !== null && !this.conn.isClosed;
  }

  /**
   * Connects, retrying refused/missing sockets until `timeoutMs` has passed
   * (osqueryd may still be starting, or restarting).
   */
  async connect(timeoutMs = 0): Promise<void> {
    this.closedByUser = false;
    if (this.connected) return;
    checkSocketPath(this.path);
    const deadline = Date.now() + timeoutMs;
    let lastError: Error | null = null;
    for (;;) {
      try {
        // A single attempt (timeoutMs 0, as calls connect) gets the whole call budget: on a
        // loaded machine a 100 ms timer can fire before a connect that already succeeded is seen.
        await this.openOnce(timeoutMs <= 0 ? this.callTimeoutMs : Math.max(100, Math.min(this.callTimeoutMs, deadline - Date.now())));
        return;
      } catch (err) {
        lastError = asError(err);
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closedByUser) break;
      await sleep(Math.min(200, left));
    }
    throw new ThriftCallError(`cannot connect to ${this.path}: ${lastError?.message ?? 'closed'}`);
  }

  private openOnce(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket: Socket = netConnect({ path: this.path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: Socket): void {
    const sink = new ByteSink((bytes) => conn.write(bytes));
    const client = this.makeClient(sink);
    const limits = this.limits;
    const conn = new WireConnection(socket, limits, (message) => {
      const reader = new BinaryReader(message, limits);
      const header = reader.readMessageBegin();
      const recv = client[`recv_${header.fname}`];
      if (typeof recv !== 'function' || !Object.hasOwn(client._reqs, header.rseqid)) {
        throw new WireError(`unexpected reply ${JSON.stringify(header.fname.slice(0, 64))} seq ${header.rseqid}`);
      }
      recv.call(client, reader, header.mtype, header.rseqid);
    });
    conn.onClose((reason) => {
      // Fail whatever is still waiting on this connection.
      for (const [seq, cb] of Object.entries(client._reqs)) {
        delete client._reqs[Number(seq)];
        cb(new ThriftCallError(`connection to ${this.path} closed${reason ? `: ${reason.message}` : ''}`));
      }
      if (this.conn === conn) {
        this.conn = null;
        this.client = null;
      }
    });
    this.conn = conn;
    this.client = client;
  }

  /** Drops the connection; a later call reconnects. */
  close(): void {
    this.closedByUser = true;
    this.conn?.close();
    this.conn = null;
    this.client = null;
  }

  /** Runs one call: queued behind earlier ones, connected on demand, bounded by the call deadline. */
  protected run<T>(what: string, fn: (client: C) => Promise<T>, timeoutMs = this.callTimeoutMs): Promise<T> {
    const task = this.queue.then(async () => {
      if (!this.connected) await this.connect(0);
      const client = this.client;
      const conn = this.conn;
      if (!client || !conn) throw new ThriftCallError(`${what}: not connected to ${this.path}`);
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          fn(client).catch((err: unknown) => {
            throw err instanceof Error ? err : new ThriftCallError(`${what}: ${String(err)}`);
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              // The reply may still come; it must not be read as the next call's.
              conn.close(new ThriftCallError(`${what} timed out`));
              reject(new ThriftCallError(`${what} to ${this.path} timed out after ${timeoutMs} ms; connection discarded`));
            }, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  async ping(): Promise<ExtensionStatus> {
    return this.run('ping', async (c) => toStatus(await c.ping(), 'ping'));
  }

  async call(registry: string, item: string, request: PluginRequest, timeoutMs?: number): Promise<ExtensionResponse> {
    return this.run('call', async (c) => toResponse(await c.call(registry, item, request), 'call'), timeoutMs);
  }

  async shutdown(): Promise<void> {
    await this.run('shutdown', (c) => c.shutdown());
  }
}

/** Calls an extension's server (what osqueryd does to us; used by the test manager). */
export class ExtensionClient extends BaseClient<GeneratedExtensionClient> {
  constructor(path: string, options: ClientOptions = {}) {
    super(path, (sink) => new FastExtensionClient(sink, BinaryWriter), options);
  }
}

export interface ExtensionInfo {
  readonly name: string;
  readonly version: string;
  readonly sdkVersion: string;
  readonly minSdkVersion: string;
}

/** Calls osqueryd's extension manager. */
export class ManagerClient extends BaseClient<GeneratedManagerClient> {
  constructor(path: string, options: ClientOptions = {}) {
    super(path, (sink) => new FastManagerClient(sink, BinaryWriter), options);
  }

  /** Registered extensions by uuid (exact: uuids above 2^53 survive). */
  async extensions(): Promise<Map<bigint, ExtensionInfo>> {
    return this.run('extensions', async (c) => {
      const raw = await c.extensions();
      const out = new Map<bigint, ExtensionInfo>();
      for (const [key, value] of Object.entries(raw ?? {})) {
        // Our reader decodes i64 map keys to bigint, which become decimal property names.
        if (!/^-?\d+$/.test(key)) throw new ThriftCallError(`extensions: bad uuid key ${JSON.stringify(key)}`);
        const info = InfoSchema.safeParse(value);
        if (!info.success) throw new ThriftCallError(`extensions: malformed entry: ${info.error.message}`);
        out.set(BigInt(key), {
          name: info.data.name ?? '',
          version: info.data.version ?? '',
          sdkVersion: info.data.sdk_version ?? '',
          minSdkVersion: info.data.min_sdk_version ?? '',
        });
      }
      return out;
    });
  }

  async options(): Promise<Record<string, InternalOptionInfo>> {
    return this.run('options', async (c) => {
      const raw = await c.options();
      const out: Record<string, InternalOptionInfo> = {};
      for (const [key, value] of Object.entries(raw ?? {})) {
        const opt = OptionSchema.safeParse(value);
        if (!opt.success) throw new ThriftCallError(`options: malformed entry: ${opt.error.message}`);
        out[key] = { value: opt.data.value ?? '', default_value: opt.data.default_value ?? '', type: opt.data.type ?? '' };
      }
      return out;
    });
  }

  /** Registers; the status carries the assigned uuid. A refusal is a status, not a throw. */
  async registerExtension(info: InternalExtensionInfo, registry: ExtensionRegistry, timeoutMs?: number): Promise<ExtensionStatus> {
    return this.run(
      'registerExtension',
      async (c) => toStatus(await c.registerExtension(new Types.InternalExtensionInfo(info), registry), 'registerExtension'),
      timeoutMs,
    );
  }

  async deregisterExtension(uuid: bigint, timeoutMs?: number): Promise<ExtensionStatus> {
    return this.run('deregisterExtension', async (c) => toStatus(await c.deregisterExtension(uuid), 'deregisterExtension'), timeoutMs);
  }

  /** Rows of `sql` run by osqueryd; throws StatusError on a non-zero status. */
  async query(sql: string): Promise<Record<string, string>[]> {
    const r = await this.queryResponse(sql);
    if (r.status.code !== 0) throw new StatusError(r.status.code, r.status.message, 'osquery query');
    return r.response;
  }

  async queryResponse(sql: string): Promise<ExtensionResponse> {
    return this.run('query', async (c) => toResponse(await c.query(sql), 'query'));
  }

  /** The result columns of `sql` with their osquery types; throws StatusError on failure. */
  async getQueryColumns(sql: string): Promise<{ name: string; type: string }[]> {
    const r = await this.run('getQueryColumns', async (c) => toResponse(await c.getQueryColumns(sql), 'getQueryColumns'));
    if (r.status.code !== 0) throw new StatusError(r.status.code, r.status.message, 'osquery getQueryColumns');
    // osqueryd answers one single-entry row per column: {name: type}.
    return r.response.flatMap((row) => Object.entries(row).map(([name, type]) => ({ name, type })));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
