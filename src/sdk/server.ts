// A Thrift server on a Unix socket or Windows named pipe, driving a generated
// Processor over our own framing (src/sdk/framer.ts). The stock `thrift` server
// is not used: it trusts declared sizes and re-decodes on every chunk, and its
// per-connection error handling is not ours to bound. Here every connection
// has an error listener, a byte budget, and a malformed message closes that
// connection only.
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, mkdtempSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ExtensionService,
  makeResponse,
  makeStatus,
  type ExtensionHandlerShape,
  type GeneratedExtensionResponse,
  type GeneratedProcessor,
  type PluginRequest,
  type PluginResponse,
  type ProtocolReader,
  MessageType,
  TType,
} from '../protocol/index.js';
import { WireConnection } from './connection.js';
import { BinaryReader } from './reader.js';
import { BinaryWriter, ByteSink } from './writer.js';
import { SERVER_LIMITS, type WireLimits } from './wire.js';
import { checkSocketPath, isNamedPipe } from './socket-path.js';

export interface ThriftServerOptions {
  readonly path: string;
  readonly processor: GeneratedProcessor;
  readonly limits?: WireLimits;
  /** Told of each connection closed for a protocol violation. */
  readonly onConnectionError?: (err: Error) => void;
  /**
   * Simultaneous connections held (default 32). osqueryd opens one or two at
   * a time; the cap bounds what many connections x the per-connection byte
   * budget could make us hold. At the cap a newcomer is not refused: the
   * connection that has made no progress for longest, and is not being
   * answered, makes room for it, so peers holding idle connections cannot
   * lock osqueryd out.
   */
  readonly maxConnections?: number;
}

/** Largest reply buffer kept for reuse (a 10,000-row result is ~2.5 MB). */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;

export class ThriftServer {
  private server: Server | null = null;
  /** Where the Unix socket was bound before its rename; kept (empty, 0700) until close. */
  private privateDir: string | null = null;
  private readonly connections = new Set<WireConnection>();
  private readonly limits: WireLimits;
  /** A reply buffer the socket is done with, for the next reply: a fresh large one costs page faults and GC. */
  private spare: Buffer | null = null;

  constructor(private readonly options: ThriftServerOptions) {
    this.limits = options.limits ?? SERVER_LIMITS;
  }

  get path(): string {
    return this.options.path;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<void> {
    const path = this.options.path;
    checkSocketPath(path);
    if (!isNamedPipe(path)) removeStaleSocket(path);
    const server = createServer((socket) => this.accept(socket));
    server.on('error', () => {
      // Errors after listening (EMFILE on accept, say) must not crash the
      // process; the listen() promise below reports the ones that matter.
    });
    if (isNamedPipe(path)) await listenOn(server, path, path);
    else this.privateDir = await listenPrivately(server, path);
    this.server = server;
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= (this.options.maxConnections ?? 32)) {
      let stalest: WireConnection | null = null;
      for (const c of this.connections)
        if (c.isIdle && (stalest === null || c.lastProgressMs < stalest.lastProgressMs)) stalest = c;
      if (stalest === null) {
        // Every slot is answering a call: the newcomer waits its turn at osqueryd's retry.
        socket.destroy();
        return;
      }
      stalest.close(new Error('closed to make room for a new connection'));
    }
    const processor = this.options.processor;
    const limits = this.limits;
    const conn: WireConnection = new WireConnection(socket, limits, (message) => {
      const reader = new BinaryReader(message, limits);
      return new Promise<void>((resolve) => {
        // The generated processor flushes exactly once per message, when the
        // handler's promise settles: that is when this message is done.
        const sink = new ByteSink((bytes) => {
          conn.write(bytes, () => this.keepSpare(bytes));
          resolve();
        }, this.takeSpare());
        processor.process(reader, new BinaryWriter(sink));
      });
    });
    this.connections.add(conn);
    conn.onClose((reason) => {
      this.connections.delete(conn);
      if (reason && this.options.onConnectionError) this.options.onConnectionError(reason);
    });
  }

