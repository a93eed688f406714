// The life of an autoloaded extension, as osqueryd expects it:
//   1. wait up to --timeout for the manager socket, register (name, version,
//      sdk_version, route info), then listen on `<socket>.<uuid>`;
//   2. every --interval, check that the manager answers a ping AND still lists
//      our uuid (an osqueryd that restarted has a fresh registry and would
//      never call us again); either failing → exit non-zero, so that
//      osqueryd's watcher starts a fresh copy that registers anew;
//   3. on shutdown() from osqueryd, SIGTERM or SIGINT: deregister (best
//      effort, bounded), stop, exit 0 well within a second.
// runExtension returns the exit code instead of exiting, so that tests and
// the CLI decide what exiting means.
import type { TablePlugin } from './table.js';
import { parseExtensionArgs, UsageError, type ExtensionArgs } from './args.js';
import { createLogger, type Logger } from './log.js';
import { ManagerClient } from './client.js';
import { TableRegistry } from './registry.js';
import { createExtensionServer, type ThriftServer } from './server.js';
import { checkSocketPath, extensionSocketPath } from './socket-path.js';

/**
 * The SDK version we announce. osqueryd refuses extensions whose sdk_version
 * is below 1.7.7 (kSDKVersionChanges); we speak the interface of osquery 5.x.
 */
export const SDK_VERSION = '5.23.1';

export interface ExtensionContext {
  readonly args: ExtensionArgs;
  readonly log: Logger;
  /** Runs SQL in osqueryd (manager query() on a connection of its own). */
  query(sql: string): Promise<Record<string, string>[]>;
}

export interface RunExtensionOptions {
  readonly name: string;
  readonly version: string;
  /** osqueryd's arguments (process.argv.slice(2)). */
  readonly argv: readonly string[];
  /** The tables, or a factory that builds them once the manager is known. */
  readonly tables:
    | readonly TablePlugin[]
    | ((ctx: ExtensionContext) => Promise<readonly TablePlugin[]> | readonly TablePlugin[]);
  /** Called once registered and listening (start background work here). */
  readonly onStart?: (ctx: ExtensionContext) => Promise<void> | void;
  /** Called before exit (persist state here); bounded so exit stays prompt. */
  readonly onStop?: (ctx: ExtensionContext) => Promise<void> | void;
  /** Where log lines go (stderr by default). */
  readonly logWrite?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
  /** Deadline of a query() through the manager, ms (default 60 s). */
  readonly queryTimeoutMs?: number;
}

const DEREGISTER_BUDGET_MS = 300;
const STOP_BUDGET_MS = 450;

interface StopRequest {
  readonly code: number;
  readonly reason: string;
}

