// A Thrift server on a Unix socket or Windows named pipe, driving a generated
// Processor over our own framing (src/sdk/wire.ts). The stock `thrift` server
// is not used: it trusts declared sizes and re-decodes on every chunk, and its
// per-connection error handling is not ours to bound. Here every connection
// has an error listener, a byte budget, and a malformed message closes that
// connection only.
import { createServer, type Server, type Socket } from 'node:net';
import { lstatSync, unlinkSync } from 'node:fs';
import {
  ExtensionService,
  makeResponse,
  makeStatus,
  type ExtensionHandlerShape,
  type GeneratedExtensionResponse,
  type GeneratedProcessor,
  type PluginRequest,
  type PluginResponse,
} from '../protocol/index.js';
import { WireConnection } from './connection.js';
import { BinaryReader, BinaryWriter, ByteSink, SERVER_LIMITS, type WireLimits } from './wire.js';
import { checkSocketPath, isNamedPipe } from './socket-path.js';

export interface ThriftServerOptions {
  readonly path: string;
  readonly processor: GeneratedProcessor;
  readonly limits?: WireLimits;
  /** Told of each connection closed for a protocol violation. */
  readonly onConnectionError?: (err: Error) => void;
}

export class ThriftServer {
  private server: Server | null = null;
  private readonly connections = new Set<WireConnection>();
  private readonly limits: WireLimits;

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
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen on ${path}: ${err.message}`));
      server.once('error', onError);
      server.listen({ path, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
  }

  private accept(socket: Socket): void {
    const processor = this.options.processor;
    const limits = this.limits;
    const conn: WireConnection = new WireConnection(socket, limits, (message) => {
      const reader = new BinaryReader(message, limits);
      return new Promise<void>((resolve) => {
        // The generated processor flushes exactly once per message, when the
        // handler's promise settles: that is when this message is done.
        const sink = new ByteSink((bytes) => {
          conn.write(bytes);
          resolve();
        });
        processor.process(reader, new BinaryWriter(sink));
      });
    });
    this.connections.add(conn);
    conn.onClose((reason) => {
      this.connections.delete(conn);
      if (reason && this.options.onConnectionError) this.options.onConnectionError(reason);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of this.connections) c.close();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!isNamedPipe(this.options.path)) removeStaleSocket(this.options.path);
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

export interface CallResult {
  readonly code: number;
  readonly message: string;
  readonly response: PluginResponse;
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

/** Builds the Thrift server an extension runs on `<manager socket>.<uuid>`. */
export function createExtensionServer(options: ExtensionServerOptions): ThriftServer {
  const { uuid, handler } = options;
  const shape: ExtensionHandlerShape = {
    async ping() {
      return makeStatus({ code: 0, message: 'pong', uuid });
    },
    async call(registry: string | null, item: string | null, request: PluginRequest | null): Promise<GeneratedExtensionResponse> {
      let result: CallResult;
      try {
        result = await handler.call(registry ?? '', item ?? '', request ?? {});
      } catch (err) {
        result = { code: 1, message: err instanceof Error ? err.message : String(err), response: [] };
      }
      return makeResponse({ status: { code: result.code, message: result.message, uuid }, response: result.response });
    },
    async shutdown() {
      // Answer first, then stop: the caller waits for the reply.
      setImmediate(() => handler.shutdown());
    },
  };
  return new ThriftServer({
    path: options.path,
    processor: new ExtensionService.Processor(shape),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
  });
}
