// The shipped extension (`an1489 --socket ...`, build/src/cli/main.js) as a
// real child process against the test manager, which answers its
// `processes` queries with rows the test chooses: the harness for attacks on
// the extension itself (test/adversarial/extension-*.test.ts).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { TestManager, type Registration } from '../manager/manager.js';
import { watchChild, type Child } from '../sdk/helpers.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export interface FakeProcess {
  readonly pid: number;
  readonly name: string;
  readonly path: string;
  readonly cmdline: string;
}

export interface RealExtension {
  readonly manager: TestManager;
  readonly reg: Registration;
  readonly child: Child;
  readonly socketPath: string;
  /** Milliseconds of one ping on a fresh connection (throws when not answered). */
  ping(): Promise<number>;
  /** A table generate; resolves with its rows and milliseconds. */
  generate(
    table: string,
    constraints?: unknown[],
  ): Promise<{ rows: Record<string, string>[]; ms: number; code: number; message: string }>;
  stop(): Promise<void>;
}

/** osqueryd's answers to the queries the extension's process source sends. */
function answer(processes: readonly FakeProcess[], sql: string): Record<string, string>[] {
  if (sql.includes('process_open_sockets')) return [];
  if (/WHERE p\.pid IN/.test(sql))
    return processes.map((p) => ({
      pid: String(p.pid),
      start_time: '1700000000',
      cmdline: p.cmdline,
      username: 'attacker',
    }));
  if (/FROM processes/.test(sql)) {
    return processes.map((p) => ({
      pid: String(p.pid),
      parent: '1',
      name: p.name,
      path: p.path,
      start_time: '1700000000',
      user_time: '1000',
      system_time: '10',
      resident_size: '1048576',
      threads: '1',
      uid: '1000',
      elapsed_time: '100',
    }));
  }
  return [];
}

export async function startRealExtension(opts: {
  dir: string;
  processes?: readonly FakeProcess[];
  config?: Record<string, unknown>;
  umask?: number;
  env?: Record<string, string>;
  registrationMs?: number;
}): Promise<RealExtension> {
  const socketPath = join(opts.dir, 'osq.em');
  const configPath = join(opts.dir, 'an1489.config.json');
  writeFileSync(configPath, JSON.stringify({ sampleIntervalSeconds: 1, logLevel: 'debug', ...(opts.config ?? {}) }));
  const manager = new TestManager({ socketPath, query: (sql) => answer(opts.processes ?? [], sql) });
  await manager.start();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AN1489_')) env[k] = v;
  const args = [MAIN, '--socket', socketPath, '--timeout', '3', '--interval', '1', '--verbose'];
  const umask = (opts.umask ?? 0o022).toString(8).padStart(3, '0');
  // umask is set by a tiny sh that exec()s node: same pid, argv passed as argv.
  const child = watchChild(
    spawn('/bin/sh', ['-c', `umask ${umask}; exec "$@"`, 'sh', process.execPath, ...args], {
      env: { ...env, AN1489_CONFIG: configPath, ...(opts.env ?? {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let reg: Registration;
  try {
    reg = await manager.waitForRegistration('an1489', opts.registrationMs ?? 60_000);
  } catch (e) {
    child.proc.kill('SIGKILL');
    await manager.stop();
    throw new Error(`${(e as Error).message}; extension stderr:\n${child.stderr()}`);
  }
  return {
    manager,
    reg,
    child,
    socketPath: manager.extensionPath(reg.uuid),
    async ping() {
      const t = performance.now();
      const r = await manager.pingExtension(reg.uuid, 30_000);
      if (r.code !== 0) throw new Error(`ping answered ${r.code}`);
      return performance.now() - t;
    },
    async generate(table, constraints = []) {
      const t = performance.now();
      const r = await manager.callExtension(
        reg.uuid,
        'table',
        table,
        { action: 'generate', context: JSON.stringify({ constraints }) },
        120_000,
      );
      return { rows: r.response, ms: performance.now() - t, code: r.status.code, message: r.status.message };
    },
    async stop() {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
      await child.exited;
      await manager.stop();
    },
  };
}

/** A path constraint as osqueryd forwards `WHERE path = '...'`. */
/** file_signature_check's constraint for one named file (its hidden `file` column). */
export function fileEquals(path: string): unknown[] {
  return [{ name: 'file', list: [{ op: 2, expr: path }], affinity: 'TEXT' }];
}

/** Peak and current RSS of a process (Linux /proc): VmHWM and VmRSS, bytes. */
export function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Runs `during` while pinging every 50 ms; returns the slowest ping and the result. */
export async function pingWhile<T>(
  ext: RealExtension,
  during: () => Promise<T>,
  sampleRss?: (pid: number) => void,
): Promise<{ result: T; worstPingMs: number; pings: number }> {
  let done = false;
  let worst = 0;
  let pings = 0;
  const pinger = (async () => {
    while (!done) {
      worst = Math.max(worst, await ext.ping());
      pings++;
      sampleRss?.(ext.child.proc.pid!);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const result = await during();
    return { result, worstPingMs: worst, pings };
  } finally {
    done = true;
    await pinger;
  }
}

/** Median of a few fresh-connection pings: the baseline latency of "any other call". */
export async function baselinePing(ext: RealExtension, n = 9): Promise<{ median: number; worst: number }> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) t.push(await ext.ping());
  t.sort((a, b) => a - b);
  return { median: t[n >> 1]!, worst: t[n - 1]! };
}

/** The latency bound, with room for a loaded machine: 1 s over the worst baseline ping, or 20x its median. */
export function latencyBound(base: { median: number; worst: number }): number {
  return Math.max(base.worst, 20 * base.median) + 1000;
}
