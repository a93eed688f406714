// The composition root: builds every table of ours with the services behind
// it (sampler, signature checker, configuration), for the two hosts that
// serve them: the extension (answering osqueryd) and the embedded SQL host
// (answering the CLI). Both get the same tables from here.
import { hostname } from 'node:os';
import type { TablePlugin } from './sdk/table.js';
import { approvalPredicate } from './intel/baseline.js';
import { HistoryStore } from './sampler/store.js';
import { Sampler } from './sampler/sampler.js';
import { ProcfsSource } from './sampler/procfs.js';
import { OsquerySource } from './sampler/osquery-source.js';
import { defaultStateDir } from './sampler/state.js';
import type { ProcessSource } from './sampler/source.js';
import { processCpuHistoryTable } from './tables/process_cpu_history.js';
import { processCpuSustainedTable, type ProcessCpuSustainedOptions } from './tables/process_cpu_sustained.js';
import { processConnectionHistoryTable } from './tables/process_connection_history.js';
import { defaultConfig, type An1489Config } from './config/schema.js';
import { processSignatureCheckTable } from './tables/process_signature_check.js';
import { fileSignatureCheckTable } from './tables/file_signature_check.js';
import { checkerFromSettings } from './signature/checker.js';

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
  /** Whether the sampler keeps its history in the state directory (default true; the CLI's short sessions do not). */
  readonly persistState?: boolean;
  /** The approved-workloads hook for process_cpu_sustained (approved = 0 without it). */
  readonly isApproved?: ProcessCpuSustainedOptions['isApproved'];
}

export interface Runtime {
  readonly tables: readonly TablePlugin[];
  /** Starts background work (the sampler's period); resolves after the first sample. */
  start(): Promise<void>;
  /** Samples ingested so far (a caller waiting for history waits on this). */
  samplesTaken(): number;
  /** Stops background work and persists state. */
  stop(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  // Sampler: building it constructs objects only; start() begins sampling.
  // Settings are read once: a changed interval or window needs a restart
  // (the rings are sized from them), thresholds are per query anyway.
  const config = options.config ?? defaultConfig();
  const store = historyStoreFor(config);
  let sampler: Sampler | null = null;
  // Approved workloads: the caller's hook, else the configured baseline file
  // (the pack's packs/baseline.yml format, so Fleet and the host agree).
  const isApproved =
    options.isApproved ??
    (config.baselinePath ? await approvalPredicate(config.baselinePath, hostname(), options.log) : undefined);
  const tables: TablePlugin[] = [
    processCpuHistoryTable(store),
    processCpuSustainedTable(store, {
      isApproved,
      minCpuPercent: config.thresholds.minCpuPercent,
      minDurationSeconds: config.thresholds.minDurationSeconds,
    }),
    processConnectionHistoryTable(store, { persistentSeconds: config.thresholds.persistentConnectionSeconds }),
  ];
  // Signature-versus-path checks read the same kind of process source as the
  // sampler, but their own instance, so a query never shares per-scan state with a tick.
  // One checker (one facts cache) serves both ways in: running processes and named files.
  const checker = await checkerFromSettings(config.signature, options.log);
  tables.push(
    processSignatureCheckTable({ checker, source: processSourceFor(options) ?? undefined }),
    fileSignatureCheckTable({ checker }),
  );
  return {
    tables,
    async start() {
      const source = processSourceFor(options);
      if (source === null) {
        options.log?.(
          'info',
          'sampler: no process source on this platform in standalone mode; history tables stay empty',
        );
      } else {
        sampler = new Sampler(source, store, {
          intervalSeconds: config.sampleIntervalSeconds,
          // AN1489_STATE_DIR (an operator's override, e.g. for a read-only
          // install dir) wins over the config, which wins over the default.
          stateDir:
            options.persistState === false
              ? null
              : process.env.AN1489_STATE_DIR || (config.stateDir ?? defaultStateDir()),
          log: options.log,
        });
        await sampler.start();
      }
    },
    samplesTaken: () => store.ticks,
    async stop() {
      await sampler?.stop();
      sampler = null;
    },
  };
}

/** The sampler's store, its rings sized for the window at the sampler's (exact) period. */
export function historyStoreFor(config: An1489Config): HistoryStore {
  return new HistoryStore({
    intervalMs: config.sampleIntervalSeconds * 1000,
    windowMs: config.historyWindowMinutes * 60_000,
    maxTracked: config.maxTrackedProcesses,
    exitedGraceMs: config.exitedGraceSeconds * 1000,
  });
}

/** Processes come from osqueryd in extension mode, from procfs standalone on Linux; none otherwise. */
function processSourceFor(options: RuntimeOptions): ProcessSource | null {
  if (options.mode === 'extension' && options.osqueryQuery) return new OsquerySource(options.osqueryQuery);
  if (process.platform === 'linux') return new ProcfsSource();
  return null;
}
