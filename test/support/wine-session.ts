// Windows programs under Wine for the tests (test/ext/wine.test.ts): the Wine
// prefix (created once, told to be Windows 10), Windows processes whose
// output goes to files, and the standalone test manager (test/manager/main.ts)
// under Windows' node.exe, driven through its control/state files.
//
// Everything crosses Wine through files: a Windows process writing to a Linux
// pipe fails with EBADF, so stdout/stderr go to files and the manager is
// driven through its control/state files. The Wine prefix is created once
// and reused (.tmp/wineprefix, or AN1489_WINEPREFIX); its first creation is
// the slow part and is printed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../ext/helpers.js';

/** A Linux path as Wine's Windows side sees it (the Z: drive). */
export const win = (p: string): string => `Z:${p.replace(/\//g, '\\')}`;

export interface WinProc {
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/** The Wine prefix, a scratch directory and every Windows process started in it. */
export class WineSession {
  readonly prefix = process.env['AN1489_WINEPREFIX'] ?? join(ROOT, '.tmp', 'wineprefix');
  readonly tmp = mkdtempSync('/tmp/an1489-wine-');
  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    WINEPREFIX: this.prefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
  };
  private readonly started: ChildProcess[] = [];

  /** Creates the prefix unless its win10 marker says it exists; `version` is written into the marker. */
  ensurePrefix(version: string): void {
    const t0 = Date.now();
    const marker = join(this.prefix, '.an1489-win10');
    if (existsSync(marker)) return;
    mkdirSync(dirname(this.prefix), { recursive: true });
    // Node 20 refuses to start on what Wine reports by default (Windows 7);
    // tell the prefix to be Windows 10.
    for (const [cmd, args] of [
      ['wineboot', ['-i']],
      ['winecfg', ['-v', 'win10']],
    ] as const) {
      const r = spawnSync(cmd, [...args], { env: this.env, stdio: 'ignore', timeout: 180_000 });
      if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, ${r.error?.message ?? ''})`);
    }
    writeFileSync(marker, version);
    console.log(`  created Wine prefix ${this.prefix} in ${Date.now() - t0} ms`);
  }

  /** A Windows program under Wine, its output in files (never Linux pipes). */
  runWindows(name: string, exe: string, args: string[], env: Record<string, string> = {}): WinProc {
    const out = join(this.tmp, `${name}.out`);
    const err = join(this.tmp, `${name}.err`);
    const outFd = openSync(out, 'w');
    const errFd = openSync(err, 'w');
    const proc = spawn('wine', [exe, ...args], {
      cwd: this.tmp,
      env: { ...this.env, ...env },
      stdio: ['ignore', outFd, errFd],
    });
    closeSync(outFd);
    closeSync(errFd);
    this.started.push(proc);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    return { proc, exited, stderr: () => (existsSync(err) ? readFileSync(err, 'utf8') : '') };
  }

  /** Kills what is still running and removes the scratch directory. */
  close(): void {
    for (const p of this.started) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** `p`, or an error with `what()` after `ms` milliseconds. */
export async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(what())), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ManagerState {
  listening: boolean;
  extensions: { uuid: string; name: string }[];
  deregistered: string[];
  events: string[];
  results: Record<string, { ok: boolean; value?: unknown; error?: string }>;
}

/** The standalone test manager under Windows node.exe, driven by its files. */
export class WinManager {
  readonly state: string;
  readonly control: string;
  readonly rows: string;
  private ids = 0;
  proc!: WinProc;
  constructor(
    private readonly session: WineSession,
    private readonly nodeExe: string,
    readonly pipe: string,
  ) {
    this.state = join(session.tmp, 'manager-state.json');
    this.control = join(session.tmp, 'manager-control.jsonl');
    this.rows = join(session.tmp, 'manager-rows.json');
  }

  start(rows: unknown): void {
    writeFileSync(this.rows, JSON.stringify(rows));
    writeFileSync(this.control, '');
    this.proc = this.session.runWindows('manager', this.nodeExe, [
      win(join(ROOT, 'build', 'test', 'manager', 'main.js')),
      '--socket',
      this.pipe,
      '--state',
      win(this.state),
      '--control',
      win(this.control),
      '--rows',
      win(this.rows),
    ]);
  }

  read(): ManagerState | null {
    try {
      return JSON.parse(readFileSync(this.state, 'utf8')) as ManagerState;
    } catch {
      return null; // not written yet, or caught mid-write
    }
  }

  async until<T>(what: string, pick: (s: ManagerState) => T | undefined | null | false, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = this.read();
      const v = s ? pick(s) : undefined;
      if (v !== undefined && v !== null && v !== false) return v;
      if (Date.now() > deadline)
        throw new Error(
          `manager: ${what} did not happen within ${ms} ms; state: ${JSON.stringify(s)?.slice(0, 2000)}; manager stderr: ${this.proc.stderr()}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async command(cmd: Record<string, unknown>, ms = 30_000): Promise<unknown> {
    const id = `c${++this.ids}`;
    appendFileSync(this.control, `${JSON.stringify({ id, ...cmd })}\n`);
    const r = await this.until(`command ${JSON.stringify(cmd)}`, (s) => s.results[id], ms);
    if (!r.ok) throw new Error(`manager command ${JSON.stringify(cmd)} failed: ${r.error}`);
    return r.value;
  }

  /**
   * Waits until the extension has registered AND answers a ping on its own
   * pipe: it registers first and creates the pipe right after, and on a
   * freshly created Wine prefix that gap is long enough to be seen.
   */
  async ready(name: string, ext: WinProc, ms = 120_000): Promise<{ uuid: string; name: string }> {
    try {
      return (await this.command({ cmd: 'ready', name, timeoutMs: ms }, ms + 30_000)) as {
        uuid: string;
        name: string;
      };
    } catch (err) {
      throw new Error(`${(err as Error).message}\nextension stderr:\n${ext.stderr()}`);
    }
  }

  async generate(
    table: string,
    constraints: { name: string; op: number; expr: string }[],
  ): Promise<{ code: number; rows: Record<string, string>[] }> {
    const context = JSON.stringify({
      constraints: constraints.map((c) => ({ name: c.name, list: [{ op: c.op, expr: c.expr }], affinity: 'TEXT' })),
    });
    const v = (await this.command({
      cmd: 'call',
      name: 'an1489',
      registry: 'table',
      item: table,
      request: { action: 'generate', context },
    })) as {
      status: { code: number; message: string };
      response: Record<string, string>[];
    };
    return { code: v.status.code, rows: v.response };
  }
}