export async function runExtension(options: RunExtensionOptions): Promise<number> {
  let args: ExtensionArgs;
  try {
    args = parseExtensionArgs(options.argv);
  } catch (err) {
    const log = createLogger({ name: options.name, ...(options.logWrite ? { write: options.logWrite } : {}) });
    log('error', err instanceof UsageError ? err.message : String(err));
    return 1;
  }
  const log = createLogger({
    name: options.name,
    verbose: args.verbose,
    ...(options.logWrite ? { write: options.logWrite } : {}),
  });

  let requestStop!: (r: StopRequest) => void;
  const stopRequested = new Promise<StopRequest>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => requestStop({ code: 0, reason: `received ${signal}` });
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  const intervalMs = args.interval * 1000;
  // A liveness call that takes longer than an interval counts as a dead manager.
  const manager = new ManagerClient(args.socket, { callTimeoutMs: Math.max(500, Math.min(intervalMs, 10_000)) });
  const queryClient = new ManagerClient(args.socket, { callTimeoutMs: options.queryTimeoutMs ?? 60_000 });
  const ctx: ExtensionContext = { args, log, query: (sql) => queryClient.query(sql) };
  let server: ThriftServer | null = null;
  let started = false;

  const finish = async (code: number): Promise<number> => {
    if (handleSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    const stops: Promise<unknown>[] = [];
    if (server) stops.push(server.close().catch(() => undefined));
    if (started && options.onStop) {
      stops.push(
        withDeadline(
          Promise.resolve().then(() => options.onStop!(ctx)),
          STOP_BUDGET_MS,
          'onStop',
        ).catch((err: unknown) => log('warn', `stopping: ${(err as Error).message}`)),
      );
    }
    await Promise.all(stops);
    manager.close();
    queryClient.close();
    return code;
  };

  // ---- start: connect, build tables, register, listen ----------------------
  const startup = (async () => {
    log('debug', `waiting up to ${args.timeout}s for the manager at ${args.socket}`);
    try {
      await manager.connect(args.timeout * 1000);
    } catch (err) {
      throw new Error(
        `osqueryd manager socket ${args.socket} not available after ${args.timeout}s: ${(err as Error).message}`,
      );
    }
    const tables = typeof options.tables === 'function' ? await options.tables(ctx) : options.tables;
    const registry = new TableRegistry(tables, { log: (level, message) => log(level, message) });
    // Registration may wait on a busy osqueryd (it attaches our tables to
    // SQLite): give it the startup budget, not the liveness-check deadline.
    const status = await manager.registerExtension(
      { name: options.name, version: options.version, sdk_version: SDK_VERSION, min_sdk_version: '0.0.0' },
      registry.routes(),
      Math.max(args.timeout * 1000, 5000),
    );
    if (status.code !== 0) {
      throw new Error(
        `osqueryd refused to register extension ${options.name}: ${status.message || `status ${status.code}`}`,
      );
    }
    const uuid = status.uuid;
    const path = extensionSocketPath(args.socket, uuid);
    try {
      checkSocketPath(path);
      server = createExtensionServer({
        path,
        uuid,
        handler: registry.handler(() => requestStop({ code: 0, reason: 'shutdown requested by osqueryd' })),
        onConnectionError: (err) => log('debug', `closed a connection: ${err.message}`),
      });
      await server.listen();
    } catch (err) {
      await deregister(args.socket, uuid).catch(() => undefined);
      throw err;
    }
    log(
      'info',
      `registered as ${options.name} ${options.version} (uuid ${uuid}) with ${registry.names.length} tables; listening on ${path}`,
    );
    return uuid;
  })();

  let uuid: bigint;
  try {
    const first = await Promise.race([startup.then((u) => ({ uuid: u })), stopRequested]);
    if (!('uuid' in first)) {
      log('info', `stopping before registration completed: ${first.reason}`);
      startup.then((u) => deregister(args.socket, u)).catch(() => undefined);
      return await finish(first.code);
    }
    uuid = first.uuid;
  } catch (err) {
    log('error', (err as Error).message);
    return await finish(1);
  }

  try {
    if (options.onStart) await options.onStart(ctx);
    started = true;
  } catch (err) {
    log('error', `starting failed: ${(err as Error).message}`);
    await deregister(args.socket, uuid).catch(() => undefined);
    return await finish(1);
  }

  // ---- run: liveness checks until something stops us ------------------------
  const watch = (async (): Promise<StopRequest> => {
    for (;;) {
      const stop = await Promise.race([sleep(intervalMs).then(() => null), stopRequested]);
      if (stop) return stop;
      try {
        const pong = await manager.ping();
        if (pong.code !== 0) return { code: 1, reason: `manager ping answered status ${pong.code}: ${pong.message}` };
        const extensions = await manager.extensions();
        if (!extensions.has(uuid)) {
          return {
            code: 1,
            reason: `osqueryd no longer lists our uuid ${uuid} (it restarted); exiting so that it respawns us`,
          };
        }
        log('debug', `manager alive, ${extensions.size} extensions registered`);
      } catch (err) {
        return { code: 1, reason: `manager at ${args.socket} is gone: ${(err as Error).message}` };
      }
    }
  })();

  const stop = await Promise.race([watch, stopRequested]);
  if (stop.code === 0) {
    log('info', `stopping: ${stop.reason}`);
    await Promise.all([deregister(args.socket, uuid).catch(() => undefined), finish(0)]);
    return 0;
  }
  log('error', stop.reason);
  return await finish(stop.code);
}

/** Best-effort deregistration on a fresh connection (the main one may be stuck). */
async function deregister(socket: string, uuid: bigint): Promise<void> {
  const client = new ManagerClient(socket, { callTimeoutMs: DEREGISTER_BUDGET_MS });
  try {
    await client.deregisterExtension(uuid);
  } finally {
    client.close();
  }
}

/** A pause that does not keep the process alive by itself (the server does, while it listens). */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
