// Shared plumbing for the SDK tests: short socket directories (sun_path is
// 108 bytes), the fixture extension as a real child process, exit waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** build/test/fixtures/sdk-extension.js, beside this compiled file's folder. */
export const FIXTURE = join(here, '..', 'fixtures', 'sdk-extension.js');

export function tempDir(): { dir: string; cleanup: () => void } {
  // /tmp, not os.tmpdir(): TMPDIR may be long enough to break socket paths.
  const dir = mkdtempSync('/tmp/an1489-sdk-');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Child {
  readonly proc: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function startFixture(args: string[], env: Record<string, string> = {}): Child {
  return watchChild(
    spawn(process.execPath, [FIXTURE, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
}

/** Collects a child's stderr and its exit; the child must have stderr piped. */
export function watchChild(proc: ChildProcess): Child {
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    // 'close', not 'exit': stderr is complete only once the pipes close.
    proc.on('close', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return { proc, stderr: () => err, exited };
}

/** Resolves with the exit, or rejects (after killing the child) when it takes longer than `ms`. */
export async function exitWithin(child: Child, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      child.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.proc.kill('SIGKILL');
          reject(new Error(`child did not exit within ${ms} ms; stderr:\n${child.stderr()}`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