  private takeSpare(): Buffer | number {
    const spare = this.spare;
    this.spare = null;
    return spare ?? 1024;
  }

  /** Keeps the whole buffer under a sent reply when it is one of its own (not Node's shared pool) and not huge. */
  private keepSpare(sent: Buffer): void {
    const size = sent.buffer.byteLength;
    if (size >= 64 * 1024 && size <= MAX_SPARE_BYTES && size > (this.spare?.length ?? 0))
      this.spare = Buffer.from(sent.buffer);
  }

  async close(): Promise<void> {
    this.spare = null;
    const server = this.server;
    this.server = null;
    for (const c of this.connections) c.close();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!isNamedPipe(this.options.path)) removeStaleSocket(this.options.path);
    if (this.privateDir !== null) rmSync(this.privateDir, { recursive: true, force: true });
    this.privateDir = null;
  }
}

function listenOn(server: Server, bindPath: string, shownPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${shownPath}: ${err.message}`));
    server.once('error', onError);
    server.listen({ path: bindPath, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * A Unix socket is created with the mode the umask leaves, and anyone who can
 * write it can query us as root. So it is bound inside a fresh 0700 directory
 * beside the final path (nobody else can reach it there), made 0600, and only
 * then renamed into place: at no moment is it reachable with a wider mode,
 * whatever the umask.
 */
async function listenPrivately(server: Server, path: string): Promise<string> {
  // Kept until close: the socket library unlinks the bound path then, and that
  // path must stay inside a directory only we control.
  const privateDir = mkdtempSync(join(dirname(path), '.a-'));
  try {
    chmodSync(privateDir, 0o700);
    const bindPath = join(privateDir, 's');
    await listenOn(server, bindPath, path);
    try {
      chmodSync(bindPath, 0o600);
      renameSync(bindPath, path);
    } catch (e) {
      server.close();
      throw new Error(`cannot listen on ${path}: ${(e as Error).message}`);
    }
    return privateDir;
  } catch (e) {
    rmSync(privateDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Removes a leftover socket file (a previous run that died without cleaning
 * up would make listen fail with EADDRINUSE). Anything that is not a socket is
 * left alone and refused: the path is derived from a flag, and deleting a
 * regular file there would be a gift to whoever chose the flag.
 */
function removeStaleSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`cannot listen on ${path}: a non-socket file is in the way`);
  unlinkSync(path);
}

// ---- the extension side: ping, call, shutdown ------------------------------

/**
 * Rows that write themselves onto the wire as list<map<string,string>>,
 * straight from a table's output: no intermediate string maps, no copy.
 */
export interface WireRows {
  readonly length: number;
  writeList(w: BinaryWriter): void;
}

export interface CallResult {
  readonly code: number;
  readonly message: string;
  readonly response: PluginResponse | WireRows;
}

export interface ExtensionHandler {
  /** Answers osqueryd's call(registry, item, request); must not throw. */
  call(registry: string, item: string, request: PluginRequest): Promise<CallResult>;
  /** osqueryd asked us to stop. */
  shutdown(): void;
}

export interface ExtensionServerOptions {
  readonly path: string;
  readonly uuid: bigint;
  readonly handler: ExtensionHandler;
  readonly limits?: WireLimits;
  readonly onConnectionError?: (err: Error) => void;
}

/** call()'s arguments, read as the generated code would (wrong-typed fields skipped). */
function readCallArgs(input: ProtocolReader): { registry: string; item: string; request: PluginRequest } {
  let registry = '';
  let item = '';
  // No prototype: a key named "__proto__" from the wire stays a plain key.
  const request = Object.create(null) as PluginRequest;
  input.readStructBegin();
  for (;;) {
    const f = input.readFieldBegin();
    if (f.ftype === TType.STOP) break;
    if (f.fid === 1 && f.ftype === TType.STRING) registry = input.readString();
    else if (f.fid === 2 && f.ftype === TType.STRING) item = input.readString();
    else if (f.fid === 3 && f.ftype === TType.MAP) {
      const m = input.readMapBegin();
      for (let i = 0; i < m.size; i++) {
        if (m.ktype === TType.STRING && m.vtype === TType.STRING) {
          const key = input.readString();
          request[key] = input.readString();
        } else {
          input.skip(m.ktype);
          input.skip(m.vtype);
        }
      }
    } else input.skip(f.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  input.readMessageEnd();
  return { registry, item, request };
}

function writeRowList(w: BinaryWriter, rows: PluginResponse | WireRows): void {
  if (!Array.isArray(rows)) {
    (rows as WireRows).writeList(w);
    return;
  }
  w.writeListBegin(TType.MAP, rows.length);
  for (const row of rows) {
    const keys = Object.keys(row);
    w.writeMapBegin(TType.STRING, TType.STRING, keys.length);
    for (const k of keys) {
      w.writeString(k);
      w.writeString(row[k]!);
    }
  }
}

/**
 * The reply to call(), written field by field as the generated
 * Extension_call_result would be (success: ExtensionResponse{1: status,
 * 2: response}) but with the rows written straight from the table's output.
 */
function writeCallReply(w: BinaryWriter, seqid: number, uuid: bigint, result: CallResult): void {
  w.writeMessageBegin('call', MessageType.REPLY, seqid);
  w.writeStructBegin('Extension_call_result');
  w.writeFieldBegin('success', TType.STRUCT, 0);
  w.writeStructBegin('ExtensionResponse');
  w.writeFieldBegin('status', TType.STRUCT, 1);
  makeStatus({ code: result.code, message: result.message, uuid }).write(w);
  w.writeFieldEnd();
  w.writeFieldBegin('response', TType.LIST, 2);
  writeRowList(w, result.response);
  w.writeFieldEnd();
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeFieldEnd();
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeMessageEnd();
  w.flush();
}

/** Builds the Thrift server an extension runs on `<manager socket>.<uuid>`. */
export function createExtensionServer(options: ExtensionServerOptions): ThriftServer {
  const { uuid, handler } = options;
  const shape: ExtensionHandlerShape = {
    async ping() {
      return makeStatus({ code: 0, message: 'pong', uuid });
    },
    async call(
      registry: string | null,
      item: string | null,
      request: PluginRequest | null,
    ): Promise<GeneratedExtensionResponse> {
      // Not reached: process_call below answers call(); kept so the handler is complete.
      const result = await safeCall(handler, registry ?? '', item ?? '', request ?? {});
      const rows = Array.isArray(result.response) ? result.response : [];
      return makeResponse({ status: { code: result.code, message: result.message, uuid }, response: rows });
    },
    async shutdown() {
      // Answer first, then stop: the caller waits for the reply.
      setImmediate(() => handler.shutdown());
    },
  };
  // The generated processor serves ping and shutdown; call() is the hot path
  // (a whole result set) and is answered here without the generated
  // response's deep copy of every row.
  class ExtensionProcessor extends ExtensionService.Processor {
    process_call(seqid: number, input: ProtocolReader, output: BinaryWriter): void {
      const args = readCallArgs(input);
      void safeCall(handler, args.registry, args.item, args.request).then((result) => {
        try {
          writeCallReply(output, seqid, uuid, result);
        } catch (err) {
          // A row that cannot be encoded must still get osqueryd an answer.
          output.reset();
          writeCallReply(output, seqid, uuid, {
            code: 1,
            message: `cannot encode the result: ${(err as Error).message}`,
            response: [],
          });
        }
      });
    }
  }
  return new ThriftServer({
    path: options.path,
    processor: new ExtensionProcessor(shape),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
}

async function safeCall(
  handler: ExtensionHandler,
  registry: string,
  item: string,
  request: PluginRequest,
): Promise<CallResult> {
  try {
    return await handler.call(registry, item, request);
  } catch (err) {
    return { code: 1, message: err instanceof Error ? err.message : String(err), response: [] };
  }
}
