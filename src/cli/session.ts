// Opens the embedded host the way every SQL-running command needs it: all of
// our tables from the composition root (standalone mode), plus snapshot
// tables from a directory.
import { EmbeddedHost, HostError } from '../host/host.js';
import { loadSnapshotDir, SnapshotError } from '../host/snapshot.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { CliError, ExitCode } from './command.js';

export interface HostSession {
  readonly host: EmbeddedHost;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

/** Runtime log lines at or above this level reach stderr (AN1489_LOG=debug|info|warn|error). */
function logLevel(): number {
  const levels = ['debug', 'info', 'warn', 'error'];
  const i = levels.indexOf((process.env.AN1489_LOG ?? 'error').toLowerCase());
  return i < 0 ? 3 : i;
}

export async function openSession(stderr: NodeJS.WritableStream, snapshotDir?: string): Promise<HostSession> {
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
  const runtime = await createRuntime({
    mode: 'standalone',
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
  return {
    host,
    runtime,
    async close() {
      host.close();
    },
  };
}

/** Maps a host error to the CLI's one-line error and exit code. */
export function hostFailure(e: unknown): CliError {
  if (e instanceof HostError) return new CliError(e.message, e.kind === 'input' ? ExitCode.BAD_INPUT : ExitCode.FAILURE);
  if (e instanceof CliError) return e;
  return new CliError((e as Error).message ?? String(e), ExitCode.FAILURE);
}
