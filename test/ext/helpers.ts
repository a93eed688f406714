// Shared plumbing for the tests of the shipped extension: building (or
// reusing) the single executable, and starting it exactly as osqueryd does.
import { execFile as execFileCb, spawn } from 'node:child_process';
import { watchChild, type Child } from '../sdk/helpers.js';

export { exitWithin, type Child } from '../sdk/helpers.js';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
/** The repository root (this file runs from build/test/ext/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Builds dist/an1489.ext (or the Windows .exe) unless the binary there already
 * holds the current bundle; returns its path and how long that took.
 */
export async function ensureExtBinary(
  target: 'native' | 'win-x64' = 'native',
): Promise<{ path: string; ms: number; log: string }> {
  const t0 = Date.now();
  const { stdout, stderr } = await execFile(
    process.execPath,
    [join(ROOT, 'scripts', 'build-ext.mjs'), `--target=${target}`, '--if-changed'],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const exe = target === 'win-x64' || process.platform === 'win32';
  return {
    path: join(ROOT, 'dist', exe ? 'an1489.ext.exe' : 'an1489.ext'),
    ms: Date.now() - t0,
    log: `${stdout}${stderr}`,
  };
}

/**
 * Starts an extension the way osqueryd's launchExtension does on POSIX
 * (osquery/core/posix/process.cpp): argv[0] is the binary's path, then
 * [--verbose] --socket S --timeout T --interval I, and OSQUERY_EXTENSION set
 * to the child's own pid. Node cannot set an env var to the child's pid
 * before it exists, so a tiny sh sets it from $$ and exec()s the binary —
 * same pid, arguments passed as argv, never interpolated.
 */
export function launchLikeOsqueryd(
  binary: string,
  opts: {
    socket: string;
    timeout?: number;
    interval?: number;
    verbose?: boolean;
    cwd: string;
    env?: Record<string, string>;
  },
): Child {
  const args = [
    ...(opts.verbose ? ['--verbose'] : []),
    '--socket',
    opts.socket,
    '--timeout',
    String(opts.timeout ?? 3),
    '--interval',
    String(opts.interval ?? 3),
  ];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AN1489_')) env[k] = v;
  return watchChild(
    spawn('/bin/sh', ['-c', 'OSQUERY_EXTENSION=$$; export OSQUERY_EXTENSION; exec "$@"', 'sh', binary, ...args], {
      cwd: opts.cwd,
      env: { ...env, ...(opts.env ?? {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
}
