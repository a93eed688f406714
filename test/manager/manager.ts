// A stand-in for osqueryd's side of the extension protocol, over the real SDK
// transport and real sockets, so that tests exercise the extension exactly as
// osqueryd would. It follows osquery/extensions/interface.cpp and
// registry_factory.cpp: duplicate names are refused with "Duplicate extension
// registered", an SDK below 1.7.7 with "Incompatible extension SDK version",
// an unknown registry or empty route info with "Failed adding registry: ...",
// a table that exists (core or another extension) with "Duplicate registry
// item: ...". It calls an extension like osqueryd does: a ping on a fresh
// connection, then the call on another one.
//
// Unlike osqueryd it hands out large uuids (some above 2^53, some near
// 2^63) so that any precision loss in the extension shows up, and it can be
// stopped and restarted with an empty registry at will.
import {
  ExtensionManagerService,
  Types,
  makeResponse,
  makeStatus,
  type ExtensionRegistry,
  type GeneratedExtensionInfo,
  type GeneratedOptionInfo,
  type InternalExtensionInfo,
  type InternalOptionInfo,
  type ManagerHandlerShape,
  type PluginRequest,
  type PluginResponse,
} from '../../src/protocol/index.js';
import { ThriftServer } from '../../src/sdk/server.js';
import { ExtensionClient } from '../../src/sdk/client.js';
import { extensionSocketPath } from '../../src/sdk/socket-path.js';
import { allOsqueryTables } from '../../src/intel/osquery-schema.js';

/** Rows for query()/getQueryColumns(), or a failure status. */
export type QueryAnswer = Record<string, string>[] | { code: number; message: string };
export type QueryHandler = (sql: string) => QueryAnswer | Promise<QueryAnswer>;

export interface Registration {
  readonly uuid: bigint;
  readonly info: InternalExtensionInfo;
  readonly registry: ExtensionRegistry;
}

export interface TestManagerOptions {
  readonly socketPath: string;
  readonly query?: QueryHandler;
  readonly getQueryColumns?: QueryHandler;
  /** uuids to hand out, in order; afterwards the default sequence. */
  readonly uuids?: readonly bigint[];
  readonly options?: Record<string, InternalOptionInfo>;
  /** Table names that already exist (osquery's core tables by default). */
  readonly coreTables?: readonly string[];
  /** Told of every event (registration, call, restart...), one line each. */
  readonly onEvent?: (event: string) => void;
}

/** The registries osqueryd knows (osquery's CREATE_REGISTRY names). */
const KNOWN_REGISTRIES = new Set([
  'table',
  'config',
  'logger',
  'distributed',
  'killswitch',
  'enroll',
  'numeric_monitoring',
  'database',
  'sql',
]);

