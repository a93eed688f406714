// Opens the embedded host the way every SQL-running command needs it: all of
// our tables from the composition root (standalone mode), plus snapshot
// tables from a directory; with sampling on, the history tables fill as
// osqueryi's live tables would (the sampler runs in the background).
import { EmbeddedHost, HostError } from '../host/host.js';
import { loadSnapshotDir, SnapshotError } from '../host/snapshot.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { defaultConfig } from '../config/schema.js';
import { monotonicMs } from '../sampler/clock.js';
import { CliError, ExitCode } from './command.js';

export interface HostSession {
  readonly host: EmbeddedHost;
  readonly runtime: Runtime;
  /**
   * Resolves once the sampler has taken every sample due in `seconds` from
   * the first one (so the history spans that long), or after a grace period
   * when samples fail. Resolves at once when sampling is off.
   */
  sampleFor(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly snapshotDir?: string;
  /** Sample this machine in the background every so many seconds; null = no sampling. */
  readonly sampleIntervalSeconds: number | null;
}

/** Runtime log lines at or above this level reach stderr (AN1489_LOG=debug|info|warn|error). */
function logLevel(): number {
  const levels = ['debug', 'info', 'warn', 'error'];
  const i = levels.indexOf((process.env.AN1489_LOG ?? 'error').toLowerCase());
  return i < 0 ? 3 : i;
}

export async function openSession(stderr: NodeJS.WritableStream, options: SessionOptions): Promise<HostSession> {
  const { snapshotDir, sampleIntervalSeconds } = options;
  // Snapshots first: a bad snapshot is the user's input error and should be
  // reported before any table machinery starts.
  let snapshots;
  try {
    snapshots = snapshotDir === undefined ? [] : loadSnapshotDir(snapshotDir);
  } catch (e) {
    if (e instanceof SnapshotError) throw new CliError(e.message, ExitCode.BAD_INPUT);
    throw e;
  }
  const threshold = logLevel();
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const interval = sampleIntervalSeconds ?? defaultConfig().sampleIntervalSeconds;
  const runtime = await createRuntime({
    mode: 'standalone',
    config: { ...defaultConfig(), sampleIntervalSeconds: interval },
    // A CLI session's history is its own: it never touches the extension's state file.
    persistState: false,
    log: (level, message) => {
      if (order[level] >= threshold) stderr.write(`an1489 [${level}] ${message.replace(/[\r\n]+/g, ' ')}\n`);
    },
  });
  let host: EmbeddedHost;
  try {
    host = new EmbeddedHost({ tables: runtime.tables, snapshots });
  } catch (e) {
    if (e instanceof HostError) throw new CliError(e.message, ExitCode.BAD_INPUT);
    throw e;
  }
  // Not awaited: the prompt is up while the first sample is taken.
  const sampling =
    sampleIntervalSeconds === null
      ? null
      : runtime.start().catch((e: unknown) => {
          stderr.write(`an1489: sampling failed to start: ${(e as Error).message}\n`);
        });
  return {
    host,
    runtime,
    async sampleFor(seconds: number) {
      if (sampling === null) return;
      await sampling;
      const want = Math.floor(seconds / interval) + 1;
      // Samples that fail do not count; give up waiting a few periods after the deadline.
      const giveUp = monotonicMs() + (seconds + 3 * interval) * 1000 + 10_000;
      while (runtime.samplesTaken() < want && monotonicMs() < giveUp) await new Promise((r) => setTimeout(r, 50));
    },
    async close() {
      await sampling;
      await runtime.stop();
      host.close();
    },
  };
}

/** Maps a host error to the CLI's one-line error and exit code. */
export function hostFailure(e: unknown): CliError {
  if (e instanceof HostError)
    return new CliError(e.message, e.kind === 'input' ? ExitCode.BAD_INPUT : ExitCode.FAILURE);
  if (e instanceof CliError) return e;
  return new CliError((e as Error).message ?? String(e), ExitCode.FAILURE);
}
