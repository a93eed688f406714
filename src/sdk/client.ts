// Clients for osquery's Thrift services: ExtensionClient calls an extension,
// ManagerClient osqueryd's extension manager; one call at a time per
// connection, each with a deadline (docs/wire.md, "Clients").
import { connect as netConnect, type Socket } from 'node:net';
import {
  Types,
  type ExtensionRegistry,
  type ExtensionStatus,
  type ExtensionResponse,
  type GeneratedExtensionClient,
  type GeneratedManagerClient,
  type InternalExtensionInfo,
  type InternalOptionInfo,
  type PluginRequest,
} from '../protocol/index.js';
import { WireConnection, asError } from './connection.js';
import { BinaryReader } from './reader.js';
import { BinaryWriter, ByteSink } from './writer.js';
import { CLIENT_LIMITS, WireError, type WireLimits } from './wire.js';
import { checkSocketPath } from './socket-path.js';
import {
  FastExtensionClient,
  FastManagerClient,
  InfoSchema,
  OptionSchema,
  StatusError,
  ThriftCallError,
  toResponse,
  toStatus,
  type AnyGeneratedClient,
} from './replies.js';

export { StatusError, ThriftCallError };

/** Bytes one socket read can bring: a Unix socket queues about 208 KiB. */
const READ_BUFFER_BYTES = 256 * 1024;

export interface ClientOptions {
  /** Deadline for one call, connect included, in ms. */
  readonly callTimeoutMs?: number;
  readonly limits?: WireLimits;
  /** Told of each whole reply as it arrives, before it is decoded (its size in bytes). */
  readonly onReply?: (bytes: number) => void;
}

class BaseClient<C extends AnyGeneratedClient> {
  private conn: WireConnection | null = null;
  private client: C | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closedByUser = false;
  protected readonly callTimeoutMs: number;
  private readonly limits: WireLimits;
  private readBuffer: Buffer | null = null;
  private readonly onReply: ((bytes: number) => void) | undefined;

  constructor(
    readonly path: string,
    private readonly makeClient: (sink: ByteSink) => C,
    options: ClientOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.limits = options.limits ?? CLIENT_LIMITS;
    this.onReply = options.onReply;
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
        await this.openOnce(
          timeoutMs <= 0 ? this.callTimeoutMs : Math.max(100, Math.min(this.callTimeoutMs, deadline - Date.now())),
        );
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
      let conn: WireConnection | null = null;
      // Reads land in one reused buffer, as large as a socket's queue: a
      // large reply takes a few reads and no allocation per read.
      const socket: Socket = netConnect({
        path: this.path,
        onread: {
          buffer: () => (this.readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)),
          callback: (n: number, buf: Uint8Array) => {
            conn?.receive(Buffer.from(buf.buffer, buf.byteOffset, n));
            return true;
          },
        },
      });
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
        conn = this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: Socket): WireConnection {
    const sink = new ByteSink((bytes) => conn.write(bytes));
    const client = this.makeClient(sink);
    const limits = this.limits;
    const conn = new WireConnection(socket, limits, (message) => {
      this.onReply?.(message.length);
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
    return conn;
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
              reject(
                new ThriftCallError(`${what} to ${this.path} timed out after ${timeoutMs} ms; connection discarded`),
              );
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
        out[key] = {
          value: opt.data.value ?? '',
          default_value: opt.data.default_value ?? '',
          type: opt.data.type ?? '',
        };
      }
      return out;
    });
  }

  /** Registers; the status carries the assigned uuid. A refusal is a status, not a throw. */
  async registerExtension(
    info: InternalExtensionInfo,
    registry: ExtensionRegistry,
    timeoutMs?: number,
  ): Promise<ExtensionStatus> {
    return this.run(
      'registerExtension',
      async (c) =>
        toStatus(await c.registerExtension(new Types.InternalExtensionInfo(info), registry), 'registerExtension'),
      timeoutMs,
    );
  }

  async deregisterExtension(uuid: bigint, timeoutMs?: number): Promise<ExtensionStatus> {
    return this.run(
      'deregisterExtension',
      async (c) => toStatus(await c.deregisterExtension(uuid), 'deregisterExtension'),
      timeoutMs,
    );
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
    const r = await this.run('getQueryColumns', async (c) =>
      toResponse(await c.getQueryColumns(sql), 'getQueryColumns'),
    );
    if (r.status.code !== 0) throw new StatusError(r.status.code, r.status.message, 'osquery getQueryColumns');
    // osqueryd answers one single-entry row per column: {name: type}.
    return r.response.flatMap((row) => Object.entries(row).map(([name, type]) => ({ name, type })));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
