// The composition root: builds every table of ours with the services behind
// it (sampler, signature checker, configuration), for the two hosts that
// serve them: the extension (answering osqueryd) and the embedded SQL host
// (answering the CLI). Both get the same tables from here.
import type { TablePlugin } from './sdk/table.js';
import type { An1489Config } from './config/schema.js';

export interface RuntimeOptions {
  /** 'extension': processes come from osqueryd; 'standalone': from this machine (procfs). */
  readonly mode: 'extension' | 'standalone';
  /** Runs SQL in osqueryd through the manager's query(); extension mode only. */
  readonly osqueryQuery?: (sql: string) => Promise<Record<string, string>[]>;
  /** Logs one line per event. */
  readonly log?: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
  /**
   * The operator's settings (src/config): sample interval, history window,
   * thresholds, state dir, signature-check limits... Absent = defaultConfig().
   * In the extension it is the file beside the binary, validated; stateDir is
   * then always filled in.
   */
  readonly config?: An1489Config;
  /** Told when a reloaded config file is in force (extension mode). */
  readonly onConfigChange?: (listener: (config: An1489Config) => void) => () => void;
}

export interface Runtime {
  readonly tables: readonly TablePlugin[];
  /** Starts background work (the sampler's schedule). */
  start(): Promise<void>;
  /** Stops background work and persists state. */
  stop(): Promise<void>;
}

export async function createRuntime(_options: RuntimeOptions): Promise<Runtime> {
  const tables: TablePlugin[] = [];
  return {
    tables,
    async start() {},
    async stop() {},
  };
}