/** osquery's versionAtLeast: dotted numeric compare, missing parts are 0. */
export function versionAtLeast(required: string, actual: string): boolean {
  const a = actual.split('.').map((p) => Number.parseInt(p, 10));
  const r = required.split('.').map((p) => Number.parseInt(p, 10));
  if (a.some((n) => !Number.isFinite(n))) return false;
  for (let i = 0; i < Math.max(a.length, r.length); i++) {
    const x = a[i] ?? 0;
    const y = r[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export class TestManager {
  readonly registrations = new Map<bigint, Registration>();
  readonly events: string[] = [];
  private server: ThriftServer | null = null;
  private readonly pendingUuids: bigint[];
  private counter = 0;
  private readonly coreTables: Set<string>;
  queryHandler: QueryHandler | undefined;
  columnsHandler: QueryHandler | undefined;
  /** Deregistrations received, by uuid. */
  readonly deregistered: bigint[] = [];

  constructor(private readonly options: TestManagerOptions) {
    this.pendingUuids = [...(options.uuids ?? [])];
    this.coreTables = new Set(options.coreTables ?? allOsqueryTables().map((t) => t.name));
    this.queryHandler = options.query;
    this.columnsHandler = options.getQueryColumns;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  private event(text: string): void {
    this.events.push(text);
    if (this.events.length > 1000) this.events.shift();
    this.options.onEvent?.(text);
  }

  /** Alternates small uuids with ones above 2^53 and near 2^63. */
  private nextUuid(): bigint {
    const forced = this.pendingUuids.shift();
    if (forced !== undefined) return forced;
    for (;;) {
      this.counter += 1;
      const n = BigInt(this.counter);
      const candidate =
        this.counter % 3 === 1 ? 2n ** 53n + 2n * n + 1n : this.counter % 3 === 2 ? 2n ** 63n - 1000n * n : 1000n + n;
      if (!this.registrations.has(candidate)) return candidate;
    }
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new ThriftServer({
      path: this.options.socketPath,
      processor: new ExtensionManagerService.Processor(this.handler()),
    });
    await server.listen();
    this.server = server;
    this.event(`listening on ${this.options.socketPath}`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await server.close();
    this.event('stopped');
  }

  /** Stops and starts again with an empty registry, as a restarted osqueryd would. */
  async restart(): Promise<void> {
    await this.stop();
    this.registrations.clear();
    await this.start();
    this.event('restarted with an empty registry');
  }

  findByName(name: string): Registration | undefined {
    for (const r of this.registrations.values()) if (r.info.name === name) return r;
    return undefined;
  }

  /**
   * Resolves once an extension of that name has registered and (unless
   * `listening` is false) answers a ping on its socket: an extension
   * registers first and listens right after.
   */
  async waitForRegistration(name: string, timeoutMs = 10_000, listening = true): Promise<Registration> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      const r = this.findByName(name);
      if (r && !listening) return r;
      if (r) {
        try {
          // A generous ping timeout: under Wine on a loaded machine a first answer can take seconds.
          if ((await this.pingExtension(r.uuid, Math.max(1000, Math.min(5000, deadline - Date.now())))).code === 0)
            return r;
        } catch (err) {
          lastError = `: ${(err as Error).message}`;
        }
      }
      if (Date.now() > deadline)
        throw new Error(`no extension named ${name} registered and listening within ${timeoutMs} ms${lastError}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  extensionPath(uuid: bigint): string {
    return extensionSocketPath(this.options.socketPath, uuid);
  }

  /** Pings an extension on a fresh connection, as osqueryd's watcher does. */
  async pingExtension(uuid: bigint, timeoutMs = 5000) {
    const client = new ExtensionClient(this.extensionPath(uuid), { callTimeoutMs: timeoutMs });
    try {
      return await client.ping();
    } finally {
      client.close();
    }
  }

  /**
   * A registry call as osqueryd makes it: ping on one connection, the call on another
   * (osquery/extensions/extensions.cpp, callExtension and extensionPathActive; test/manager/call-sequence.test.ts).
   * `onReply` is told when the whole reply has arrived, before it is decoded (its size in bytes).
   */
  async callExtension(
    uuid: bigint,
    registry: string,
    item: string,
    request: PluginRequest,
    timeoutMs = 30_000,
    onReply?: (bytes: number) => void,
  ) {
    const pong = await this.pingExtension(uuid);
    if (pong.code !== 0) throw new Error(`extension ${uuid} answered ping with status ${pong.code}`);
    const client = new ExtensionClient(this.extensionPath(uuid), {
      callTimeoutMs: timeoutMs,
      ...(onReply ? { onReply } : {}),
    });
    try {
      const r = await client.call(registry, item, request);
      this.event(`called ${registry}/${item} on ${uuid}: status ${r.status.code}, ${r.response.length} rows`);
      return r;
    } finally {
      client.close();
    }
  }

  async shutdownExtension(uuid: bigint): Promise<void> {
    const client = new ExtensionClient(this.extensionPath(uuid), { callTimeoutMs: 5000 });
    try {
      await client.shutdown();
    } finally {
      client.close();
    }
  }

  private register(
    info: GeneratedExtensionInfo | null,
    registry: ExtensionRegistry | null,
  ): { code: number; message: string; uuid?: bigint } {
    const plain: InternalExtensionInfo = {
      name: info?.name ?? '',
      version: info?.version ?? '',
      sdk_version: info?.sdk_version ?? '',
      min_sdk_version: info?.min_sdk_version ?? '',
    };
    if (this.findByName(plain.name)) return { code: 1, message: 'Duplicate extension registered' };
    if (!versionAtLeast('1.7.7', plain.sdk_version)) return { code: 1, message: 'Incompatible extension SDK version' };
    const reg = registry ?? {};
    for (const [registryName, items] of Object.entries(reg)) {
      for (const item of Object.keys(items)) {
        const taken =
          registryName === 'table' &&
          (this.coreTables.has(item) ||
            [...this.registrations.values()].some((r) => item in (r.registry[registryName] ?? {})));
        if (taken) return { code: 1, message: `Failed adding registry: Duplicate registry item: ${item}` };
      }
    }
    for (const [registryName, items] of Object.entries(reg)) {
      if (!KNOWN_REGISTRIES.has(registryName))
        return { code: 1, message: `Failed adding registry: Unknown registry: ${registryName}` };
      if (registryName === 'table') {
        for (const routes of Object.values(items)) {
          if (!Array.isArray(routes) || routes.length === 0)
            return { code: 1, message: 'Failed adding registry: Invalid route info' };
        }
      }
    }
    const uuid = this.nextUuid();
    this.registrations.set(uuid, { uuid, info: plain, registry: reg });
    this.event(`registered ${plain.name} ${plain.version} as ${uuid}`);
    return { code: 0, message: 'OK', uuid };
  }

  private async answer(handler: QueryHandler | undefined, sql: string, what: string) {
    let answer: QueryAnswer;
    try {
      answer = handler ? await handler(sql) : { code: 1, message: `test manager has no ${what} handler` };
    } catch (err) {
      answer = { code: 1, message: err instanceof Error ? err.message : String(err) };
    }
    if (Array.isArray(answer))
      return makeResponse({ status: { code: 0, message: 'OK', uuid: 0n }, response: answer as PluginResponse });
    return makeResponse({ status: { code: answer.code, message: answer.message, uuid: 0n }, response: [] });
  }

  private handler(): ManagerHandlerShape {
    return {
      ping: async () => makeStatus({ code: 0, message: 'pong', uuid: 0n }),
      call: async (registry, item) =>
        makeResponse({
          status: { code: 1, message: `test manager has no ${registry}/${item} plugin`, uuid: 0n },
          response: [],
        }),
      shutdown: async () => {
        this.event('shutdown requested');
      },
      extensions: async () => {
        const out: Record<string, GeneratedExtensionInfo> = {};
        // Property names carry the uuid as decimal text; the SDK writer turns them back into exact i64.
        for (const r of this.registrations.values()) out[r.uuid.toString()] = new Types.InternalExtensionInfo(r.info);
        return out;
      },
      options: async () => {
        const out: Record<string, GeneratedOptionInfo> = {};
        for (const [k, v] of Object.entries(
          this.options.options ?? { extensions_socket: { value: this.socketPath, default_value: '', type: 'string' } },
        )) {
          out[k] = new Types.InternalOptionInfo(v);
        }
        return out;
      },
      registerExtension: async (info, registry) => makeStatus(this.register(info, registry)),
      deregisterExtension: async (uuid) => {
        if (uuid === null || !this.registrations.has(uuid))
          return makeStatus({ code: 1, message: 'No extension UUID found', uuid: 0n });
        this.registrations.delete(uuid);
        this.deregistered.push(uuid);
        this.event(`deregistered ${uuid}`);
        return makeStatus({ code: 0, message: 'OK', uuid });
      },
      query: async (sql) => this.answer(this.queryHandler, sql ?? '', 'query'),
      getQueryColumns: async (sql) => this.answer(this.columnsHandler, sql ?? '', 'getQueryColumns'),
    };
  }
}
