// Shared by the signature-*.test.ts attacks: the real CLI as a child process
// (with a hook that reports its peak RSS on exit), and small file helpers.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const MAIN = join(HERE, '..', '..', 'src', 'cli', 'main.js');
export const FIXTURES = join(HERE, '..', '..', '..', 'test', 'fixtures', 'pe');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set of the CLI process (getrusage maxrss), in bytes. */
  readonly maxRssBytes: number;
  readonly ms: number;
}

/** Runs `an1489 ARGS` (arguments as argv, never through a shell) and reports its peak RSS. */
export function an1489(dir: string, args: readonly string[]): Promise<CliRun> {
  const hook = join(dir, 'maxrss-hook.mjs');
  writeFileSync(
    hook,
    "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `\\nMAXRSS_KB ${process.resourceUsage().maxRSS}\\n`));\n",
  );
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(hook).href, MAIN, ...args],
      { cwd: dir, timeout: 300_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        const m = /MAXRSS_KB (\d+)/.exec(stderr);
        if (!m) return reject(new Error(`no MAXRSS line from the CLI: ${stderr}`));
        resolve({
          code: err ? Number((err as { code?: number }).code) : 0,
          stdout,
          stderr,
          maxRssBytes: Number(m[1]) * 1024,
          ms: performance.now() - t0,
        });
      },
    );
  });
}

/** An SQL string literal. */
export const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;
